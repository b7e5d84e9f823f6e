package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.sapling.SaplingException;

/**
 * Greedy selection on the device: the argmax of every logits row and its log-prob under the model's own distribution,
 * so a step copies {@code 2 × rows} floats to the host instead of {@code rows × vocab}. Only for greedy decoding
 * without penalties ({@link #handles}), where the choice depends on the logits alone.
 *
 * <p>The log-prob of the argmax token is {@code -log Σ exp(logit - max)} (its logit is the max), in float32; this
 * avoids the cancellation of {@code logit - logsumexp} and agrees with {@link TokenSampler}'s double log-softmax to
 * about 1e-7. Ties go to the lowest index, as in {@link TokenSampler}.
 *
 * <pre>{@code
 * TokenSampler.Draw[] d = new DeviceGreedySelector().select(logits, rows, states);
 * }</pre>
 */
public final class DeviceGreedySelector implements TokenSelector {
  /** Whether greedy selection on the device gives what {@link TokenSampler} would for these parameters. */
  public static boolean handles(SamplingParams params) {
    return params.isGreedy() && !params.hasPenalties();
  }

  @Override
  public TokenSampler.Draw[] select(NDArray logits, int[] logitRows, SamplingState[] states) {
    NDArray rows = logits.reshape(logits.getShape().get(0), -1);
    NDArray max = rows.max(new int[] {1}, true);
    NDArray logprob = rows.sub(max).exp().sum(new int[] {1}).log().neg();
    // token ids (< 2^24) are exact in float32: one copy brings both
    NDArray both = NDArrays.stack(new NDList(rows.argMax(1).toType(DataType.FLOAT32, false), logprob));
    float[] host = both.toFloatArray();
    int batch = host.length / 2;
    TokenSampler.Draw[] draws = new TokenSampler.Draw[logitRows.length];
    for (int i = 0; i < logitRows.length; i++) {
      int row = logitRows[i];
      float lp = host[batch + row];
      if (!Float.isFinite(lp)) {
        throw new SaplingException("logits row " + row + " has no finite log-normaliser; the forward pass produced "
            + "NaN or infinite values (overflow in a narrow dtype?)");
      }
      int token = (int) host[row];
      states[i].accept(token);
      draws[i] = new TokenSampler.Draw(token, lp);
    }
    return draws;
  }
}
