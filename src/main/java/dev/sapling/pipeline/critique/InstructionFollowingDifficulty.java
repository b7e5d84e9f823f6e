package dev.sapling.pipeline.critique;

import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import java.util.List;

/**
 * {@link Criterion#ifd()}: the same response tokens scored twice, after the prompt and after the document start
 * alone; the difference of the two means is minus the log of Li et al.'s IFD.
 */
final class InstructionFollowingDifficulty implements Criterion {
  @Override
  public String name() {
    return IFD;
  }

  @Override
  public List<Scorer.Pair> pairs(Critic.Item item, Critic.Encoding encoding) {
    Scorer.Pair conditional = encoding.response();
    return List.of(conditional, encoding.unconditional(conditional.continuation()));
  }

  @Override
  public double score(List<ScoredText> scored) {
    return scored.get(0).logprobMean() - scored.get(1).logprobMean();
  }
}
