package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import dev.sapling.model.KvCache;
import dev.sapling.model.Transformer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.testing.TinyModel;
import dev.sapling.testing.TinyModelExtension;
import dev.sapling.testing.TinyTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TinyModelExtension.class)
class ScorerTest {
  static final TinyTokenizer TOKENIZER = new TinyTokenizer();
  @TinyModel(seed = 23)
  static Transformer model;

  /** Pairs with shared and distinct contexts of different lengths and continuations of 1 to 9 tokens. */
  static List<Scorer.Pair> pairs() {
    int[] shared = {1, 34, 29, 61, 30};
    return List.of(
        new Scorer.Pair(shared, new int[] {29, 62}),
        new Scorer.Pair(new int[] {1}, new int[] {5, 6, 7, 8, 9, 10, 11, 12, 13}),
        new Scorer.Pair(shared, new int[] {29, 61, 30, 31}),
        new Scorer.Pair(new int[] {1, 40, 41, 42, 43, 44, 45, 46, 47}, new int[] {55}),
        new Scorer.Pair(shared, new int[] {33}),
        new Scorer.Pair(new int[] {1, 3}, new int[] {3, 3, 3, 3, 3}));
  }

  /** Per-token log-probs of the continuation from the log-softmax of one full forward over context + continuation. */
  static double[] reference(Scorer.Pair p) {
    int[] all = ReferenceDecoding.concat(p.context(), p.continuation());
    float[][] logits = ReferenceDecoding.logits(model, all);
    double[] out = new double[p.continuation().length];
    for (int j = 0; j < out.length; j++) {
      int position = p.context().length - 1 + j;
      out[j] = ReferenceDecoding.logSoftmax(logits[position])[p.continuation()[j]];
    }
    return out;
  }

  @Test
  void scoreEqualsTheFullForwardLogSoftmaxInEveryBatchingMode() {
    List<Scorer.Pair> pairs = pairs();
    Scorer base = Scorer.of(model, TOKENIZER);
    for (Scorer scorer : List.of(base, base.with(o -> o.withMaxBatchRows(2)), base.with(o -> o.withLogitsBudget(1)))) {
      List<ScoredText> scored = scorer.score(pairs);
      for (int i = 0; i < pairs.size(); i++) {
        double[] expected = reference(pairs.get(i));
        ScoredText s = scored.get(i);
        assertArrayEquals(pairs.get(i).continuation(), s.tokenIds());
        assertEquals(expected.length, s.tokens());
        double sum = 0;
        for (int j = 0; j < expected.length; j++) {
          assertEquals(expected[j], s.tokenLogprobs()[j], 1e-4, "pair " + i + " token " + j);
          sum += expected[j];
        }
        assertEquals(sum, s.logprobSum(), 1e-4);
        assertEquals(sum / expected.length, s.logprobMean(), 1e-4);
      }
    }
  }

  @Test
  void equalLengthUnsharedContextsScoredInOnePassMatchTheReference() {
    // distinct contexts of one length: scored as one causal pass (no prefill) unless the body budget forbids it
    List<Scorer.Pair> pairs = List.of(new Scorer.Pair(new int[] {1, 5, 9}, new int[] {4, 4, 8, 2, 60}),
        new Scorer.Pair(new int[] {1, 7, 3}, new int[] {11}), new Scorer.Pair(new int[] {1, 2, 2}, new int[] {}),
        new Scorer.Pair(new int[] {1, 30, 31}, new int[] {9, 9, 9, 9, 9, 9, 9, 1}));
    Scorer onePass = Scorer.of(model, TOKENIZER).with(o -> o.withBodyTokens(10_000));
    for (Scorer scorer : List.of(onePass, onePass.with(o -> o.withLogitsBudget(1)),
        onePass.with(o -> o.withBodyTokens(4)))) {
      List<ScoredText> scored = scorer.score(pairs);
      for (int i = 0; i < pairs.size(); i++) {
        double[] expected = reference(pairs.get(i));
        assertEquals(expected.length, scored.get(i).tokens());
        for (int j = 0; j < expected.length; j++) {
          assertEquals(expected[j], scored.get(i).tokenLogprobs()[j], 1e-4, "pair " + i + " token " + j);
        }
      }
    }
  }

