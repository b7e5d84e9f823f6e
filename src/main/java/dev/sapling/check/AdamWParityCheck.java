package dev.sapling.check;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.runtime.device.DeviceSelector;
import dev.sapling.train.optim.AdamW;
import dev.sapling.train.optim.AdamWConfig;
import dev.sapling.train.optim.AdamWUpdate;
import dev.sapling.train.optim.FusedAdamW;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs two {@link AdamWUpdate}s side by side on the same parameters and gradients for several steps and compares
 * parameters and state: the one body of {@code FusedAdamWTest} on the CPU and of {@code ./sapling check adamw} on a
 * GPU host (the bundle has no test classpath). The command prints one line per check and exits non-zero if any
 * fails.
 *
 * <pre>
 * ./sapling check adamw --device gpu
 * </pre>
 */
public final class AdamWParityCheck {
  /** Shapes of a small model's tensors (about 6.3 million values): matrices, a vector, an odd-sized tail. */
  static final List<Shape> MODEL_SHAPES = List.of(new Shape(4096, 1024), new Shape(1024), new Shape(32000, 64),
      new Shape(7));

  private AdamWParityCheck() {}

  /**
   * How far {@code candidate} ended from {@code baseline}: the largest absolute difference of any state value and
   * of any parameter (compared in float32), the largest parameter magnitude, how many parameter values differ at
   * all, and how far the parameters moved from their start on average (so a step that does nothing cannot pass).
   */
  public record Result(String label, long values, double stateMaxDiff, double paramMaxDiff,
                       double paramMaxAbs, long paramsUnequal, double meanMove) {
    /**
     * State within 1e-6; float32 parameters within 1e-6; bfloat16 parameters apart in at most 0.1% of values, by
     * at most two bfloat16 steps at the largest magnitude ({@code paramMaxAbs / 64}): float32 results a rounding
     * apart can round to neighbouring bfloat16 values, and a value that parted once can part again later (39 of
     * 6.2 million values after 6 steps on the CPU, at most 2^-9 apart); the parameters moved.
     */
    public boolean passes(DataType dtype) {
      boolean params = dtype == DataType.FLOAT32
          ? paramMaxDiff <= 1e-6
          : paramMaxDiff <= paramMaxAbs / 64 && paramsUnequal <= Math.max(2, values / 1000);
      return stateMaxDiff <= 1e-6 && params && meanMove > 1e-3;
    }

    @Override
    public String toString() {
      return String.format("%s: %d values, state max diff %.3g, param max diff %.3g (max |param| %.3g),"
          + " %d params unequal, mean move %.3g", label, values, stateMaxDiff, paramMaxDiff, paramMaxAbs,
          paramsUnequal, meanMove);
    }
  }

