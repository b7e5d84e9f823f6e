package dev.sapling.pipeline.critique;

/**
 * The DSL's entry to the critique stage: the name says which criterion ranks. {@link #logprob()} and {@link #ifd()}
 * score the two log-prob criteria; {@link #judge()} adds the few-shot judge.
 *
 * <pre>{@code
 * experiment.critique(Critics.logprob());                                   // rank by response_logprob
 * experiment.critique(Critics.logprob().withJudge());                       // ... and record the judge's score too
 * experiment.critique(Critics.judge().criteria(Criterion.JUDGE));          // the judge alone
 * }</pre>
 */
public final class Critics {
  private Critics() {}

  /** Rank by {@value Criterion#RESPONSE_LOGPROB}, the length-normalised log p(response | prompt). */
  public static CritiqueConfig.Builder logprob() {
    return CritiqueConfig.builder().rankBy(Criterion.RESPONSE_LOGPROB);
  }

  /** Rank by {@value Criterion#IFD}, log p(y | x) − log p(y) per token. */
  public static CritiqueConfig.Builder ifd() {
    return CritiqueConfig.builder().rankBy(Criterion.IFD);
  }

  /**
   * Rank by {@value Criterion#JUDGE}, log p(" Yes") − log p(" No") after the few-shot judge prompt; the log-prob
   * criteria are scored too.
   */
  public static CritiqueConfig.Builder judge() {
    return CritiqueConfig.builder().withJudge().rankBy(Criterion.JUDGE);
  }
}
