package dev.sapling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.runtime.device.BridgeRequirement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FusedOpsTest {
  @Test
  void fusedKernelsAreAvailableExactlyWhenTheSaplingBridgeIsLoaded() {
    Optional<TensorOps> fused = FusedOps.load();
    assertEquals(JniUtils.getFeatures().contains("SAPLING_BRIDGE"), fused.isPresent(),
        "features " + JniUtils.getFeatures());
  }

  /**
   * Runs where the engine is on the bridge (a GPU pod, or PYTORCH_LIBRARY_PATH set locally, as CI does); skipped on
   * DJL's JNI unless SAPLING_REQUIRE_BRIDGE is set ({@link BridgeRequirement}).
   */
  @Test
  void fusedKernelsMatchComposedOpsOnTheCpu() {
    TensorOps f = BridgeRequirement.fusedKernels();
    TensorOps c = TensorOps.composed();
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      m.getEngine().setRandomSeed(3);
      NDArray x = m.randomUniform(-2, 2, new Shape(2, 3, 8, 16));
      NDArray w = m.randomUniform(0.5f, 1.5f, new Shape(16));
      assertClose(c.rmsNorm(x, w, 1e-5, DataType.FLOAT32), f.rmsNorm(x, w, 1e-5, DataType.FLOAT32), "rmsNorm");

      NDArray cos = m.randomUniform(-1, 1, new Shape(2, 3, 1, 16));
      NDArray sin = m.randomUniform(-1, 1, new Shape(2, 3, 1, 16));
      assertClose(c.rope(x, cos, sin), f.rope(x, cos, sin), "rope");

      NDArray residual = m.randomUniform(-2, 2, new Shape(2, 3, 24));
      NDArray rows = m.randomUniform(-2, 2, new Shape(2, 3, 16));
      NDArray projection = m.randomUniform(-1, 1, new Shape(16, 24));
      assertClose(c.addProduct(residual, rows, projection), f.addProduct(residual, rows, projection), "addProduct");

      NDArray logits = m.randomUniform(-8, 8, new Shape(6, 50));
      NDArray targets = m.create(new long[] {0, 49, 7, 7, 23, 1});
      assertClose(c.logSoftmaxGather(logits, targets), f.logSoftmaxGather(logits, targets), "logSoftmaxGather");

      NDArray gateUp = m.randomUniform(-1, 1, new Shape(16, 20));
      NDArray downProjection = m.randomUniform(-1, 1, new Shape(10, 24));
      assertClose(c.swiGluMlp(residual, rows, gateUp, downProjection),
          f.swiGluMlp(residual, rows, gateUp, downProjection), "swiGluMlp");

      // 8 query heads over 2 key/value heads, 3 new positions over 5 keys, causal mask with padding in row 1
      NDArray keys = m.randomUniform(-1, 1, new Shape(2, 2, 5, 16));
      NDArray values = m.randomUniform(-1, 1, new Shape(2, 2, 5, 16));
      float[] mask = new float[2 * 3 * 5];
      for (int b = 0; b < 2; b++) {
        for (int t = 0; t < 3; t++) {
          for (int s = 0; s < 5; s++) {
            boolean visible = s <= 2 + t && !(b == 1 && s == 0);
            mask[(b * 3 + t) * 5 + s] = visible ? 0f : -1e9f;
          }
        }
      }
      NDArray additive = m.create(mask, new Shape(2, 1, 1, 3, 5));
      assertClose(c.attention(x, keys, values, c.attentionMask(additive, 4, DataType.FLOAT32), DataType.FLOAT32),
          f.attention(x, keys, values, f.attentionMask(additive, 4, DataType.FLOAT32), DataType.FLOAT32),
          "attention");
    }
  }

  /**
   * The steps a decode kernel may take over (norm + product, norm + MLP, norm + logits, rope + cache write) give what
   * the composed ops give; weights laid out as the loader lays them ({@code [out, in]} storage, transposed views).
   */
  @Test
  void decodeStepsMatchComposedOpsOnTheCpu() {
    TensorOps f = BridgeRequirement.fusedKernels();
    TensorOps c = TensorOps.composed();
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      m.getEngine().setRandomSeed(5);
      for (int rows : new int[] {1, 3}) {
        NDArray x = m.randomUniform(-2, 2, new Shape(rows, 1, 16));
        NDArray norm = m.randomUniform(0.5f, 1.5f, new Shape(16));
        NDArray qkv = m.randomUniform(-1, 1, new Shape(24 + 2 * 8 + 2 * 8, 16)).transpose(); // [16, 56] view
        NDArray bias = m.randomUniform(-1, 1, new Shape(56));
        assertClose(c.normProduct(x, norm, 1e-5, qkv, null, DataType.FLOAT32),
            f.normProduct(x, norm, 1e-5, qkv, null, DataType.FLOAT32), "normProduct");
        assertClose(c.normProduct(x, norm, 1e-5, qkv, bias, DataType.FLOAT32),
            f.normProduct(x, norm, 1e-5, qkv, bias, DataType.FLOAT32), "normProduct with bias");
        NDArray gateUp = m.randomUniform(-1, 1, new Shape(40, 16)).transpose();
        NDArray down = m.randomUniform(-1, 1, new Shape(16, 20)).transpose();
        assertClose(c.normSwiGluMlp(x, norm, 1e-5, gateUp, down, DataType.FLOAT32),
            f.normSwiGluMlp(x, norm, 1e-5, gateUp, down, DataType.FLOAT32), "normSwiGluMlp");
        NDArray embedding = m.randomUniform(-1, 1, new Shape(50, 16));
        assertClose(c.normLogits(x, norm, 1e-5, embedding.transpose(), DataType.FLOAT32),
            f.normLogits(x, norm, 1e-5, embedding.transpose(), DataType.FLOAT32), "normLogits");

        // 3 query heads and 1 key/value head of 8 dims; the step writes slot 2 of a 4-slot cache
        NDArray projected = m.randomUniform(-1, 1, new Shape(rows, 1, (3 + 2) * 8));
        NDArray cos = m.randomUniform(-1, 1, new Shape(rows, 1, 1, 8));
        NDArray sin = m.randomUniform(-1, 1, new Shape(rows, 1, 1, 8));
        NDArray slot = m.create(new long[] {2});
        NDArray keysC = m.randomUniform(-1, 1, new Shape(rows, 1, 4, 8));
        NDArray valuesC = m.randomUniform(-1, 1, new Shape(rows, 1, 4, 8));
        NDArray keysF = keysC.duplicate();
        NDArray valuesF = valuesC.duplicate();
        assertClose(c.ropeStore(projected, 3, 1, cos, sin, keysC, valuesC, slot),
            f.ropeStore(projected, 3, 1, cos, sin, keysF, valuesF, slot), "ropeStore queries");
        assertClose(keysC, keysF, "ropeStore keys");
        assertClose(valuesC, valuesF, "ropeStore values");

        // attention of the step over the 4 slots: row r padded by r slots, slot 2 the last visible
        NDArray q = m.randomUniform(-1, 1, new Shape(rows, 1, 4, 8));
        float[] mask = new float[rows * 4];
        long[] pad = new long[rows];
        for (int r = 0; r < rows; r++) {
          pad[r] = r % 3;
          for (int j = 0; j < 4; j++) {
            mask[r * 4 + j] = j >= pad[r] && j <= 2 ? 0f : -1e9f;
          }
        }
        NDArray additive = m.create(mask, new Shape(rows, 1, 1, 1, 4));
        NDArray padding = m.create(pad, new Shape(rows, 1));
        assertClose(c.decodeAttention(q, keysC, valuesC, slot, padding, 0, c.attentionMask(additive, 4,
                DataType.FLOAT32), DataType.FLOAT32),
            f.decodeAttention(q, keysF, valuesF, slot, padding, 0, f.attentionMask(additive, 4, DataType.FLOAT32),
                DataType.FLOAT32), "decodeAttention");
      }
    }
  }

  /** The whole forward pass, prefill then decode steps (plain and static), on fused kernels equals composed ops. */
  @Test
  void aTransformerOnFusedKernelsDecodesLikeComposedOps() {
    TensorOps fused = BridgeRequirement.fusedKernels();
    for (boolean qkNorm : new boolean[] {false, true}) {
      ModelConfig c = TestModels.TINY.toBuilder().architecture(qkNorm ? Architecture.QWEN3 : Architecture.LLAMA)
          .qkNorm(qkNorm).build();
      try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
        Transformer composed = TestModels.randomTransformer(c, 5, m);
        Transformer onFused = new Transformer(c, composed.weights(), fused);
        for (int[] padding : new int[][] {{0, 2}, {0, 0}}) { // padded (masked), then plain causal
          int[] prompt = {1, 7, 9, 11, 13, 1, 1, 3, 5, 8};
          try (KvCache a = KvCache.allocate(c, m, DataType.FLOAT32, 12, padding);
              KvCache b = KvCache.allocate(c, m, DataType.FLOAT32, 12, padding);
              NDManager step = m.newSubManager()) {
            assertClose(composed.forward(step.create(prompt, new Shape(2, 5)), a, false),
                onFused.forward(step.create(prompt, new Shape(2, 5)), b, false), "prefill");
            try (StaticDecoder decoder = StaticDecoder.eager(onFused, b)) {
              for (int s = 0; s < 4; s++) {
                int[] next = {s + 20, s + 30};
                assertClose(composed.forward(step.create(next, new Shape(2, 1)), a, true), decoder.step(next),
                    "decode step " + s + (qkNorm ? " (q/k norm)" : ""));
              }
            }
          }
        }
      }
    }
  }

  private static void assertClose(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what + " shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double max = 0;
    for (int i = 0; i < e.length; i++) {
      max = Math.max(max, Math.abs(e[i] - a[i]));
    }
    assertTrue(max <= 1e-5, what + " max abs diff " + max);
  }
}
