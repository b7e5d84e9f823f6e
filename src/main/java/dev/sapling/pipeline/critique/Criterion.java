package dev.sapling.pipeline.critique;

import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import java.util.List;

/**
 * One way the {@link Critic} scores a response: which (context, continuation) token pairs it needs the model's
 * log-probabilities of, and how it turns them into one number, higher meaning better. Nothing here reads generated
 * text for an answer, so no criterion can fail to parse: a score is a function of log-probabilities only.
 *
 * <p>The built-in criteria (names as recorded in every critique record):
 * <ul>
 *   <li>{@value #RESPONSE_LOGPROB}: log p(response | prompt) / tokens, the length-normalised log-likelihood of the
 *       response after the prompt it was sampled from;</li>
 *   <li>{@value #IFD}: (log p(y | x) − log p(y)) / tokens over the same response tokens, i.e. minus the log of
 *       Li et al.'s instruction-following difficulty ("From Quantity to Quality", NAACL 2024: IFD = PPL(y|x) /
 *       PPL(y)): how much the instruction makes the answer more likely. p(y) conditions on the document start only
 *       (BOS, or EOS for a model without BOS);</li>
 *   <li>{@value #JUDGE}: log p(" Yes") − log p(" No") after a few-shot judge prompt ({@link JudgePrompt}) that
 *       shows the instruction and the response and asks whether the response follows it.</li>
 * </ul>
 *
 * <pre>{@code
 * Criterion c = Criterion.responseLogprob();
 * List<Scorer.Pair> pairs = c.pairs(item, encoding);     // what to score
 * double s = c.score(scorer.score(pairs));              // one number
 * }</pre>
 */
public interface Criterion {
  /** The name of {@link #responseLogprob()}. */
  String RESPONSE_LOGPROB = "response_logprob";
  /** The name of {@link #ifd()}. */
  String IFD = "ifd";
  /** The name of {@link #judge(JudgePrompt)}. */
  String JUDGE = "judge";
  /** The built-in criteria's names, in the order the critic records them. */
  List<String> NAMES = List.of(RESPONSE_LOGPROB, IFD, JUDGE);

  /** The name recorded with the score, snake_case. */
  String name();

  /** The token pairs to score for {@code item}, built with {@code encoding} (which fits them to the context). */
  List<Scorer.Pair> pairs(Critic.Item item, Critic.Encoding encoding);

  /** The score from the scored pairs, given in the order {@link #pairs} returned them; NaN when undefined. */
  double score(List<ScoredText> scored);

  /** Mean log p(response | prompt) per response token. */
  static Criterion responseLogprob() {
    return new ResponseLogprob();
  }

  /** Mean log p(y | x) − mean log p(y) over the response tokens (−log IFD). */
  static Criterion ifd() {
    return new InstructionFollowingDifficulty();
  }

  /** log p(yes) − log p(no) after {@code prompt}'s few-shot judge prompt. */
  static Criterion judge(JudgePrompt prompt) {
    return new FewShotJudge(prompt);
  }

  /** A built-in criterion by name, the judge with {@code judge}'s prompt. */
  static Criterion named(String name, JudgePrompt judge) {
    return switch (name) {
      case RESPONSE_LOGPROB -> responseLogprob();
      case IFD -> ifd();
      case JUDGE -> judge(judge);
      default -> throw new IllegalArgumentException("unknown criterion '" + name + "'; expected one of " + NAMES);
    };
  }
}
