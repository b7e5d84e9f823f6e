package dev.sapling.pipeline.critique;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import dev.sapling.data.Json;
import dev.sapling.model.Transformer;
import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import dev.sapling.testing.TinyModel;
import dev.sapling.testing.TinyModelExtension;
import dev.sapling.testing.TinyTokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every criterion against the Scorer's own log-probs on the tiny model, degenerate scores, and context fitting. */
@ExtendWith(TinyModelExtension.class)
class CriticTest {
  @TinyModel(seed = 5)
  static Transformer model;

  private static final TinyTokenizer TOKENIZER = new TinyTokenizer();
  private static final int CONTEXT = 256; // TestModels.tinyLlama's max positions
  /** The judge prompt in the tiny tokenizer's alphabet (lowercase letters and a few marks). */
  private static final JudgePrompt JUDGE = new JudgePrompt("judge each.", List.of(
      new JudgePrompt.Shot("name a cat.", "the cat.", true),
      new JudgePrompt.Shot("name a dog.", "ab ba ab.", false)), "task ", "answer ", "ok?", " yes", " no");
  private static final Critic.Item ITEM = new Critic.Item("name a dog.\n", "name a dog.", "the dog s. the cat.");

  private Scorer scorer() {
    return Scorer.of(model, TOKENIZER);
  }

  private Critic critic(String rankBy, Criterion... criteria) {
    return new Critic(scorer(), TOKENIZER, CONTEXT, List.of(criteria), rankBy);
  }

  @Test
  void responseLogprobIsTheScorersMeanLogprobOfTheResponseAfterItsPrompt() {
    ScoredText direct = scorer().score(ITEM.prompt(), ITEM.response());
    Critic.Verdict v = critic(Criterion.RESPONSE_LOGPROB, Criterion.responseLogprob()).score(ITEM).get(0);
    assertEquals(direct.logprobMean(), v.margin(), 1e-6);
    assertEquals(direct.tokens(), v.responseTokens());
    assertEquals(List.of(), v.degenerate());
    assertFalse(v.fittedToContext());
    assertTrue(v.margin() < 0);
  }

  @Test
  void ifdIsTheConditionalMinusTheUnconditionalMeanOverTheSameTokens() {
    Scorer s = scorer();
    Scorer.Pair conditional = s.encode(ITEM.prompt(), ITEM.response());
    double withInstruction = s.score(List.of(conditional)).get(0).logprobMean();
    double alone = s.score(List.of(new Scorer.Pair(new int[] {TinyTokenizer.BOS}, conditional.continuation())))
        .get(0).logprobMean();
    Critic.Verdict v = critic(Criterion.IFD, Criterion.responseLogprob(), Criterion.ifd()).score(ITEM).get(0);
    assertEquals(withInstruction - alone, v.scores().get(Criterion.IFD), 1e-6);
    assertEquals(withInstruction, v.scores().get(Criterion.RESPONSE_LOGPROB), 1e-6);
    assertEquals(v.scores().get(Criterion.IFD), v.margin(), 0);
    assertEquals(List.of(Criterion.RESPONSE_LOGPROB, Criterion.IFD), List.copyOf(v.scores().keySet()));
  }

  @Test
  void judgeIsLogpYesMinusLogpNoAfterTheFewShotPrompt() {
    String context = JUDGE.render(ITEM.instruction(), ITEM.response(), 2);
    assertEquals("judge each.\n\ntask name a cat.\nanswer the cat.\nok? yes\n\ntask name a dog.\nanswer ab ba ab.\n"
        + "ok? no\n\ntask name a dog.\nanswer the dog s. the cat.\nok?", context);
    List<ScoredText> direct = scorer().score(context, List.of(" yes", " no"));
    Critic.Verdict v = critic(Criterion.JUDGE, Criterion.judge(JUDGE)).score(ITEM).get(0);
    assertEquals(direct.get(0).logprobSum() - direct.get(1).logprobSum(), v.margin(), 1e-6);
    assertFalse(v.fittedToContext());
  }

  @Test
  void anEmptyResponseIsNotScoredAndIsDegenerate() {
    Critic critic = critic(Criterion.RESPONSE_LOGPROB, Criterion.responseLogprob(), Criterion.ifd());
    List<Critic.Verdict> v = critic.score(ITEM, new Critic.Item(ITEM.prompt(), ITEM.instruction(), "  \n"));
    assertEquals(List.of(Critic.EMPTY_RESPONSE), v.get(1).degenerate());
    assertTrue(Double.isNaN(v.get(1).margin()));
    assertFalse(v.get(1).rankable());
    assertTrue(v.get(1).scores().values().stream().allMatch(d -> Double.isNaN(d)));
    assertTrue(v.get(0).rankable(), "the other item is scored as usual");
  }