  @Test
  void scoringASampledContinuationReproducesTheLogprobsGenerationReported() {
    Generator g = Generator.of(model, TOKENIZER);
    List<Completion> sampled = g.generate(List.of("the cat", "a dog.", "##", "xy 7"),
        SamplingParams.defaults().withTemperature(1.3).withTopK(20).withN(2).withMaxNewTokens(12).withSeed(77));
    List<Scorer.Pair> pairs = new ArrayList<>();
    for (Completion c : sampled) {
      pairs.add(new Scorer.Pair(c.promptTokenIds(), c.tokenIds()));
    }
    List<ScoredText> scored = Scorer.of(model, TOKENIZER).score(pairs);
    double maxDiff = 0;
    for (int i = 0; i < sampled.size(); i++) {
      float[] generated = sampled.get(i).logprobs();
      float[] rescored = scored.get(i).tokenLogprobs();
      assertEquals(generated.length, rescored.length);
      for (int j = 0; j < generated.length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(generated[j] - rescored[j]));
      }
      assertEquals(sampled.get(i).logprobSum(), scored.get(i).logprobSum(), 1e-4);
    }
    assertTrue(maxDiff < 1e-4, "generation vs scoring max log-prob diff " + maxDiff);
  }

  @Test
  void topAlternativesAreTheMostLikelyTokensBestFirst() {
    Scorer.Pair pair = pairs().get(1);
    ScoredText s = Scorer.of(model, TOKENIZER).with(o -> o.withTopAlternatives(3)).score(List.of(pair)).get(0);
    assertEquals(pair.continuation().length, s.topAlternatives().size());
    int[] all = ReferenceDecoding.concat(pair.context(), pair.continuation());
    float[][] logits = ReferenceDecoding.logits(model, all);
    for (int j = 0; j < s.tokens(); j++) {
      float[] row = logits[pair.context().length - 1 + j];
      double[] logSoftmax = ReferenceDecoding.logSoftmax(row);
      List<ScoredText.Alternative> alternatives = s.topAlternatives().get(j);
      assertEquals(3, alternatives.size());
      assertEquals(ReferenceDecoding.argMax(row), alternatives.get(0).token());
      for (ScoredText.Alternative a : alternatives) {
        assertEquals(logSoftmax[a.token()], a.logprob(), 1e-4);
      }
      assertTrue(alternatives.get(0).logprob() >= alternatives.get(1).logprob());
      assertTrue(alternatives.get(1).logprob() >= alternatives.get(2).logprob());
    }
    assertTrue(s.toJsonMap().containsKey("top_logprobs"));
  }

  /**
   * A 3,000-token vocabulary with budgets of one and two positions per LM-head chunk over one body pass, and body
   * passes of 4 positions with 3-position head chunks. In every batching mode the chunked log-probs and top-3 alternatives equal the one-chunk ones
   * (within 1e-6), and both equal the float32 log-softmax of one full forward (same top-3 tokens; log-probs within
   * 1e-6 relative, i.e. a few float32 ulps, as the prefill/continuation split sums in another order).
   */
  @Test
  void chunkedLmHeadEqualsOneChunkAndTheFullForwardLogSoftmaxWithTopAlternatives(
      @TinyModel(vocab = 3000, seed = 41) Transformer big, NDManager manager) {
    int vocab = big.config().vocabSize();
    int k = 3;
    java.util.Random random = new java.util.Random(5);
    List<Scorer.Pair> pairs = new ArrayList<>();
    int[] shared = random.ints(6, 3, vocab).toArray();
    for (int i = 0; i < 5; i++) {
      int[] context = i < 3 ? shared : random.ints(2 + i, 3, vocab).toArray();
      pairs.add(new Scorer.Pair(context, random.ints(3 + 3 * i, 3, vocab).toArray()));
    }
    List<float[]> fullLogSoftmax = new ArrayList<>();
    List<float[]> fullTopValues = new ArrayList<>();
    List<long[]> fullTopTokens = new ArrayList<>();
    for (Scorer.Pair p : pairs) {
      int[] all = ReferenceDecoding.concat(p.context(), p.continuation());
      try (NDManager m = manager.newSubManager();
          KvCache cache = KvCache.allocate(big.config(), m, DataType.FLOAT32, all.length, new int[] {0})) {
        NDArray logSoftmax = big.forward(m.create(all, new Shape(1, all.length)), cache, false).logSoftmax(2);
        NDList top = logSoftmax.topK(k, 2);
        fullLogSoftmax.add(logSoftmax.toFloatArray());
        fullTopValues.add(top.get(0).toFloatArray());
        fullTopTokens.add(top.get(1).toLongArray());
      }
    }
    for (int rows : new int[] {1, 2, pairs.size()}) {
      Scorer oneChunk = Scorer.of(big, TOKENIZER)
          .with(o -> o.withTopAlternatives(k).withMaxBatchRows(rows).withBodyTokens(Long.MAX_VALUE));
      List<ScoredText> reference = oneChunk.score(pairs);
      // head chunks of 1 and 2 positions over one body pass; body passes of 4 positions with head chunks of 3
      List<Scorer> chunkedScorers = List.of(oneChunk.with(o -> o.withLogitsBudget(1)),
          oneChunk.with(o -> o.withLogitsBudget(2L * rows * vocab)),
          oneChunk.with(o -> o.withBodyTokens(4L * rows).withLogitsBudget(3L * rows * vocab)));
      for (int mode = 0; mode < chunkedScorers.size(); mode++) {
        List<ScoredText> chunked = chunkedScorers.get(mode).score(pairs);
        for (int i = 0; i < pairs.size(); i++) {
          Scorer.Pair p = pairs.get(i);
          for (int j = 0; j < p.continuation().length; j++) {
            String where = "rows " + rows + " mode " + mode + " pair " + i + " token " + j;
            int position = p.context().length - 1 + j;
            float full = fullLogSoftmax.get(i)[position * vocab + p.continuation()[j]];
            // head chunks alone change nothing; body passes sum in another order, so a few ulps (1e-6 relative)
            float one = reference.get(i).tokenLogprobs()[j];
            assertEquals(one, chunked.get(i).tokenLogprobs()[j], mode < 2 ? 1e-6 : 1e-6 * Math.abs(one), where);
            assertEquals(full, chunked.get(i).tokenLogprobs()[j], 1e-6 * Math.abs(full), where);
            for (int a = 0; a < k; a++) {
              ScoredText.Alternative alt = chunked.get(i).topAlternatives().get(j).get(a);
              ScoredText.Alternative oneAlt = reference.get(i).topAlternatives().get(j).get(a);
              float fullTop = fullTopValues.get(i)[position * k + a];
              assertEquals(oneAlt.token(), alt.token(), where + " rank " + a);
              assertEquals(fullTopTokens.get(i)[position * k + a], alt.token(), where + " rank " + a);
              assertEquals(oneAlt.logprob(), alt.logprob(), mode < 2 ? 1e-6 : 1e-6 * Math.abs(oneAlt.logprob()),
                  where + " rank " + a);
              assertEquals(fullTop, alt.logprob(), 1e-6 * Math.abs(fullTop), where + " rank " + a);
            }
          }
        }
      }
    }
  }

  @Test
  void textPairsEncodeTheContextWithBosAndJsonHasTheIssueKeys() {
    Scorer scorer = Scorer.of(model, TOKENIZER);
    ScoredText s = scorer.score("the cat", " the dog");
    Scorer.Pair p = scorer.encode("the cat", " the dog");
    assertArrayEquals(new int[] {TinyTokenizer.BOS, 34, 29, 61}, p.context());
    assertArrayEquals(new int[] {35, 29, 62}, p.continuation());
    assertArrayEquals(p.continuation(), s.tokenIds());
    assertEquals(List.of("logprob_sum", "logprob_mean", "tokens", "token_logprobs"),
        new ArrayList<>(s.toJsonMap().keySet()));
    assertEquals(3, s.toJsonMap().get("tokens"));
    List<ScoredText> many = scorer.score("the cat", List.of(" the dog", "s."));
    assertArrayEquals(s.tokenLogprobs(), many.get(0).tokenLogprobs(), 1e-5f);
  }

  @Test
  void textContinuationsAreTokenizedAsInTheWholeTextUnlessTheBoundaryMerges() {
    Scorer scorer = Scorer.of(model, TOKENIZER);
    // "the" + "y" -> "they": the context's tokens survive, the rest is the continuation
    assertArrayEquals(new int[] {27}, scorer.encode("the", "y").continuation());
    // "a" + "b" -> "ab" is one token: the boundary merges, so the continuation is encoded alone
    Scorer.Pair merged = scorer.encode("a", "b");
    assertArrayEquals(new int[] {TinyTokenizer.BOS, 3}, merged.context());
    assertArrayEquals(new int[] {4}, merged.continuation());
  }

  @Test
  void anEmptyContinuationScoresZeroOverZeroTokens() {
    List<ScoredText> out = Scorer.of(model, TOKENIZER).score(List.of(new Scorer.Pair(new int[] {1, 5}, new int[0]),
        new Scorer.Pair(new int[] {1, 5}, new int[] {6})));
    assertEquals(0, out.get(0).tokens());
    assertEquals(0.0, out.get(0).logprobSum());
    assertNull(out.get(0).toJsonMap().get("logprob_mean"));
    assertEquals(1, out.get(1).tokens());
  }

  @Test
  void scoringLeavesNoNativeArraysBehind() {
    Scorer scorer = Scorer.of(model, TOKENIZER)
        .with(o -> o.withMaxBatchRows(4).withTopAlternatives(2).withLogitsBudget(200));
    scorer.score(pairs());
    NDManager weights = model.weights().embedding().getManager();
    int before = weights.getManagedArrays().size();
    for (int i = 0; i < 50; i++) {
      scorer.score(pairs());
    }
    assertEquals(before, weights.getManagedArrays().size());
  }

  @Test
  void refusesAnEmptyContextNamingThePair() {
    SaplingException e = assertThrows(SaplingException.class, () -> Scorer.of(model, TOKENIZER)
        .score(List.of(new Scorer.Pair(new int[] {1}, new int[] {4}), new Scorer.Pair(new int[0], new int[] {4}))));
    assertTrue(e.getMessage().startsWith("pair 1: the context has no tokens"), e.getMessage());
  }
}
