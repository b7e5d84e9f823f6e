package dev.sapling.pipeline.critique;

import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import java.util.List;

/**
 * {@link Criterion#judge(JudgePrompt)}: the judge prompt with the item's instruction and response, scored with the
 * yes and the no answer as continuations (one shared prefill); the score is the difference of their log-probs.
 */
final class FewShotJudge implements Criterion {
  private final JudgePrompt prompt;

  FewShotJudge(JudgePrompt prompt) {
    this.prompt = prompt;
  }

  @Override
  public String name() {
    return JUDGE;
  }

  @Override
  public List<Scorer.Pair> pairs(Critic.Item item, Critic.Encoding encoding) {
    String context = encoding.fitJudge(prompt);
    return List.of(encoding.keepingContinuation(context, prompt.yes()),
        encoding.keepingContinuation(context, prompt.no()));
  }

  @Override
  public double score(List<ScoredText> scored) {
    return scored.get(0).logprobSum() - scored.get(1).logprobSum();
  }
}
