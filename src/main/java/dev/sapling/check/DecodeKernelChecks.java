package dev.sapling.check;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.model.TensorOps;
import dev.sapling.model.FusedOps;
import dev.sapling.runtime.sampling.RecordedPlainSampler;
import dev.sapling.runtime.sampling.SamplingParams;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Sapling's small-batch decode kernels (src/main/native/cuda) against the ATen ops they stand in for: each step
 * run twice through the same {@link FusedOps} native, kernels on and off ({@link FusedOps#useDecodeKernels}),
 * in BF16 at the Llama-3.2-1B shape for 1 to 5 rows (products run as kernels up to 2 rows, attention up to 4; beyond,
 * the ATen ops must run). Passes
 * when the two agree within BF16 rounding (relative L2 ≤ 1e-2, all finite) and the launch counter shows which path
 * ran.
 *
 * <pre>{@code
 * new DecodeKernelChecks(fusedKernels, Device.gpu(), new CheckLog(System.out)).runAll();
 * }</pre>
 */
final class DecodeKernelChecks {
  private static final DataType BF16 = DataType.BFLOAT16;
  private static final int HIDDEN = 2048;
  private static final int INTERMEDIATE = 8192;
  private static final int HEADS = 32;
  private static final int KV_HEADS = 8;
  private static final int HEAD_DIM = 64;
  private static final int VOCAB = 128256;
  private static final double LIMIT = 1e-2;

  private final TensorOps kernels;
  private final Device device;
  private final CheckLog log;

  DecodeKernelChecks(TensorOps kernels, Device device, CheckLog log) {
    this.kernels = kernels;
    this.device = device;
    this.log = log;
  }

  void runAll() {
    if (!FusedOps.decodeKernels()) {
      log.report(!device.isGpu(), "decode-kernels", "the bridge was built without Sapling's decode kernels"
          + (device.isGpu() ? " (no nvcc when it was built? see gpu-setup's log)" : " (a CPU build)"));
      return;
    }
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      m.getEngine().setRandomSeed(11);
      NDArray norm = random(m, new Shape(HIDDEN), 0.5).add(1.0);
      int qkvWidth = (HEADS + 2 * KV_HEADS) * HEAD_DIM;
      // [in, out] projections as the loader holds them: transposed views of [out, in] storage
      NDArray qkv = random(m, new Shape(qkvWidth, HIDDEN), 0.02).transpose();
      NDArray bias = random(m, new Shape(qkvWidth), 0.5);
      NDArray output = random(m, new Shape(HIDDEN, HEADS * HEAD_DIM), 0.02).transpose();
      NDArray gateUp = random(m, new Shape(2 * INTERMEDIATE, HIDDEN), 0.02).transpose();
      NDArray down = random(m, new Shape(HIDDEN, INTERMEDIATE), 0.02).transpose();
      NDArray lmHead = random(m, new Shape(VOCAB, HIDDEN), 0.02).transpose();
      for (int rows = 1; rows <= 5; rows++) {
        boolean productRows = rows <= 2; // the products run as kernels up to 2 rows, attention up to 4
        NDArray x = random(m, new Shape(rows, 1, HIDDEN), 2.0);
        NDArray attended = random(m, new Shape(rows, 1, HEADS * HEAD_DIM), 1.0);
        compare("normProduct", rows, productRows, () -> kernels.normProduct(x, norm, 1e-5, qkv, null, BF16));
        compare("normProduct+bias", rows, productRows, () -> kernels.normProduct(x, norm, 1e-5, qkv, bias, BF16));
        compare("addProduct", rows, productRows, () -> kernels.addProduct(x, attended, output));
        compare("normSwiGluMlp", rows, productRows,
            () -> kernels.normSwiGluMlp(x, norm, 1e-5, gateUp, down, BF16));
        compare("normLogits", rows, productRows, () -> kernels.normLogits(x, norm, 1e-5, lmHead, BF16));
        checkRopeStore(m, rows);
        checkAttention(m, rows, 0);
        checkAttention(m, rows, 24);
      }
      checkSampling(m);
    } catch (RuntimeException e) {
      log.error("decode-kernels", e);
    } finally {
      FusedOps.useDecodeKernels(true);
    }
  }

  /** Queries, keys and values of one rotary step + cache write, kernel against ATen (any row count runs the kernel). */
  private void checkRopeStore(NDManager m, int rows) {
    int capacity = 40;
    try (NDScope scope = new NDScope()) {
      NDArray projected = random(m, new Shape(rows, 1, (HEADS + 2 * KV_HEADS) * HEAD_DIM), 1.0);
      NDArray angles = m.randomUniform(-3f, 3f, new Shape(rows, 1, 1, HEAD_DIM));
      NDArray cos = angles.cos().toType(BF16, false);
      NDArray sin = angles.sin().toType(BF16, false);
      NDArray slot = m.create(new long[] {7});
      Shape cache = new Shape(rows, KV_HEADS, capacity, HEAD_DIM);
      NDArray[] kernel = {m.zeros(cache, BF16), m.zeros(cache, BF16)};
      NDArray[] aten = {m.zeros(cache, BF16), m.zeros(cache, BF16)};
      long before = FusedOps.decodeKernelsLaunched();
      FusedOps.useDecodeKernels(true);
      float[] q = floats(kernels.ropeStore(projected, HEADS, KV_HEADS, cos, sin, kernel[0], kernel[1], slot));
      long launched = FusedOps.decodeKernelsLaunched() - before;
      FusedOps.useDecodeKernels(false);
      float[] qAten = floats(kernels.ropeStore(projected, HEADS, KV_HEADS, cos, sin, aten[0], aten[1], slot));
      FusedOps.useDecodeKernels(true);
      double worst = Math.max(relative(qAten, q),
          Math.max(relative(floats(aten[0]), floats(kernel[0])), relative(floats(aten[1]), floats(kernel[1]))));
      double abs = Math.max(GpuSmoke.maxAbsDiff(qAten, q), GpuSmoke.maxAbsDiff(floats(aten[0]), floats(kernel[0])));
      log.report(worst <= LIMIT && launched == 1, "decode-kernel ropeStore rows " + rows, String.format(Locale.ROOT,
          "rel L2 %.2e (queries, keys, values), max abs diff %.3g, kernels launched %d (expected 1)", worst, abs,
          launched));
    }
  }

  /**
   * A decode step's attention over a 200-slot cache at slot 150, rows left-padded differently (row r by 9 r slots),
   * with and without a sliding window: the kernel (visible slots only) against SDPA with the additive mask.
   */
  private void checkAttention(NDManager m, int rows, int window) {
    int capacity = 200;
    long slot = 150;
    try (NDScope scope = new NDScope()) {
      NDArray q = random(m, new Shape(rows, 1, HEADS, HEAD_DIM), 1.0);
      NDArray keys = random(m, new Shape(rows, KV_HEADS, capacity, HEAD_DIM), 1.0);
      NDArray values = random(m, new Shape(rows, KV_HEADS, capacity, HEAD_DIM), 1.0);
      long[] pad = new long[rows];
      float[] mask = new float[rows * capacity];
      for (int r = 0; r < rows; r++) {
        pad[r] = 9L * r;
        for (int j = 0; j < capacity; j++) {
          boolean visible = j >= pad[r] && j <= slot && (window == 0 || j > slot - window);
          mask[r * capacity + j] = visible ? 0f : -1e9f;
        }
      }
      NDArray padding = m.create(pad, new Shape(rows, 1));
      NDArray slotArray = m.create(new long[] {slot});
      NDArray prepared = kernels.attentionMask(m.create(mask, new Shape(rows, 1, 1, 1, capacity)).toType(BF16, false),
          HEADS / KV_HEADS, BF16);
      compare("decodeAttention" + (window > 0 ? " window " + window : ""), rows, rows <= 4,
          () -> kernels.decodeAttention(q, keys, values, slotArray, padding, window, prepared, BF16));
    }
  }

  /**
   * The recorded plain draw ({@link RecordedPlainSampler}): kernel against the composed ops, 12 steps each for 1 and
   * 3 rows at temperature 1 and 0.7 and greedy, over the 1B vocabulary with its first 1000 ids masked to -inf: the
   * same ids, log-probs within 1e-4.
   */
  private void checkSampling(NDManager m) {
    for (int rows : new int[] {1, 3}) {
      for (double temperature : new double[] {1.0, 0.7, 0.0}) {
        try (NDScope scope = new NDScope()) {
          SamplingParams params = SamplingParams.defaults().withTemperature(temperature);
          double[][] uniforms = new double[12][rows];
          java.util.SplittableRandom random = new java.util.SplittableRandom(rows * 31L + (long) (temperature * 10));
          for (double[] step : uniforms) {
            for (int r = 0; r < rows; r++) {
              step[r] = random.nextDouble();
            }
          }
          NDArray logits = m.randomUniform(-4f, 4f, new Shape(12, rows, 1, VOCAB));
          logits.set(new NDIndex(":, :, :, 0:1000"), Float.NEGATIVE_INFINITY); // masked ids: no weight, no NaN
          float[][] results = new float[2][];
          long launched = 0;
          for (int pass = 0; pass < 2; pass++) {
            FusedOps.useDecodeKernels(pass == 0);
            RecordedPlainSampler sampler = new RecordedPlainSampler(m, params, uniforms, rows, VOCAB);
            NDArray tokens = m.zeros(new Shape(rows, 1), DataType.INT64);
            NDArray slot = m.zeros(new Shape(1), DataType.INT64);
            float[] all = new float[12 * 2 * rows];
            long before = FusedOps.decodeKernelsLaunched();
            for (int s = 0; s < 12; s++) {
              float[] step = sampler.apply(logits.get(s), tokens, slot).toFloatArray();
              System.arraycopy(step, 0, all, s * 2 * rows, 2 * rows);
            }
            if (pass == 0) {
              launched = FusedOps.decodeKernelsLaunched() - before;
            }
            results[pass] = all;
          }
          FusedOps.useDecodeKernels(true);
          int differentIds = 0;
          double logprobDiff = 0;
          for (int s = 0; s < 12; s++) {
            for (int r = 0; r < rows; r++) {
              int at = s * 2 * rows;
              differentIds += results[0][at + r] != results[1][at + r] ? 1 : 0;
              logprobDiff = Math.max(logprobDiff, Math.abs(results[0][at + rows + r] - results[1][at + rows + r]));
            }
          }
          log.report(differentIds == 0 && logprobDiff <= 1e-4 && launched == 12,
              "decode-kernel sample rows " + rows + " temperature " + temperature, String.format(Locale.ROOT,
                  "%d of %d ids differ from the composed draw, log-prob max diff %.2e, kernels launched %d "
                      + "(expected 12)", differentIds, 12 * rows, logprobDiff, launched));
        }
      }
    }
  }

  /** One step with the kernels on and off: within BF16 rounding, and run by a kernel exactly when expected. */
  private void compare(String name, int rows, boolean kernelExpected, Supplier<NDArray> step) {
    try (NDScope scope = new NDScope()) {
      long before = FusedOps.decodeKernelsLaunched();
      FusedOps.useDecodeKernels(true);
      float[] kernel = floats(step.get());
      long launched = FusedOps.decodeKernelsLaunched() - before;
      FusedOps.useDecodeKernels(false);
      float[] aten = floats(step.get());
      FusedOps.useDecodeKernels(true);
      double rel = relative(aten, kernel);
      boolean pathOk = kernelExpected ? launched > 0 : launched == 0;
      log.report(rel <= LIMIT && pathOk, "decode-kernel " + name + " rows " + rows, String.format(Locale.ROOT,
          "rel L2 %.2e vs ATen, max abs diff %.3g, kernels launched %d (%s)", rel, GpuSmoke.maxAbsDiff(aten, kernel),
          launched, kernelExpected ? "expected some" : "expected none: ATen at this many rows"));
    }
  }

  /** Relative L2 distance, or infinity when either side holds a non-finite value. */
  private static double relative(float[] expected, float[] actual) {
    for (int i = 0; i < actual.length; i++) {
      if (!Float.isFinite(actual[i]) || !Float.isFinite(expected[i])) {
        return Double.POSITIVE_INFINITY;
      }
    }
    return GpuSmoke.relativeL2(expected, actual);
  }

  private static float[] floats(NDArray a) {
    return a.toType(DataType.FLOAT32, false).toFloatArray();
  }

  private static NDArray random(NDManager m, Shape shape, double scale) {
    return m.randomUniform((float) -scale, (float) scale, shape, DataType.FLOAT32).toType(BF16, false);
  }
}
