package dev.sapling.runtime.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.model.Kernels;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Sapling's small-batch decode kernels (src/main/native/kernels) against the ATen ops they stand in for: each step
 * run twice through the same {@link FusedKernels} native, kernels on and off ({@link FusedKernels#useDecodeKernels}),
 * in BF16 at the Llama-3.2-1B shape for 1 to 4 rows (where the kernels run) and 5 rows (where they must not). Passes
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

  private final Kernels kernels;
  private final Device device;
  private final CheckLog log;

  DecodeKernelChecks(Kernels kernels, Device device, CheckLog log) {
    this.kernels = kernels;
    this.device = device;
    this.log = log;
  }

  void runAll() {
    if (!FusedKernels.decodeKernels()) {
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
        boolean kernelRows = rows <= 4;
        NDArray x = random(m, new Shape(rows, 1, HIDDEN), 2.0);
        NDArray attended = random(m, new Shape(rows, 1, HEADS * HEAD_DIM), 1.0);
        compare("normProduct", rows, kernelRows, () -> kernels.normProduct(x, norm, 1e-5, qkv, null, BF16));
        compare("normProduct+bias", rows, kernelRows, () -> kernels.normProduct(x, norm, 1e-5, qkv, bias, BF16));
        compare("addProduct", rows, kernelRows, () -> kernels.addProduct(x, attended, output));
        compare("normSwiGluMlp", rows, kernelRows,
            () -> kernels.normSwiGluMlp(x, norm, 1e-5, gateUp, down, BF16));
        compare("normLogits", rows, kernelRows, () -> kernels.normLogits(x, norm, 1e-5, lmHead, BF16));
        checkRopeStore(m, rows);
      }
    } catch (RuntimeException e) {
      log.error("decode-kernels", e);
    } finally {
      FusedKernels.useDecodeKernels(true);
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
      long before = FusedKernels.decodeKernelsLaunched();
      FusedKernels.useDecodeKernels(true);
      float[] q = floats(kernels.ropeStore(projected, HEADS, KV_HEADS, cos, sin, kernel[0], kernel[1], slot));
      long launched = FusedKernels.decodeKernelsLaunched() - before;
      FusedKernels.useDecodeKernels(false);
      float[] qAten = floats(kernels.ropeStore(projected, HEADS, KV_HEADS, cos, sin, aten[0], aten[1], slot));
      FusedKernels.useDecodeKernels(true);
      double worst = Math.max(relative(qAten, q),
          Math.max(relative(floats(aten[0]), floats(kernel[0])), relative(floats(aten[1]), floats(kernel[1]))));
      double abs = Math.max(GpuSmoke.maxAbsDiff(qAten, q), GpuSmoke.maxAbsDiff(floats(aten[0]), floats(kernel[0])));
      log.report(worst <= LIMIT && launched == 1, "decode-kernel ropeStore rows " + rows, String.format(Locale.ROOT,
          "rel L2 %.2e (queries, keys, values), max abs diff %.3g, kernels launched %d (expected 1)", worst, abs,
          launched));
    }
  }

  /** One step with the kernels on and off: within BF16 rounding, and run by a kernel exactly when expected. */
  private void compare(String name, int rows, boolean kernelExpected, Supplier<NDArray> step) {
    try (NDScope scope = new NDScope()) {
      long before = FusedKernels.decodeKernelsLaunched();
      FusedKernels.useDecodeKernels(true);
      float[] kernel = floats(step.get());
      long launched = FusedKernels.decodeKernelsLaunched() - before;
      FusedKernels.useDecodeKernels(false);
      float[] aten = floats(step.get());
      FusedKernels.useDecodeKernels(true);
      double rel = relative(aten, kernel);
      boolean pathOk = kernelExpected ? launched > 0 : launched == 0;
      log.report(rel <= LIMIT && pathOk, "decode-kernel " + name + " rows " + rows, String.format(Locale.ROOT,
          "rel L2 %.2e vs ATen, max abs diff %.3g, kernels launched %d (%s)", rel, GpuSmoke.maxAbsDiff(aten, kernel),
          launched, kernelExpected ? "expected some" : "expected none: ATen at 5 rows"));
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
