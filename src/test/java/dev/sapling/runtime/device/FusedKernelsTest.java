package dev.sapling.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.model.Kernels;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FusedKernelsTest {
  @Test
  void fusedKernelsAreAvailableExactlyWhenTheSaplingBridgeIsLoaded() {
    Optional<Kernels> fused = FusedKernels.load();
    assertEquals(JniUtils.getFeatures().contains("SAPLING_BRIDGE"), fused.isPresent(),
        "features " + JniUtils.getFeatures());
  }

  /**
   * Runs where the engine is on the bridge (a GPU pod, or PYTORCH_LIBRARY_PATH set locally, as CI does); skipped on
   * DJL's JNI unless SAPLING_REQUIRE_BRIDGE is set ({@link BridgeRequirement}).
   */
  @Test
  void fusedKernelsMatchComposedOpsOnTheCpu() {
    Kernels f = BridgeRequirement.fusedKernels();
    Kernels c = Kernels.composed();
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      m.getEngine().setRandomSeed(3);
      NDArray x = m.randomUniform(-2, 2, new Shape(2, 3, 8, 16));
      NDArray w = m.randomUniform(0.5f, 1.5f, new Shape(16));
      assertClose(c.rmsNorm(x, w, 1e-5, DataType.FLOAT32), f.rmsNorm(x, w, 1e-5, DataType.FLOAT32), "rmsNorm");

      NDArray cos = m.randomUniform(-1, 1, new Shape(2, 3, 1, 8));
      NDArray sin = m.randomUniform(-1, 1, new Shape(2, 3, 1, 8));
      assertClose(c.rope(x, cos, sin), f.rope(x, cos, sin), "rope");

      NDArray up = m.randomUniform(-2, 2, new Shape(2, 3, 8, 16));
      assertClose(c.swiGlu(x, up), f.swiGlu(x, up), "swiGlu");

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
      assertClose(c.attention(x, keys, values, additive, DataType.FLOAT32),
          f.attention(x, keys, values, additive, DataType.FLOAT32), "attention");
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
