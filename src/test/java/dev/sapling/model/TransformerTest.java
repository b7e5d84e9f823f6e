package dev.sapling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TransformerTest {
  static ModelConfig config(Architecture arch, boolean tied, boolean bias, boolean qkNorm, RopeScaling scaling,
      int window) {
    return TestModels.TINY.toBuilder().architecture(arch).tieWordEmbeddings(tied).attentionBias(bias).qkNorm(qkNorm)
        .ropeScaling(scaling).slidingWindow(window).build();
  }

  static final int[] TOKENS = {1, 17, 5, 60, 33, 2, 9, 41, 12, 7, 0, 58};

  private static void assertMatchesReference(ModelConfig c) {
    MapWeightSource src = MapWeightSource.random(c, 42);
    double[][] expected = new ReferenceForward(c, src).logits(TOKENS);
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      Weights w = new WeightsBuilder(c, src, m, DataType.FLOAT32).build();
      Transformer t = new Transformer(c, w);
      // prefill half, then decode the rest one token at a time through the cache
      try (KvCache cache = KvCache.allocate(c, m, DataType.FLOAT32, 32, new int[] {0})) {
        int split = 5;
        int[] first = java.util.Arrays.copyOf(TOKENS, split);
        float[] all = t.forward(m.create(first, new Shape(1, split)), cache, false).toFloatArray();
        double maxDiff = 0;
        for (int pos = 0; pos < split; pos++) {
          for (int v = 0; v < c.vocabSize(); v++) {
            maxDiff = Math.max(maxDiff, Math.abs(all[pos * c.vocabSize() + v] - expected[pos][v]));
          }
        }
        for (int pos = split; pos < TOKENS.length; pos++) {
          float[] step = t.forward(m.create(new int[] {TOKENS[pos]}, new Shape(1, 1)), cache, true).toFloatArray();
          for (int v = 0; v < c.vocabSize(); v++) {
            maxDiff = Math.max(maxDiff, Math.abs(step[v] - expected[pos][v]));
          }
        }
        assertTrue(maxDiff < 1e-4, c.architecture() + " max abs diff " + maxDiff);
      }
    }
  }

  @Test
  void forwardIsLogitsOfHiddenAndTheHeadCanRunOverAnyPositionSlice() {
    ModelConfig c = config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0);
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      Transformer t = new Transformer(c, new WeightsBuilder(c, MapWeightSource.random(c, 3), m, DataType.FLOAT32)
          .build());
      int n = TOKENS.length;
      try (KvCache a = KvCache.allocate(c, m, DataType.FLOAT32, n, new int[] {0});
          KvCache b = KvCache.allocate(c, m, DataType.FLOAT32, n, new int[] {0});
          NDManager step = m.newSubManager()) {
        float[] full = t.forward(step.create(TOKENS, new Shape(1, n)), a, false).toFloatArray();
        NDArray hidden = t.hidden(step.create(TOKENS, new Shape(1, n)), b);
        assertEquals(new Shape(1, n, c.hiddenSize()), hidden.getShape());
        assertEquals(DataType.FLOAT32, hidden.getDataType());
        assertEquals(n, b.length());
        float[] split = new float[full.length];
        for (int s = 0; s < n; s += 5) { // the head over positions [s, s + 5), as the scorer runs it
          int e = Math.min(n, s + 5);
          float[] part = t.logits(hidden.get(new ai.djl.ndarray.index.NDIndex(":, {}:{}, :", s, e))).toFloatArray();
          System.arraycopy(part, 0, split, s * c.vocabSize(), part.length);
        }
        for (int i = 0; i < full.length; i++) {
          assertEquals(full[i], split[i], 1e-6, "logit " + i);
        }
      }
    }
  }

  @Test
  void llamaWithGqaMatchesFloat64Reference() {
    assertMatchesReference(config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0));
  }

  @Test
  void llama3RopeScalingMatchesReference() {
    assertMatchesReference(config(Architecture.LLAMA, false, false, false, RopeScaling.llama3(8, 1, 4, 16), 0));
  }

  @Test
  void qwen2BiasAndTiedEmbeddingsMatchReference() {
    assertMatchesReference(config(Architecture.QWEN2, true, true, false, RopeScaling.linear(2.0), 0));
  }

  @Test
  void qwen3QkNormMatchesReference() {
    assertMatchesReference(config(Architecture.QWEN3, false, false, true, RopeScaling.none(), 0));
  }

  @Test
  void mistralSlidingWindowMatchesReference() {
    assertMatchesReference(config(Architecture.MISTRAL, false, false, false, RopeScaling.none(), 4));
  }

  @Test
  void leftPaddingInABatchDoesNotChangeLogits() {
    ModelConfig c = config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0);
    MapWeightSource src = MapWeightSource.random(c, 7);
    int[][] prompts = {{1, 5, 9, 13, 17, 21, 25}, {1, 4}, {1, 30, 31, 32, 33}, {1}, {1, 8, 8, 8, 8, 8, 8},
        {1, 2, 3}, {1, 60, 59}, {1, 44, 43, 42, 41, 40}};
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      Transformer t = new Transformer(c, new WeightsBuilder(c, src, m, DataType.FLOAT32).build());
      int maxLen = 7;
      int[] flat = new int[prompts.length * maxLen];
      int[] pad = new int[prompts.length];
      for (int b = 0; b < prompts.length; b++) {
        pad[b] = maxLen - prompts[b].length;
        System.arraycopy(prompts[b], 0, flat, b * maxLen + pad[b], prompts[b].length);
      }
      float[] batched;
      float[] batchedNext;
      try (KvCache cache = KvCache.allocate(c, m, DataType.FLOAT32, 16, pad)) {
        batched = t.forward(m.create(flat, new Shape(prompts.length, maxLen)), cache, true).toFloatArray();
        int[] next = new int[prompts.length];
        java.util.Arrays.fill(next, 11);
        batchedNext = t.forward(m.create(next, new Shape(prompts.length, 1)), cache, true).toFloatArray();
      }
      double maxDiff = 0;
      for (int b = 0; b < prompts.length; b++) {
        try (KvCache single = KvCache.allocate(c, m, DataType.FLOAT32, 16, new int[] {0})) {
          float[] one = t.forward(m.create(prompts[b], new Shape(1, prompts[b].length)), single, true)
              .toFloatArray();
          float[] oneNext = t.forward(m.create(new int[] {11}, new Shape(1, 1)), single, true).toFloatArray();
          for (int v = 0; v < c.vocabSize(); v++) {
            maxDiff = Math.max(maxDiff, Math.abs(one[v] - batched[b * c.vocabSize() + v]));
            maxDiff = Math.max(maxDiff, Math.abs(oneNext[v] - batchedNext[b * c.vocabSize() + v]));
          }
        }
      }
      assertTrue(maxDiff < 1e-5, "batch-of-1 vs batch-of-8 max abs diff " + maxDiff);
    }
  }

  @Test
  void cacheSelectCopiesRowsForSamples() {
    ModelConfig c = config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0);
    MapWeightSource src = MapWeightSource.random(c, 3);
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      Transformer t = new Transformer(c, new WeightsBuilder(c, src, m, DataType.FLOAT32).build());
      try (KvCache cache = KvCache.allocate(c, m, DataType.FLOAT32, 16, new int[] {1, 0})) {
        t.forward(m.create(new int[] {0, 1, 5, 1, 6, 7}, new Shape(2, 3)), cache, true);
        try (KvCache three = cache.select(new int[] {1, 1, 0})) {
          assertEquals(3, three.batchSize());
          float[] next = t.forward(m.create(new int[] {9, 9, 9}, new Shape(3, 1)), three, true).toFloatArray();
          for (int v = 0; v < c.vocabSize(); v++) {
            assertEquals(next[v], next[c.vocabSize() + v], 0f);
          }
          NDArray rowsDiffer = m.create(next).reshape(3, c.vocabSize());
          assertTrue(rowsDiffer.get(0).sub(rowsDiffer.get(2)).abs().max().getFloat() > 1e-3);
        }
      }
    }
  }
}
