package dev.sapling.runtime.sampling;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One generated completion of one prompt. {@code tokenIds} and {@code logprobs} cover every sampled token, including
 * an EOS token and the tokens that spelled a stop sequence, so scoring {@code tokenIds} after the prompt reproduces
 * {@code logprobs}. {@code text} is what the new tokens add after the prompt (decoded in context, so a leading space
 * survives), without the stop sequence and without special tokens.
 *
 * <pre>{@code
 * Completion c = generator.generate(List.of("Once upon a time"), params).get(0);
 * c.text(); c.finishReason(); c.logprobSum();
 * json.writeValueAsString(c.toJsonMap());   // one line of `sapling generate --json`
 * }</pre>
 *
 * @param promptIndex position of the prompt in the request
 * @param sampleIndex which of the request's {@code n} samples of that prompt, from 0
 * @param promptTokenIds the prompt as the model saw it (BOS included when added)
 * @param logprobs log-probability of each sampled token under the model's own distribution, before penalties,
 *     temperature and filters reshaped it
 */
public record Completion(
    int promptIndex,
    int sampleIndex,
    int[] promptTokenIds,
    String text,
    int[] tokenIds,
    float[] logprobs,
    FinishReason finishReason,
    Timing timing) {

  /**
   * Where the time went. Prefill is shared by every row of the batch; decode runs from the end of prefill until this
   * completion finished (other rows ran alongside).
   */
  public record Timing(long prefillNanos, long decodeNanos) {
    public double totalMillis() {
      return (prefillNanos + decodeNanos) / 1e6;
    }
  }

  /** Sum of the sampled tokens' log-probabilities. */
  public double logprobSum() {
    double sum = 0;
    for (float lp : logprobs) {
      sum += lp;
    }
    return sum;
  }

  /**
   * The JSON object {@code sapling generate --json} prints per completion, keys in this order: {@code prompt_index,
   * sample_index, prompt_token_ids, text, token_ids, logprobs, finish_reason}.
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("prompt_index", promptIndex);
    m.put("sample_index", sampleIndex);
    m.put("prompt_token_ids", promptTokenIds);
    m.put("text", text);
    m.put("token_ids", tokenIds);
    m.put("logprobs", logprobs);
    m.put("finish_reason", finishReason.jsonName());
    return m;
  }
}
