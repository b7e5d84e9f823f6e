package dev.sapling.check;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import dev.sapling.model.KvCache;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Memory stays flat on a device over thousands of decode steps and thousands of completions. The decode-step check is
 * also the CPU test's body ({@code MemoryChecksTest}); the completions check is the device counterpart of
 * {@code GeneratorMemoryTest} (which bounds a tiny model's heap too, on the CPU only). After a warm-up, no native array
 * is left attached to the long-lived managers, resident memory outside the Java heap ({@link ResidentMemory}) grows by
 * at most {@link #RSS_BOUND_MB} MiB, and on a GPU the device memory in use (CUDA's {@code cudaMemGetInfo} through
 * DJL's {@link CudaUtils#getGpuMemory}, which counts what PyTorch's caching allocator holds) grows by at most
 * {@link #DEVICE_BOUND_MB} MiB.
 *
 * <pre>{@code
 * try (LoadedModel model = new CleanModelLoader(options).load(path)) {
 *   new MemoryChecks(model, "stories260K", log).runAll();
 * }
 * }</pre>
 */
final class MemoryChecks {
  static final int DECODE_STEPS = 2_500;
  static final int WARMUP_STEPS = 500;
  static final int STEPS_PER_SEQUENCE = 200;
  static final int COMPLETIONS = 2_000;
  static final int WARMUP_COMPLETIONS = 200;
  static final long RSS_BOUND_MB = 48;
  static final long DEVICE_BOUND_MB = 32;

  private final LoadedModel model;
  private final String name;
  private final CheckLog log;

  MemoryChecks(LoadedModel model, String name, CheckLog log) {
    this.model = model;
    this.name = name + " " + model.transformer().computeType() + " on " + model.device();
    this.log = log;
  }

  /** Runs both checks; one that throws is reported as failed and the other still runs. */
  void runAll() {
    try {
      decodeSteps(DECODE_STEPS);
    } catch (RuntimeException e) {
      log.error(name + ": memory over decode steps", e);
    }
    try {
      completions();
    } catch (RuntimeException e) {
      log.error(name + ": memory over completions", e);
    }
  }

  /**
   * {@code steps} batch-1 greedy decode steps straight on the transformer ({@link #DECODE_STEPS} on a device,
   * {@code MemoryChecksTest} runs more), a fresh KV cache every {@link #STEPS_PER_SEQUENCE} steps; the baseline is
   * taken at step {@link #WARMUP_STEPS}.
   */
  void decodeSteps(int steps) {
    Usage baseline = null;
    Usage peak = null;
    int leftAttached;
    try (NDManager session = model.manager().newSubManager()) {
      int token = model.promptIds("Once")[0];
      KvCache cache = null;
      for (int step = 0; step < steps; step++) {
        if (step % STEPS_PER_SEQUENCE == 0) {
          if (cache != null) {
            cache.close();
          }
          cache = KvCache.allocate(model.config(), session, model.transformer().computeType(), STEPS_PER_SEQUENCE,
              new int[] {0});
        }
        try (NDManager scope = session.newSubManager()) {
          token = (int) model.transformer().forward(scope.create(new int[] {token}, new Shape(1, 1)), cache, true)
              .argMax(-1).toLongArray()[0];
        }
        if (step == WARMUP_STEPS) {
          System.gc();
          baseline = Usage.now(model.device());
          peak = baseline;
        } else if (step > WARMUP_STEPS && step % 100 == 0) {
          peak = peak.max(Usage.now(model.device()));
        }
      }
      cache.close();
      leftAttached = session.getManagedArrays().size();
    }
    peak = peak.max(Usage.now(model.device()));
    report("memory over " + steps + " decode steps", baseline, peak, leftAttached,
        "arrays left on the session manager " + leftAttached);
  }

  /**
   * {@link #COMPLETIONS} sampled completions (2 per prompt, up to 12 tokens, ending by stop sequence, EOS or length, so
   * rows leave batches at every step) after {@link #WARMUP_COMPLETIONS} of warm-up; memory is read after every batch.
   */
  void completions() {
    Generator generator = Generator.of(model);
    SamplingParams params = SamplingParams.defaults().withTemperature(1.0).withN(2).withMaxNewTokens(12)
        .withStop(List.of(".", "\n")).withSeed(1);
    generator.generateIds(prompts(WARMUP_COMPLETIONS / 2, 1), params, p -> {}, c -> {});
    int arraysBefore = model.manager().getManagedArrays().size();
    System.gc();
    Usage baseline = Usage.now(model.device());
    Usage[] peak = {baseline};
    Map<FinishReason, Integer> reasons = new EnumMap<>(FinishReason.class);
    long[] tokens = {0};
    generator.generateIds(prompts(COMPLETIONS / 2, 2), params, p -> peak[0] = peak[0].max(Usage.now(model.device())),
        c -> {
          reasons.merge(c.finishReason(), 1, Integer::sum);
          tokens[0] += c.tokenIds().length;
        });
    int arraysAfter = model.manager().getManagedArrays().size();
    int count = reasons.values().stream().mapToInt(Integer::intValue).sum();
    report("memory over " + count + " completions", baseline, peak[0].max(Usage.now(model.device())),
        arraysAfter - arraysBefore + (count == COMPLETIONS ? 0 : 1),
        String.format("%d tokens, finish reasons %s, model arrays %d -> %d", tokens[0], reasons, arraysBefore,
            arraysAfter));
  }

  private void report(String what, Usage baseline, Usage peak, int arraysLeft, String arrays) {
    long rssGrowthMb = (peak.nonHeapKb - baseline.nonHeapKb) / 1024;
    long deviceGrowthMb = (peak.deviceBytes - baseline.deviceBytes) >> 20;
    boolean gpu = model.device().isGpu();
    log.report(arraysLeft == 0 && rssGrowthMb <= RSS_BOUND_MB && (!gpu || deviceGrowthMb <= DEVICE_BOUND_MB),
        name + ": " + what, String.format("non-heap RSS %d MiB -> max %d MiB (+%d, limit %d)%s; %s",
            baseline.nonHeapKb / 1024, peak.nonHeapKb / 1024, rssGrowthMb, RSS_BOUND_MB,
            gpu ? String.format(", device memory used %d MiB -> max %d MiB (+%d, limit %d)", baseline.deviceBytes >> 20,
                peak.deviceBytes >> 20, deviceGrowthMb, DEVICE_BOUND_MB) : "", arrays));
  }

  /** Random prompts of 1 to 12 tokens (BOS first where the model has one), over the whole vocabulary. */
  private List<int[]> prompts(int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] bos = model.promptIds("");
    int vocab = model.config().vocabSize();
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] p = r.ints(1 + r.nextInt(12), 3, vocab).toArray();
      if (bos.length > 0) {
        p[0] = bos[0];
      }
      out.add(p);
    }
    return out;
  }

  /** Resident memory outside the heap (KiB) and, on a GPU, device memory in use (bytes; 0 on the CPU). */
  private record Usage(long nonHeapKb, long deviceBytes) {
    static Usage now(Device device) {
      return new Usage(ResidentMemory.nonHeapKb(), device.isGpu() ? deviceUsedBytes(device) : 0);
    }

    private static long deviceUsedBytes(Device device) {
      try {
        return CudaUtils.getGpuMemory(device).getUsed();
      } catch (IllegalStateException | IllegalArgumentException e) {
        throw new IllegalStateException("cannot read " + device + "'s memory through DJL's CudaUtils (cudaMemGetInfo "
            + "by JNA from libcudart.so, which scripts/gpu-setup.sh puts on LD_LIBRARY_PATH): " + e.getMessage(), e);
      }
    }

    Usage max(Usage other) {
      return new Usage(Math.max(nonHeapKb, other.nonHeapKb), Math.max(deviceBytes, other.deviceBytes));
    }
  }
}
