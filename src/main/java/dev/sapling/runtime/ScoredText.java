package dev.sapling.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log-probabilities of a continuation given its context: one per continuation token (log-softmax in float32),
 * their sum and mean, and optionally the most likely alternatives at each position.
 *
 * <pre>{@code
 * ScoredText s = scorer.score("The capital of France is", " Paris");
 * s.logprobSum(); s.logprobMean(); s.tokens();
 * json.writeValueAsString(s.toJsonMap());   // one line of `sapling score`
 * }</pre>
 *
 * @param tokenIds the continuation's token ids
 * @param tokenLogprobs log p(token | context, earlier continuation tokens), one per token
 * @param topAlternatives per position, the most likely tokens and their log-probs, best first; empty lists unless
 *     the scorer was asked for alternatives
 */
public record ScoredText(int[] tokenIds, float[] tokenLogprobs, List<List<Alternative>> topAlternatives) {
  /** One candidate token at a position and its log-probability. */
  public record Alternative(int token, float logprob) {
    /** {@code {"token_id": ..., "logprob": ...}}. */
    public Map<String, Object> toJsonMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("token_id", token);
      m.put("logprob", logprob);
      return m;
    }
  }

  public ScoredText {
    topAlternatives = List.copyOf(topAlternatives);
  }

  /** Number of continuation tokens scored. */
  public int tokens() {
    return tokenLogprobs.length;
  }

  /** Sum of the token log-probs (0 for an empty continuation), accumulated in double. */
  public double logprobSum() {
    double sum = 0;
    for (float lp : tokenLogprobs) {
      sum += lp;
    }
    return sum;
  }

  /** Mean token log-prob; NaN for an empty continuation. */
  public double logprobMean() {
    return tokens() == 0 ? Double.NaN : logprobSum() / tokens();
  }

  /**
   * The JSON object {@code sapling score} prints per pair: {@code logprob_sum, logprob_mean, tokens, token_logprobs}
   * (mean is null for an empty continuation), plus {@code top_logprobs} only when alternatives were asked for.
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("logprob_sum", logprobSum());
    m.put("logprob_mean", tokens() == 0 ? null : logprobMean());
    m.put("tokens", tokens());
    m.put("token_logprobs", tokenLogprobs);
    if (topAlternatives.stream().anyMatch(a -> !a.isEmpty())) {
      m.put("top_logprobs", topAlternatives.stream()
          .map(position -> position.stream().map(Alternative::toJsonMap).toList()).toList());
    }
    return m;
  }
}
