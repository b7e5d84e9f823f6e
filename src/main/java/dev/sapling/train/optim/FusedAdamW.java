package dev.sapling.train.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.List;
import java.util.Optional;

/**
 * {@link AdamWUpdate} as one native call for all tensors, in Sapling's PyTorch bridge
 * (src/main/native/sapling/adamw.cc): {@code at::_fused_adamw_} where the bridge was built against torch 2.4 or
 * newer (one multi-tensor kernel on CUDA), else the same arithmetic as {@code at::_foreach_*} ops. Only available
 * when the engine runs on the bridge; {@link #load()} says whether it does.
 *
 * <pre>{@code
 * AdamWUpdate update = FusedAdamW.load().orElse(AdamWUpdate.composed());
 * }</pre>
 */
public final class FusedAdamW implements AdamWUpdate {
  private final String implementation;

  private FusedAdamW(String implementation) {
    this.implementation = implementation;
  }

  /** The fused update when the loaded JNI library has it (Sapling's bridge with sapling/adamw.cc), else empty. */
  public static Optional<AdamWUpdate> load() {
    Engine.getEngine("PyTorch"); // loads the JNI library the natives live in
    try {
      if (version() < 1) {
        return Optional.empty();
      }
      return Optional.of(new FusedAdamW(implementation()));
    } catch (UnsatisfiedLinkError e) {
      return Optional.empty();
    }
  }

  @Override
  public void apply(List<NDArray> params, List<NDArray> grads, AdamWState state, AdamWConfig c, long step) {
    step(handles(params, "parameter"), handles(grads, "gradient"), handles(state.expAvgs(), "exp_avg"),
        handles(state.expAvgSqs(), "exp_avg_sq"), handles(state.maxExpAvgSqs(), "max_exp_avg_sq"), step, c.lr(),
        c.beta1(), c.beta2(), c.eps(), c.weightDecay(), c.amsgrad());
  }

  @Override
  public String name() {
    return "fused (" + implementation + ")";
  }

  private static long[] handles(List<NDArray> arrays, String what) {
    long[] out = new long[arrays.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(arrays.get(i) instanceof PtNDArray a)) {
        throw new IllegalArgumentException("FusedAdamW: " + what + " " + i + " is a "
            + arrays.get(i).getClass().getSimpleName() + ", not a PyTorch array; use AdamWUpdate.composed() with "
            + "other engines");
      }
      out[i] = a.getHandle();
    }
    return out;
  }

  private static native int version();

  private static native String implementation();

  private static native void step(long[] params, long[] grads, long[] expAvgs, long[] expAvgSqs,
      long[] maxExpAvgSqs, long step, double lr, double beta1, double beta2, double eps, double weightDecay,
      boolean amsgrad);
}
