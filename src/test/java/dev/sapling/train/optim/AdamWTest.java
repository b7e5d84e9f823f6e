package dev.sapling.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.sapling.runtime.device.BridgeRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {
  static final Shape[] SHAPES = {new Shape(3, 4), new Shape(5), new Shape(2, 1, 3)};
  static final AdamWConfig CONFIG = new AdamWConfig(1e-2, 0.9, 0.99, 1e-8, 0.1, false);
  static final int STEPS = 6;

  @Test
  void composedUpdateMatchesScalarAdamWOverSeveralSteps() {
    checkAgainstReference(CONFIG, 1.0);
  }

  @Test
  void composedAmsgradMatchesScalarAdamWWhenGradientsShrink() {
    AdamWConfig amsgrad = CONFIG.withAmsgrad(true);
    // shrinking gradients make the running maximum of exp_avg_sq differ from exp_avg_sq
    double[] plain = checkAgainstReference(CONFIG, 0.5);
    double[] withMax = checkAgainstReference(amsgrad, 0.5);
    assertNotEquals(plain[0], withMax[0], "amsgrad must change the result, or this test proves nothing");
  }

  @Test
  void stepReadsGradientsFromAutograd() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      float[] w0 = {0.5f, -1f, 2f};
      float[] x = {0.3f, -0.7f, 1.1f};
      NDArray w = m.create(w0);
      w.setRequiresGradient(true);
      try (AdamW optimizer = new AdamW(List.of(w), CONFIG, AdamWUpdate.composed())) {
        AdamWReference reference = new AdamWReference(new float[][] {w0}, CONFIG);
        for (int s = 0; s < 3; s++) {
          try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            gc.backward(w.mul(m.create(x)).sum()); // d/dw sum(w * x) = x
          }
          optimizer.step();
          optimizer.zeroGradients();
          reference.step(new float[][] {x}, CONFIG.lr());
        }
        assertClose(reference.params[0], w.toFloatArray(), 1e-6, "parameter");
        assertEquals(3, optimizer.steps());
        assertEquals(0f, w.getGradient().abs().sum().getFloat(), "zeroGradients() cleared the gradient");
      }
    }
  }

  @Test
  void refusesInvalidHyperParameters() {
    AdamWConfig d = AdamWConfig.defaults();
    assertMessage(() -> d.withLr(-1e-3), "AdamWConfig.lr is -0.001; expected a finite number >= 0");
    assertMessage(() -> d.withLr(Double.NaN), "AdamWConfig.lr is NaN");
    assertMessage(() -> d.withBetas(1.0, 0.999), "AdamWConfig.beta1 is 1.0; expected a value in [0, 1)");
    assertMessage(() -> d.withBetas(0.9, -0.1), "AdamWConfig.beta2 is -0.1; expected a value in [0, 1)");
    assertMessage(() -> d.withEps(-1), "AdamWConfig.eps is -1.0");
    assertMessage(() -> d.withWeightDecay(Double.POSITIVE_INFINITY), "AdamWConfig.weightDecay is Infinity");
  }

  @Test
  void refusesGradientsThatDoNotLineUpWithTheParameters() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray a = m.zeros(new Shape(2, 3));
      NDArray b = m.zeros(new Shape(4));
      try (AdamW optimizer = new AdamW(List.of(a, b), CONFIG, AdamWUpdate.composed())) {
        assertMessage(() -> optimizer.step(List.of(m.ones(new Shape(2, 3)))),
            "AdamW.step: 1 gradients for 2 parameters");
        assertMessage(() -> optimizer.step(List.of(m.ones(new Shape(3, 2)), m.ones(new Shape(4)))),
            "AdamW.step: gradient 0 (shape (3, 2), float32, cpu()) does not match parameter 0 "
                + "(shape (2, 3), float32, cpu())");
        assertMessage(() -> optimizer.step(List.of(m.ones(new Shape(2, 3)), m.ones(new Shape(4))), -1),
            "AdamW.step: learning rate is -1.0; expected a finite number >= 0");
        assertMessage(optimizer::step, "AdamW.step(): parameter 0 (shape (2, 3), float32, cpu()) has no gradient");
        assertEquals(0, optimizer.steps(), "a refused step is not counted");
        assertEquals(0f, a.sum().getFloat(), "a refused step leaves the parameters alone");
      }
    }
  }

  @Test
  void refusesParameterListsItCannotTrain() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray a = m.zeros(new Shape(2));
      assertMessage(() -> new AdamW(List.of(), CONFIG, AdamWUpdate.composed()), "AdamW needs at least one parameter");
      assertMessage(() -> new AdamW(List.of(a, a), CONFIG, AdamWUpdate.composed()),
          "AdamW: parameter 1 (shape (2), float32, cpu()) appears twice");
      assertMessage(() -> new AdamW(List.of(m.zeros(new Shape(2), DataType.INT32)), CONFIG, AdamWUpdate.composed()),
          "AdamW: parameter 0 has dtype int32; only floating-point parameters");
    }
  }

  /** BFLOAT16 arrays abort DJL's own JNI on the CPU, so this runs only where the Sapling bridge is loaded. */
  @Test
  void stateIsFloat32AndParametersKeepTheirDtype() {
    BridgeRequirement.assumeBridge();
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray p = m.create(new float[] {1f, -2f, 3f}).toType(DataType.BFLOAT16, false);
      try (AdamW optimizer = new AdamW(List.of(p), CONFIG, AdamWUpdate.composed())) {
        optimizer.step(List.of(m.create(new float[] {1f, 1f, -1f}).toType(DataType.BFLOAT16, false)));
        assertEquals(DataType.BFLOAT16, p.getDataType());
        assertEquals(DataType.FLOAT32, optimizer.state().expAvgs().get(0).getDataType());
        assertEquals(DataType.FLOAT32, optimizer.state().expAvgSqs().get(0).getDataType());
        // first step: m / sqrt(v) after bias correction is sign(g), so p = p (1 - lr wd) - lr sign(g), in bf16
        float[] after = p.toType(DataType.FLOAT32, false).toFloatArray();
        assertEquals(0.989f, after[0], 4e-3f);
        assertEquals(-2.008f, after[1], 8e-3f);
        assertEquals(3.007f, after[2], 8e-3f);
      }
    }
  }

  /** Runs the composed update and the scalar reference side by side; returns the final first parameter. */
  private static double[] checkAgainstReference(AdamWConfig config, double gradientDecay) {
    Random random = new Random(11);
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      float[][] initial = randomArrays(random, 1f);
      List<NDArray> params = new ArrayList<>();
      for (int i = 0; i < SHAPES.length; i++) {
        params.add(m.create(initial[i], SHAPES[i]));
      }
      AdamWReference reference = new AdamWReference(initial, config);
      try (AdamW optimizer = new AdamW(params, config, AdamWUpdate.composed())) {
        for (int s = 1; s <= STEPS; s++) {
          float[][] g = randomArrays(random, (float) Math.pow(gradientDecay, s));
          double lr = s <= 3 ? config.lr() : config.lr() * (STEPS - s + 1) / STEPS; // a decaying schedule
          optimizer.step(arrays(m, g), lr);
          reference.step(g, lr);
          assertEquals(s, optimizer.steps());
        }
        for (int i = 0; i < SHAPES.length; i++) {
          assertClose(reference.params[i], params.get(i).toFloatArray(), 1e-6, "parameter " + i);
          assertClose(reference.expAvgs[i], optimizer.state().expAvgs().get(i).toFloatArray(), 1e-6, "exp_avg " + i);
          assertClose(reference.expAvgSqs[i], optimizer.state().expAvgSqs().get(i).toFloatArray(), 1e-6,
              "exp_avg_sq " + i);
        }
        // the parameters moved by far more than the tolerance
        assertTrue(Math.abs(reference.params[0][0] - initial[0][0]) > 1e-3);
        return reference.params[0];
      }
    }
  }

  static float[][] randomArrays(Random random, float scale) {
    float[][] out = new float[SHAPES.length][];
    for (int i = 0; i < SHAPES.length; i++) {
      out[i] = new float[(int) SHAPES[i].size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (random.nextFloat() * 2 - 1) * scale;
      }
    }
    return out;
  }

  static List<NDArray> arrays(NDManager m, float[][] values) {
    List<NDArray> out = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      out.add(m.create(values[i], SHAPES[i]));
    }
    return out;
  }

  static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + " size");
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(max <= tolerance, what + ": max abs diff " + max + " > " + tolerance);
  }

  private static void assertMessage(Runnable r, String expectedStart) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().startsWith(expectedStart), "message: " + e.getMessage());
  }
}
