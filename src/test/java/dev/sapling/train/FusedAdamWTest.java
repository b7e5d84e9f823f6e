package dev.sapling.train;

import static dev.sapling.train.AdamWTest.CONFIG;
import static dev.sapling.train.AdamWTest.SHAPES;
import static dev.sapling.train.AdamWTest.STEPS;
import static dev.sapling.train.AdamWTest.arrays;
import static dev.sapling.train.AdamWTest.randomArrays;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Runs where the engine is on the bridge (a GPU pod, or scripts/cpu-bridge.sh locally); skipped on DJL's JNI. */
class FusedAdamWTest {
  @Test
  void fusedUpdateIsAvailableExactlyWhenTheSaplingBridgeIsLoaded() {
    Optional<AdamWUpdate> fused = FusedAdamW.load();
    assertEquals(JniUtils.getFeatures().contains("SAPLING_BRIDGE"), fused.isPresent(),
        "features " + JniUtils.getFeatures());
    fused.ifPresent(f -> assertTrue(f.name().startsWith("fused (at::_f"), f.name()));
    assertEquals(fused.isPresent(), AdamWUpdate.best() instanceof FusedAdamW);
  }

  @Test
  void fusedMatchesComposedOnFloat32Parameters() {
    compare(DataType.FLOAT32, CONFIG, 1.0);
  }

  @Test
  void fusedMatchesComposedWithAmsgradAndNoWeightDecay() {
    compare(DataType.FLOAT32, CONFIG.withAmsgrad(true).withWeightDecay(0), 0.5);
  }

  /** BFLOAT16 arrays abort DJL's own JNI on the CPU; the bridge maps them to at::kBFloat16. */
  @Test
  void fusedMatchesComposedOnBfloat16Parameters() {
    compare(DataType.BFLOAT16, CONFIG, 1.0);
  }

  @Test
  void fusedRefusesListsThatDoNotLineUp() {
    AdamWUpdate fused = loadOrSkip();
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray p = m.zeros(new Shape(2, 3));
      NDArray state = m.zeros(new Shape(2, 3));
      AdamWState ok = new AdamWState(List.of(state), List.of(state.duplicate()), List.of());
      EngineException count = assertThrows(EngineException.class,
          () -> fused.apply(List.of(p), List.of(), ok, CONFIG, 1));
      assertTrue(count.getMessage().contains("AdamW: 1 parameters but 0 gradients"), count.getMessage());
      EngineException shape = assertThrows(EngineException.class,
          () -> fused.apply(List.of(p), List.of(m.ones(new Shape(3, 2))), ok, CONFIG, 1));
      assertTrue(shape.getMessage().contains("AdamW gradient 0 has shape (3, 2) on cpu but parameter 0 has shape "
          + "(2, 3) on cpu"), shape.getMessage());
      AdamWState halfPrecision = new AdamWState(List.of(m.zeros(new Shape(2, 3), DataType.FLOAT64)),
          List.of(state.duplicate()), List.of());
      EngineException dtype = assertThrows(EngineException.class,
          () -> fused.apply(List.of(p), List.of(m.ones(new Shape(2, 3))), halfPrecision, CONFIG, 1));
      assertTrue(dtype.getMessage().contains("AdamW exp_avg 0 must be a contiguous float32 tensor"),
          dtype.getMessage());
      assertEquals(0f, p.abs().sum().getFloat(), "a refused step leaves the parameters alone");
    }
  }

  /**
   * The same parameters and gradients through the fused and the composed update for several steps (with a decaying
   * learning rate), then parameters and state compared: float32 state within 1e-6; parameters within 1e-6 in
   * float32, and in bfloat16 equal or one bfloat16 step apart (the float32 results may round to neighbours).
   */
  private static void compare(DataType dtype, AdamWConfig config, double gradientDecay) {
    AdamWUpdate fused = loadOrSkip();
    Random random = new Random(5);
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      float[][] initial = randomArrays(random, 1f);
      List<NDArray> fusedParams = typed(arrays(m, initial), dtype);
      List<NDArray> composedParams = typed(arrays(m, initial), dtype);
      try (AdamW a = new AdamW(fusedParams, config, fused);
          AdamW b = new AdamW(composedParams, config, AdamWUpdate.composed())) {
        for (int s = 1; s <= STEPS; s++) {
          List<NDArray> grads = typed(arrays(m, randomArrays(random, (float) Math.pow(gradientDecay, s))), dtype);
          double lr = config.lr() * (STEPS - s + 1) / STEPS;
          a.step(grads, lr);
          b.step(grads, lr);
        }
        int unequal = 0;
        for (int i = 0; i < SHAPES.length; i++) {
          assertEquals(dtype, fusedParams.get(i).getDataType(), "parameter " + i + " keeps its dtype");
          assertEquals(DataType.FLOAT32, a.state().expAvgs().get(i).getDataType());
          assertClose(b.state().expAvgs().get(i), a.state().expAvgs().get(i), 1e-6, 0, "exp_avg " + i);
          assertClose(b.state().expAvgSqs().get(i), a.state().expAvgSqs().get(i), 1e-6, 0, "exp_avg_sq " + i);
          if (config.amsgrad()) {
            assertClose(b.state().maxExpAvgSqs().get(i), a.state().maxExpAvgSqs().get(i), 1e-6, 0,
                "max_exp_avg_sq " + i);
          }
          double relative = dtype == DataType.BFLOAT16 ? 1.0 / 128 : 0; // one bfloat16 step
          unequal += assertClose(composedParams.get(i), fusedParams.get(i), 1e-6, relative, "parameter " + i);
        }
        if (dtype == DataType.BFLOAT16) {
          assertTrue(unequal <= 2, unequal + " bfloat16 parameters differ by one step; expected at most 2 of 29");
        }
        // the parameters moved by far more than the tolerances: 6 steps of about lr each
        NDArray start = typed(arrays(m, initial), dtype).get(0).toType(DataType.FLOAT32, false);
        double moved = composedParams.get(0).toType(DataType.FLOAT32, false).sub(start).abs().mean().getFloat();
        assertTrue(moved > 0.01, "parameter 0 moved by " + moved + " on average");
      }
    }
  }

  private static AdamWUpdate loadOrSkip() {
    Optional<AdamWUpdate> fused = FusedAdamW.load();
    assumeTrue(fused.isPresent(), "the Sapling bridge is not loaded");
    return fused.get();
  }

  private static List<NDArray> typed(List<NDArray> arrays, DataType dtype) {
    List<NDArray> out = new ArrayList<>();
    for (NDArray a : arrays) {
      out.add(a.toType(dtype, false));
    }
    return out;
  }

  /** Asserts |e - a| <= absolute + relative * |e| element-wise; returns how many elements are not exactly equal. */
  private static int assertClose(NDArray expected, NDArray actual, double absolute, double relative, String what) {
    float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
    float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
    assertEquals(e.length, a.length, what + " size");
    int unequal = 0;
    for (int i = 0; i < e.length; i++) {
      double diff = Math.abs(e[i] - a[i]);
      assertTrue(diff <= absolute + relative * Math.abs(e[i]), what + "[" + i + "]: " + e[i] + " vs " + a[i]);
      unequal += e[i] == a[i] ? 0 : 1;
    }
    return unequal;
  }
}
