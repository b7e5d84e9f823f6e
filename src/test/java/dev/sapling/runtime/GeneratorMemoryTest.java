package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sapling.check.ResidentMemory;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.TestModels;
import dev.sapling.model.Transformer;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.testing.TinyModel;
import dev.sapling.testing.TinyModelExtension;
import dev.sapling.testing.TinyTokenizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Memory stays flat over 5,000 completions. After a warm-up of 1,000: the native arrays the model's manager owns
 * return to exactly the warm-up count; resident memory outside the Java heap never grows more than
 * {@link #RSS_BOUND_MB} MiB (measured: +13 MiB); the heap retained after GC grows no more than
 * {@link #HEAP_BOUND_MB} MiB (measured: +0.4 MiB). A leak of one array per decode step would show as over 1,000
 * arrays here.
 */
@ExtendWith(TinyModelExtension.class)
class GeneratorMemoryTest {
  static final int COMPLETIONS = 5_000;
  static final long RSS_BOUND_MB = 32;
  static final long HEAP_BOUND_MB = 16;

  static long heapAfterGcBytes() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  static List<int[]> prompts(int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] p = new int[1 + r.nextInt(1, 12)];
      p[0] = TinyTokenizer.BOS;
      for (int j = 1; j < p.length; j++) {
        p[j] = r.nextInt(3, 64);
      }
      out.add(p);
    }
    return out;
  }

  @Test
  void fiveThousandCompletionsKeepNativeAndHeapMemoryFlat(
      @TinyModel(seed = 5, eos = {TinyTokenizer.EOS, 30}) Transformer model, TinyTokenizer tokenizer) {
    NDManager manager = model.weights().embedding().getManager();
    Generator g = Generator.of(model, tokenizer);
    // rows finish by EOS, by stop and by length, so rows leave batches at every step
    SamplingParams params = SamplingParams.defaults().withTemperature(1.0).withN(2).withMaxNewTokens(8)
        .withStop(List.of("a", "\n")).withSeed(1);
    g.generateIds(prompts(500, 1), params, ProgressListener.NONE, completion -> {});
    int arraysBefore = manager.getManagedArrays().size();
    long heapBefore = heapAfterGcBytes();
    long rssBefore = ResidentMemory.nonHeapKb();
    long[] rssMax = {rssBefore};
    Map<FinishReason, Integer> reasons = new EnumMap<>(FinishReason.class);
    int[] count = {0};
    g.generateIds(prompts(COMPLETIONS / 2, 2), params,
        p -> rssMax[0] = Math.max(rssMax[0], ResidentMemory.nonHeapKb()),
        completion -> {
          count[0]++;
          reasons.merge(completion.finishReason(), 1, Integer::sum);
        });
    int arraysAfter = manager.getManagedArrays().size();
    long heapAfter = heapAfterGcBytes();
    long rssGrowthMb = (rssMax[0] - rssBefore) / 1024;
    long heapGrowthMb = (heapAfter - heapBefore) >> 20;
    System.err.printf("memory over %d completions %s: arrays %d -> %d, non-heap RSS %d MiB -> max %d MiB (+%d), "
            + "heap after GC %d KiB -> %d KiB%n", count[0], reasons, arraysBefore, arraysAfter, rssBefore / 1024,
        rssMax[0] / 1024, rssGrowthMb, heapBefore >> 10, heapAfter >> 10);
    assertEquals(COMPLETIONS, count[0]);
    assertEquals(3, reasons.size(), "every finish reason should occur: " + reasons);
    assertEquals(arraysBefore, arraysAfter, "native arrays owned by the model's manager");
    assertTrue(rssGrowthMb <= RSS_BOUND_MB, "resident memory outside the heap grew " + rssGrowthMb + " MiB");
    assertTrue(heapGrowthMb <= HEAP_BOUND_MB, "heap after GC grew " + heapGrowthMb + " MiB");
  }
}
