package dev.sapling.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * The arithmetic of one AdamW step, the seam between {@link AdamW} (which owns parameters, state and the step
 * counter, and checks its inputs) and how the step runs: {@link #composed()} is DJL ops per tensor and runs on any
 * engine and device; {@link FusedAdamW} is one native call for all tensors where Sapling's PyTorch bridge is loaded.
 * Both follow {@code torch.optim.AdamW} and must agree within float32 rounding.
 *
 * <pre>{@code
 * AdamWUpdate update = AdamWUpdate.best();        // fused where the bridge is loaded, else composed
 * AdamW optimizer = new AdamW(params, AdamWConfig.defaults(), update);
 * }</pre>
 */
public interface AdamWUpdate {
  /**
   * Applies step number {@code step} (1 for the first) in place to every parameter and its state, with
   * {@code config.lr()} as this step's learning rate. The lists line up index by index; {@link AdamW} checks that.
   */
  void apply(List<NDArray> params, List<NDArray> grads, AdamWState state, AdamWConfig config, long step);

  /** A short name for logs and reports, e.g. {@code "composed"} or {@code "fused (at::_fused_adamw_)"}. */
  String name();

  /** The DJL-op implementation that runs everywhere. */
  static AdamWUpdate composed() {
    return Composed.INSTANCE;
  }

  /** {@link FusedAdamW} when the loaded JNI library has it, else {@link #composed()}. */
  static AdamWUpdate best() {
    return FusedAdamW.load().orElse(composed());
  }

  /**
   * One tensor at a time in float32: {@code p *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
   * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}, with {@code v} replaced by its running maximum
   * under amsgrad. A parameter that is not float32 is updated through a float32 copy, then rounded back into it.
   */
  final class Composed implements AdamWUpdate {
    static final Composed INSTANCE = new Composed();
    private static final NDIndex ALL = new NDIndex("...");

    private Composed() {}

    @Override
    public void apply(List<NDArray> params, List<NDArray> grads, AdamWState state, AdamWConfig c, long step) {
      double biasCorrection1 = 1 - Math.pow(c.beta1(), step);
      double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(c.beta2(), step));
      for (int i = 0; i < params.size(); i++) {
        NDArray param = params.get(i);
        NDArray expAvg = state.expAvgs().get(i);
        NDArray expAvgSq = state.expAvgSqs().get(i);
        try (NDScope scope = new NDScope()) {
          NDArray g = grads.get(i).toType(DataType.FLOAT32, false);
          NDArray p = param.getDataType() == DataType.FLOAT32 ? param : param.toType(DataType.FLOAT32, true);
          if (c.weightDecay() != 0) {
            p.muli(1 - c.lr() * c.weightDecay());
          }
          expAvg.muli(c.beta1()).addi(g.mul(1 - c.beta1()));
          expAvgSq.muli(c.beta2()).addi(g.mul(g).muli(1 - c.beta2()));
          NDArray second = expAvgSq;
          if (c.amsgrad()) {
            NDArray max = state.maxExpAvgSqs().get(i);
            max.set(ALL, max.maximum(expAvgSq));
            second = max;
          }
          NDArray denom = second.sqrt().divi(biasCorrection2Sqrt).addi(c.eps());
          p.subi(expAvg.div(denom).muli(c.lr() / biasCorrection1));
          if (p != param) {
            param.set(ALL, p.toType(param.getDataType(), false));
          }
        }
      }
    }

    @Override
    public String name() {
      return "composed";
    }
  }
}
