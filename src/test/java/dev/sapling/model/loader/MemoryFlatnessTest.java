package dev.sapling.model.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sapling.check.ResidentMemory;
import dev.sapling.model.KvCache;
import org.junit.jupiter.api.Test;

/**
 * Thousands of decode steps must not grow native or heap memory: every step's temporaries are scoped. The bound is
 * 48 MiB of growth in resident memory outside the Java heap ({@link ResidentMemory#nonHeapKb}; VmRSS also counts heap
 * pages touched for the first time, tens of MiB over this test without any leak) between step 500 and step 4,000
 * (a leak of one logits row per step would already exceed it: 3,500 x 512 floats x several temporaries), and no
 * NDArray left attached to the long-lived manager.
 */
class MemoryFlatnessTest {
  @Test
  void fourThousandDecodeStepsKeepMemoryFlat() throws Exception {
    try (LoadedModel model = new CleanModelLoader().load(StoriesOracleTest.MODEL);
        NDManager session = model.manager().newSubManager()) {
      int steps = 4000;
      int perSequence = 200;
      long baseline = 0;
      int token = 1;
      KvCache cache = null;
      for (int step = 0; step < steps; step++) {
        if (step % perSequence == 0) {
          if (cache != null) {
            cache.close();
          }
          cache = KvCache.allocate(model.config(), session, model.transformer().computeType(), perSequence,
              new int[] {0});
          token = 1;
        }
        try (NDManager scope = session.newSubManager()) {
          token = (int) model.transformer().forward(scope.create(new int[] {token}, new Shape(1, 1)), cache, true)
              .argMax(-1).toLongArray()[0];
        }
        if (step == 500) {
          System.gc();
          baseline = ResidentMemory.nonHeapKb();
        }
      }
      cache.close();
      System.gc();
      long growthKb = ResidentMemory.nonHeapKb() - baseline;
      assertTrue(growthKb < 48 * 1024,
          "resident memory outside the heap grew by " + growthKb + " KiB over 3,500 steps");
      assertEquals(0, session.getManagedArrays().size(), "arrays left attached to the session manager");
    }
  }
}
