package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;

/**
 * Chooses tokens on the device for greedy decoding and for plain temperature sampling (no top-k/top-p/min-p, no
 * penalties: {@link #handles}), so a decode step copies one id and one log-prob per row to the host instead of a
 * vocabulary row. Sampling is {@link TokenSampler}'s inverse-CDF draw: one uniform per row from the row's own seeded
 * {@link SamplingState}, weights {@code exp(x/T - max)} summed in vocabulary order in float64, the first token whose
 * cumulative weight exceeds {@code u * total}. The same seed draws the same tokens as the Java path (up to the last
 * bit of a cumulative sum) and does not depend on what else shares the batch.
 *
 * <pre>{@code
 * TokenSelector selector = DeviceTokenSelector.handles(params) ? new DeviceTokenSelector(params) : ...;
 * }</pre>
 */
public final class DeviceTokenSelector implements TokenSelector {
  private final double temperature;

  /** A selector for {@code params}, which {@link #handles} must accept. */
  public DeviceTokenSelector(SamplingParams params) {
    if (!handles(params)) {
      throw new IllegalArgumentException("device selection needs greedy or plain temperature sampling; got " + params);
    }
    this.temperature = params.isGreedy() ? 0 : params.temperature();
  }

  /** Whether {@code params} need nothing but greedy decoding or plain temperature sampling. */
  public static boolean handles(SamplingParams params) {
    boolean noFilter = params.topK() <= 0 && params.topP() >= 1.0 && params.minP() <= 0.0;
    return !params.hasPenalties() && (params.isGreedy() || noFilter);
  }

  @Override
  public TokenSampler.Draw[] select(NDArray logits, int[] logitRows, SamplingState[] states) {
    Shape shape = logits.getShape();
    long batch = shape.get(0);
    int vocab = (int) shape.get(shape.dimension() - 1);
    int n = logitRows.length;
    float[] host;
    try (NDScope scope = new NDScope()) {
      NDArray rows = logits.reshape(batch, vocab);
      if (!isIdentity(logitRows, batch)) {
        long[] index = new long[n];
        for (int i = 0; i < n; i++) {
          index[i] = logitRows[i];
        }
        rows = rows.get(new NDIndex("{}", logits.getManager().create(index)));
      }
      rows = rows.toType(DataType.FLOAT32, false);
      NDArray tokens;
      if (temperature == 0) {
        tokens = rows.argMax(1);
      } else {
        double[] uniforms = new double[n];
        for (int i = 0; i < n; i++) {
          uniforms[i] = states[i].nextUniform();
        }
        NDArray w = rows.toType(DataType.FLOAT64, false).div(temperature);
        w = w.sub(w.max(new int[] {1}, true)).exp();
        NDArray cumulative = w.cumSum(1);
        NDArray target = logits.getManager().create(uniforms, new Shape(n, 1)).mul(cumulative.get(":, -1:"));
        tokens = cumulative.lte(target).toType(DataType.INT64, false).sum(new int[] {1}).clip(0, vocab - 1);
      }
      tokens = tokens.toType(DataType.INT64, false);
      // log-prob under the model's own distribution, normalised in float64 as TokenSampler does
      NDArray wide = rows.toType(DataType.FLOAT64, false);
      NDArray max = wide.max(new int[] {1}, true);
      NDArray logZ = wide.sub(max).exp().sum(new int[] {1}, true).log().add(max);
      NDArray logprobs = wide.gather(tokens.reshape(n, 1), 1).sub(logZ).reshape(n).toType(DataType.FLOAT32, false);
      // token ids (< 2^24) are exact in float32: one copy brings both
      host = NDArrays.stack(new NDList(tokens.toType(DataType.FLOAT32, false), logprobs)).toFloatArray();
    }
    TokenSampler.Draw[] draws = new TokenSampler.Draw[n];
    for (int i = 0; i < n; i++) {
      float lp = host[n + i];
      if (!Float.isFinite(lp)) {
        throw new SaplingException("logits row " + logitRows[i] + " has no finite log-normaliser; the forward pass "
            + "produced NaN or infinite values (overflow in a narrow dtype?)");
      }
      int token = (int) host[i];
      states[i].accept(token);
      draws[i] = new TokenSampler.Draw(token, lp);
    }
    return draws;
  }

  private static boolean isIdentity(int[] rows, long batch) {
    if (rows.length != batch) {
      return false;
    }
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] != i) {
        return false;
      }
    }
    return true;
  }
}