  @Test
  void aScoreThatIsNotFiniteIsNamedAsDegenerate() {
    Criterion broken = new Criterion() {
      public String name() {
        return "broken";
      }

      public List<Scorer.Pair> pairs(Critic.Item item, Critic.Encoding encoding) {
        return List.of(encoding.response());
      }

      public double score(List<ScoredText> scored) {
        return Double.NEGATIVE_INFINITY;
      }
    };
    Critic.Verdict v = critic(Criterion.RESPONSE_LOGPROB, Criterion.responseLogprob(), broken).score(ITEM).get(0);
    assertEquals(List.of("broken"), v.degenerate());
    assertTrue(v.rankable(), "the ranking criterion is fine");
    Critic.Verdict ranked = critic("broken", broken).score(ITEM).get(0);
    assertFalse(ranked.rankable());
  }

  @Test
  void aResponseLongerThanTheContextIsCutToFitAndSaysSo() {
    String longResponse = "the cat s. ".repeat(80); // 320 tokens: "the", " ", "cat", " ", "s." ... > 256
    Critic.Item item = new Critic.Item(ITEM.prompt(), ITEM.instruction(), longResponse);
    Scorer s = scorer();
    Scorer.Pair whole = s.encode(item.prompt(), item.response());
    int room = CONTEXT - whole.context().length;
    double expected = s.score(List.of(new Scorer.Pair(whole.context(), Arrays.copyOf(whole.continuation(), room))))
        .get(0).logprobMean();
    Critic.Verdict v = critic(Criterion.RESPONSE_LOGPROB, Criterion.responseLogprob(), Criterion.ifd()).score(item)
        .get(0);
    assertTrue(v.fittedToContext());
    assertEquals(whole.continuation().length, v.responseTokens(), "tokens before fitting");
    assertEquals(expected, v.margin(), 1e-6);
    assertTrue(Double.isFinite(v.scores().get(Criterion.IFD)));
  }

  @Test
  void theJudgeDropsExamplesThenCutsTheResponseToFit() {
    Critic critic = critic(Criterion.JUDGE, Criterion.judge(JUDGE));
    Critic.Verdict fits = critic.score(ITEM).get(0);
    Critic.Verdict cut = critic.score(new Critic.Item(ITEM.prompt(), ITEM.instruction(), "the dog s. ".repeat(60)))
        .get(0);
    assertFalse(fits.fittedToContext());
    assertTrue(cut.fittedToContext());
    assertTrue(cut.rankable());

    // a response that fits once examples are dropped: the most examples that fit, the response whole
    String medium = "the dog s. ".repeat(34);
    Scorer s = scorer();
    int shots = 2;
    while (length(s.encode(JUDGE.render(ITEM.instruction(), medium, shots), " yes")) > CONTEXT) {
      shots--;
    }
    assertTrue(shots < 2, "the test response must be too long for every example");
    List<ScoredText> direct = s.score(JUDGE.render(ITEM.instruction(), medium, shots), List.of(" yes", " no"));
    Critic.Verdict dropped = critic.score(new Critic.Item(ITEM.prompt(), ITEM.instruction(), medium)).get(0);
    assertTrue(dropped.fittedToContext());
    assertEquals(direct.get(0).logprobSum() - direct.get(1).logprobSum(), dropped.margin(), 1e-6);
  }

  @Test
  void theConfigNamesItsCriteriaAndRoundTripsThroughTheManifest() throws Exception {
    CritiqueConfig logprob = Critics.logprob().build();
    assertEquals(List.of(Criterion.RESPONSE_LOGPROB, Criterion.IFD), logprob.criteria());
    assertEquals(null, logprob.judge(), "no judge prompt recorded when the judge does not score");
    CritiqueConfig judge = Critics.judge().build();
    assertEquals(Criterion.NAMES, judge.criteria());
    assertEquals(Criterion.JUDGE, judge.rankBy());
    assertEquals(judge, CritiqueStage.recorded(Json.mapper().valueToTree(judge)));
    assertEquals(logprob, CritiqueStage.recorded(Json.mapper().valueToTree(logprob)));
    SaplingException e = assertThrows(SaplingException.class, () -> Critics.logprob().rankBy(Criterion.JUDGE).build());
    assertTrue(e.getMessage().contains("rank_by 'judge'"), e.getMessage());
    assertThrows(SaplingException.class, () -> Critics.logprob().criteria("bleu").build());
    assertThrows(SaplingException.class, () -> critic("nope", Criterion.responseLogprob()));
  }

  private static int length(Scorer.Pair p) {
    return p.context().length + p.continuation().length;
  }
}
