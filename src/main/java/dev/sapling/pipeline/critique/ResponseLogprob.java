package dev.sapling.pipeline.critique;

import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import java.util.List;

/** {@link Criterion#responseLogprob()}: the mean token log-prob of the response after its prompt. */
final class ResponseLogprob implements Criterion {
  @Override
  public String name() {
    return RESPONSE_LOGPROB;
  }

  @Override
  public List<Scorer.Pair> pairs(Critic.Item item, Critic.Encoding encoding) {
    return List.of(encoding.response());
  }

  @Override
  public double score(List<ScoredText> scored) {
    return scored.get(0).logprobMean();
  }
}
