package dev.sapling.pipeline.critique;

import dev.sapling.SaplingException;
import java.util.List;

/**
 * Settings of the critique stage: which criteria score every response, which one ranks ({@code rank_by}; its score
 * is the margin best-of-N uses), the judge prompt (recorded only when the judge is one of the criteria) and the
 * flags' thresholds. Everything here is written into the stage's manifest and changes its signature.
 *
 * <p>Defaults ({@link Critics#logprob()}): the two log-prob criteria {@value Criterion#RESPONSE_LOGPROB} and
 * {@value Criterion#IFD}, ranking by the first (a per-token log-prob, the unit the gate's median-margin threshold and
 * best-of-N's minimum gap are in), {@link ResponseFlags.Rules#standard()}; the judge, with
 * {@link JudgePrompt#standard()}, when asked for ({@link Builder#withJudge()}, {@link Critics#judge()}). The judge is
 * not a default because it costs most: its prompt holds examples, the instruction and the whole response, so on the
 * CPU it took 37.6 s over 32 pilot responses where the two log-prob criteria took 2.3 s and 1.5 s (stories260K,
 * docs/pipeline.md).
 *
 * <pre>{@code
 * CritiqueConfig c = Critics.judge().criteria(Criterion.JUDGE, Criterion.RESPONSE_LOGPROB).build();
 * c.rankBy();   // "judge"
 * }</pre>
 *
 * @param criteria built-in criterion names ({@link Criterion#NAMES}), in record order
 * @param rankBy the criterion whose score is the margin
 * @param judge the judge's prompt; null when the judge is not among the criteria
 * @param flags thresholds of the response flags
 */
public record CritiqueConfig(List<String> criteria, String rankBy, JudgePrompt judge, ResponseFlags.Rules flags) {
  public CritiqueConfig {
    criteria = List.copyOf(criteria);
    if (criteria.isEmpty()) {
      throw new SaplingException("critique config: no criteria; use some of " + Criterion.NAMES);
    }
    for (String c : criteria) {
      if (!Criterion.NAMES.contains(c)) {
        throw new SaplingException("critique config: unknown criterion '" + c + "'; expected one of "
            + Criterion.NAMES);
      }
    }
    if (criteria.stream().distinct().count() != criteria.size()) {
      throw new SaplingException("critique config: criteria " + criteria + " name one criterion twice");
    }
    if (!criteria.contains(rankBy)) {
      throw new SaplingException("critique config: rank_by '" + rankBy + "' is not among the criteria "
          + criteria + "; add it, or rank by one of them");
    }
    if (criteria.contains(Criterion.JUDGE) && judge == null) {
      throw new SaplingException("critique config: the judge criterion needs a judge prompt; give "
          + "JudgePrompt.standard()");
    }
    if (flags == null) {
      throw new SaplingException("critique config: flags are missing; give ResponseFlags.Rules.standard()");
    }
  }

  /** A builder with the defaults (see the class comment). */
  public static Builder builder() {
    return new Builder();
  }

  /** Fluent construction; {@link #build()} checks the values. */
  public static final class Builder {
    private List<String> criteria = List.of(Criterion.RESPONSE_LOGPROB, Criterion.IFD);
    private String rankBy = Criterion.RESPONSE_LOGPROB;
    private JudgePrompt judge = JudgePrompt.standard();
    private ResponseFlags.Rules flags = ResponseFlags.Rules.standard();

    Builder() {}

    /** The criteria to score with, by name ({@link Criterion#NAMES}). */
    public Builder criteria(String... names) {
      criteria = List.of(names);
      return this;
    }

    /** The criteria so far plus the judge. */
    public Builder withJudge() {
      if (!criteria.contains(Criterion.JUDGE)) {
        List<String> more = new java.util.ArrayList<>(criteria);
        more.add(Criterion.JUDGE);
        criteria = List.copyOf(more);
      }
      return this;
    }

    /** The criterion whose score ranks candidates. */
    public Builder rankBy(String name) {
      rankBy = name;
      return this;
    }

    /** The judge's few-shot prompt. */
    public Builder judge(JudgePrompt prompt) {
      judge = prompt;
      return this;
    }

    /** The flags' thresholds. */
    public Builder flags(ResponseFlags.Rules rules) {
      flags = rules;
      return this;
    }

    public CritiqueConfig build() {
      return new CritiqueConfig(criteria, rankBy, criteria.contains(Criterion.JUDGE) ? judge : null, flags);
    }
  }
}
