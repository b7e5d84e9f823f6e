package dev.sapling.check;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.runtime.device.DeviceSelector;
import dev.sapling.runtime.sampling.DeviceSampling;
import dev.sapling.runtime.sampling.DeviceTokenSelector;
import dev.sapling.runtime.sampling.FusedSampling;
import dev.sapling.runtime.sampling.HostTokenSelector;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.runtime.sampling.SamplingState;
import dev.sapling.runtime.sampling.TokenSampler;
import dev.sapling.runtime.sampling.TokenSelector;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times one decode step's token choice on a device and checks that the three selectors agree there: the host path
 * ({@link HostTokenSelector}, the reference), composed DJL ops and the native call ({@link FusedSampling}, when the
 * bridge has it). Logits are random {@code [batch, 1, 128256]} float32 arrays made on the device (Llama 3's
 * vocabulary), four of them used in turn; each selector draws from identically seeded states. Method: 3 warm-up
 * steps, then {@code --steps} timed steps per cell; the time of a step is wall time of {@code select}, which ends
 * with the device-to-host copy, so it includes the device work. Prints one table row per (setting, batch) to stdout:
 * milliseconds per step and, per device path, the draws whose token differs from the host's.
 *
 * <pre>
 * ./sapling check sampling --device gpu --steps 50
 * </pre>
 */
public final class SamplingBench {
  private static final int VOCAB = 128_256;
  private static final int WARMUP = 3;

  private SamplingBench() {}

  /**
   * Prints the table for {@code deviceFlag} ({@code cpu}, {@code gpu} or {@code auto}) with {@code steps} timed
   * steps per cell to {@code out}, the engine line to {@code err}; returns the exit code (0: a benchmark, it has no
   * bound to fail).
   */
  public static int run(String deviceFlag, int steps, PrintStream out, PrintStream err) {
    Engine engine = Engine.getEngine("PyTorch");
    Device device = DeviceSelector.standard().select(deviceFlag);
    err.println("engine: PyTorch " + engine.getVersion() + ", features " + JniUtils.getFeatures()
        + ", device " + device + ", native sampling " + FusedSampling.load().isPresent());
    run(out, device, steps);
    return 0;
  }

  static void run(PrintStream out, Device device, int steps) {
    SamplingParams d = SamplingParams.defaults();
    Map<String, SamplingParams> settings = new LinkedHashMap<>();
    settings.put("greedy", SamplingParams.greedy());
    settings.put("temperature 0.8", d.withTemperature(0.8));
    settings.put("top-k 50, t 0.8", d.withTopK(50).withTemperature(0.8));
    settings.put("top-p 0.95", d.withTopP(0.95));
    settings.put("min-p 0.05", d.withMinP(0.05));
    settings.put("top-p 0.9, rep 1.1", d.withTopP(0.9).withRepetitionPenalty(1.1));
    out.println("| setting | batch | host ms | composed ms | native ms | composed ≠ host | native ≠ host |");
    out.println("| --- | --- | --- | --- | --- | --- | --- |");
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      m.getEngine().setRandomSeed(7);
      for (int batch : new int[] {1, 8, 32}) {
        List<NDArray> logits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          logits.add(m.randomNormal(0, 3, new Shape(batch, 1, VOCAB), DataType.FLOAT32, device));
        }
        for (Map.Entry<String, SamplingParams> e : settings.entrySet()) {
          SamplingParams p = e.getValue();
          Cell host = time(new HostTokenSelector(p, VOCAB), logits, batch, steps, null);
          Cell composed = time(new DeviceTokenSelector(p, DeviceSampling.composed()), logits, batch, steps, host);
          Cell fused = FusedSampling.load()
              .map(f -> time(new DeviceTokenSelector(p, f), logits, batch, steps, host)).orElse(null);
          out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %s | %d of %d | %s |%n", e.getKey(), batch, host.ms,
              composed.ms, fused == null ? "-" : String.format(Locale.ROOT, "%.3f", fused.ms), composed.differ,
              host.tokens.size(), fused == null ? "-" : fused.differ + " of " + host.tokens.size());
        }
        logits.forEach(NDArray::close);
      }
    }
  }

  /** Milliseconds per step, the tokens drawn after warm-up, and how many differ from {@code reference}'s. */
  private record Cell(double ms, List<Integer> tokens, int differ) {}

  private static Cell time(TokenSelector selector, List<NDArray> logits, int batch, int steps, Cell reference) {
    SamplingState[] states = new SamplingState[batch];
    int[] rows = new int[batch];
    for (int i = 0; i < batch; i++) {
      states[i] = SamplingState.forSample(11, i, 0, new int[] {1, 2, 3});
      rows[i] = i;
    }
    List<Integer> tokens = new ArrayList<>();
    long start = 0;
    for (int step = 0; step < WARMUP + steps; step++) {
      if (step == WARMUP) {
        start = System.nanoTime();
      }
      TokenSampler.Draw[] draws = selector.select(logits.get(step % logits.size()), rows, states);
      if (step >= WARMUP) {
        for (TokenSampler.Draw draw : draws) {
          tokens.add(draw.token());
        }
      }
    }
    double ms = (System.nanoTime() - start) / 1e6 / steps;
    int differ = 0;
    if (reference != null) {
      for (int i = 0; i < tokens.size(); i++) {
        differ += tokens.get(i).equals(reference.tokens.get(i)) ? 0 : 1;
      }
    }
    return new Cell(ms, tokens, differ);
  }
}
