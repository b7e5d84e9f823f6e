package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.runtime.sampling.SamplingParams;

/**
 * Picks next tokens where the logits are (usually the GPU), so a decode step brings back one id and one log-prob per
 * row instead of a whole vocabulary row. It covers greedy decoding and plain temperature sampling (no top-k/top-p/
 * min-p, no penalties); {@link #handles} says when. Sampling is the same inverse-CDF draw as {@link
 * dev.sapling.runtime.sampling.TokenSampler}: one uniform per row from the row's own seeded state, the cumulative sum
 * taken in vocabulary order in float64, so a seed gives the same tokens whatever else shares the batch.
 *
 * <pre>{@code
 * if (DeviceSampler.handles(params)) {
 *   DeviceSampler.Picks picks = DeviceSampler.pick(logits, params.temperature(), uniforms);
 * }
 * }</pre>
 */
public final class DeviceSampler {
  private DeviceSampler() {}

  /** Tokens and their log-probs under the model's own (unreshaped) distribution, one per row. */
  public record Picks(int[] tokens, float[] logprobs) {}

  /** Whether {@code params} need nothing but greedy or plain temperature sampling. */
  public static boolean handles(SamplingParams params) {
    boolean noPenalty = params.repetitionPenalty() == 1.0 && params.presencePenalty() == 0.0;
    boolean noFilter = params.topK() <= 0 && params.topP() >= 1.0 && params.minP() <= 0.0;
    return noPenalty && (params.isGreedy() || noFilter);
  }

  /**
   * Picks one token per row of {@code logits} ({@code [rows, vocab]} float32): the argmax when {@code temperature}
   * is 0, else the inverse-CDF draw at {@code uniforms[row]} in [0, 1). Temporaries are closed before it returns.
   */
  public static Picks pick(NDArray logits, double temperature, double[] uniforms) {
    int rows = (int) logits.getShape().get(0);
    int vocab = (int) logits.getShape().get(1);
    try (NDScope scope = new NDScope()) {
      NDArray x = logits.toType(DataType.FLOAT32, false);
      NDArray tokens;
      if (temperature == 0) {
        tokens = x.argMax(-1).toType(DataType.INT64, false);
      } else {
        // inverse CDF in float64: weights exp(x/T - max), cumulative sum in vocabulary order, first index past u*total
        NDArray w = x.toType(DataType.FLOAT64, false).div(temperature);
        w = w.sub(w.max(new int[] {-1}, true)).exp();
        NDArray cumulative = w.cumSum(1);
        NDArray total = cumulative.get(new NDIndex(":, -1:"));
        NDArray target = x.getManager().create(uniforms, new Shape(rows, 1)).toDevice(x.getDevice(), false)
            .mul(total);
        tokens = cumulative.lte(target).toType(DataType.INT64, false).sum(new int[] {-1})
            .clip(0, vocab - 1);
      }
      NDArray logprobs = x.logSoftmax(-1).gather(tokens.reshape(rows, 1), 1);
      long[] ids = tokens.toLongArray();
      float[] lp = logprobs.toFloatArray();
      int[] out = new int[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = (int) ids[i];
      }
      return new Picks(out, lp);
    }
  }
}