  /**
   * {@code steps} steps of {@code candidate} and {@code baseline} from the same random parameters (uniform in
   * [-1, 1], cast to {@code dtype}) with the same random gradients (uniform in [-decay^t, decay^t] at step t) and a
   * learning rate that decays linearly from {@code config.lr()}.
   */
  public static Result run(AdamWUpdate candidate, AdamWUpdate baseline, Device device, DataType dtype,
      AdamWConfig config, List<Shape> shapes, int steps, double gradientDecay, long seed) {
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      m.getEngine().setRandomSeed((int) seed);
      List<NDArray> start = new ArrayList<>();
      List<NDArray> a = new ArrayList<>();
      List<NDArray> b = new ArrayList<>();
      for (Shape shape : shapes) {
        NDArray init = m.randomUniform(-1, 1, shape).toType(dtype, false);
        start.add(init.toType(DataType.FLOAT32, false)); // never updated: a and b are copies
        a.add(init.duplicate()); // a clone on every JNI; DJL's own ignores toType's copy flag for the same dtype
        b.add(init.duplicate());
      }
      try (AdamW first = new AdamW(a, config, candidate); AdamW second = new AdamW(b, config, baseline)) {
        for (int s = 1; s <= steps; s++) {
          try (NDScope scope = new NDScope()) {
            float scale = (float) Math.pow(gradientDecay, s);
            List<NDArray> grads = new ArrayList<>();
            for (Shape shape : shapes) {
              grads.add(m.randomUniform(-scale, scale, shape).toType(dtype, false));
            }
            double lr = config.lr() * (steps - s + 1) / steps;
            first.step(grads, lr);
            second.step(grads, lr);
          }
        }
        double stateMax = 0;
        double paramMax = 0;
        double maxAbs = 0;
        long unequal = 0;
        long values = 0;
        double move = 0;
        try (NDScope scope = new NDScope()) {
          for (int i = 0; i < shapes.size(); i++) {
            stateMax = Math.max(stateMax, maxDiff(first.state().expAvgs().get(i), second.state().expAvgs().get(i)));
            stateMax = Math.max(stateMax,
                maxDiff(first.state().expAvgSqs().get(i), second.state().expAvgSqs().get(i)));
            if (config.amsgrad()) {
              stateMax = Math.max(stateMax,
                  maxDiff(first.state().maxExpAvgSqs().get(i), second.state().maxExpAvgSqs().get(i)));
            }
            NDArray pa = a.get(i).toType(DataType.FLOAT32, false);
            NDArray pb = b.get(i).toType(DataType.FLOAT32, false);
            NDArray diff = pa.sub(pb).abs();
            paramMax = Math.max(paramMax, diff.max().getFloat());
            maxAbs = Math.max(maxAbs, pb.abs().max().getFloat());
            unequal += diff.gt(0).sum().toType(DataType.INT64, false).getLong();
            values += shapes.get(i).size();
            move += pb.sub(start.get(i)).abs().sum().toType(DataType.FLOAT64, false).getDouble();
          }
        }
        String label = candidate.name() + " vs " + baseline.name() + ", " + dtype + (config.amsgrad() ? ", amsgrad"
            : "") + ", weight decay " + config.weightDecay() + ", " + steps + " steps on " + device;
        return new Result(label, values, stateMax, paramMax, maxAbs, unequal, move / values);
      }
    }
  }

  private static double maxDiff(NDArray x, NDArray y) {
    return x.sub(y).abs().max().getFloat();
  }

  /**
   * The fused update against the composed one on {@code deviceFlag} ({@code cpu}, {@code gpu} or {@code auto}):
   * float32, float32 with amsgrad and no weight decay, and bfloat16 where the engine handles it; one line per check
   * on {@code out}. Returns the exit code: 1 when a check fails or the fused update is missing.
   */
  public static int checkAll(String deviceFlag, PrintStream out) {
    Device device = DeviceSelector.standard().select(deviceFlag);
    Engine.getEngine("PyTorch");
    Optional<AdamWUpdate> fused = FusedAdamW.load();
    if (fused.isEmpty()) {
      out.println("FAILED: FusedAdamW is not available (the engine is not on Sapling's bridge, or "
          + "sapling/adamw.cc was left out of it: see gpu-setup.sh's log)");
      return 1;
    }
    // bfloat16 arrays abort DJL's own JNI on the CPU; the bridge handles them
    boolean bf16 = device.isGpu() || JniUtils.getFeatures().contains("SAPLING_BRIDGE");
    AdamWConfig config = new AdamWConfig(1e-2, 0.9, 0.99, 1e-8, 0.1, false);
    List<String> failures = new ArrayList<>();
    check(out, failures, fused.get(), device, DataType.FLOAT32, config, 1.0);
    check(out, failures, fused.get(), device, DataType.FLOAT32, config.withAmsgrad(true).withWeightDecay(0), 0.5);
    if (bf16) {
      check(out, failures, fused.get(), device, DataType.BFLOAT16, config, 1.0);
    }
    out.println(failures.isEmpty() ? "ALL PASS" : "FAILED: " + failures);
    return failures.isEmpty() ? 0 : 1;
  }

  private static void check(PrintStream out, List<String> failures, AdamWUpdate fused, Device device, DataType dtype,
      AdamWConfig config, double gradientDecay) {
    Result r = run(fused, AdamWUpdate.composed(), device, dtype, config, MODEL_SHAPES, 6, gradientDecay, 7);
    boolean ok = r.passes(dtype);
    out.println((ok ? "PASS " : "FAIL ") + r);
    if (!ok) {
      failures.add(r.label());
    }
  }
}
