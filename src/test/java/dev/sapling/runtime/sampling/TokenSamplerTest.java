package dev.sapling.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Frequencies of drawn tokens against the distribution each setting should produce, computed here the slow obvious
 * way (full sort). Seeds are fixed, so the chi-square statistics are fixed numbers: the tests cannot flake; the
 * bound is the 0.1% critical value, which a correct sampler passes with a wide margin.
 */
class TokenSamplerTest {
  static final float[] LOGITS = {1.0f, 2.0f, -0.5f, 1.5f, 0.0f, 0.5f, -3.0f, 1.0f};
  static final int DRAWS = 40_000;

  /** Probabilities after temperature, top-k, top-p (renormalised over top-k) and min-p, by full sort. */
  static double[] expected(float[] logits, double t, int k, double topP, double minP) {
    int v = logits.length;
    double[] p = new double[v];
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l / t);
    }
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp(logits[i] / t - max);
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
    int kept = k > 0 ? Math.min(k, v) : v;
    double keptMass = 0;
    for (int j = 0; j < kept; j++) {
      keptMass += p[order[j]];
    }
    if (topP < 1) {
      double cumulative = 0;
      for (int j = 0; j < kept; j++) {
        cumulative += p[order[j]];
        if (cumulative >= topP * keptMass) {
          kept = j + 1;
          break;
        }
      }
    }
    double top = p[order[0]];
    double[] out = new double[v];
    double mass = 0;
    for (int j = 0; j < kept; j++) {
      if (p[order[j]] >= minP * top) {
        out[order[j]] = p[order[j]];
        mass += p[order[j]];
      }
    }
    for (int i = 0; i < v; i++) {
      out[i] /= mass;
    }
    return out;
  }

  static int[] counts(float[] logits, SamplingParams params, int draws) {
    TokenSampler sampler = new TokenSampler(params, logits.length);
    SamplingState state = new SamplingState(params.seed(), new int[0]);
    int[] counts = new int[logits.length];
    for (int i = 0; i < draws; i++) {
      counts[sampler.draw(logits, 0, state).token()]++;
    }
    return counts;
  }

  /** Pearson chi-square over the tokens with non-zero expected probability; asserts the rest were never drawn. */
  static double chiSquare(int[] counts, double[] expected, int draws) {
    double chi = 0;
    for (int i = 0; i < counts.length; i++) {
      if (expected[i] == 0) {
        assertEquals(0, counts[i], "token " + i + " is filtered out but was drawn");
      } else {
        double e = expected[i] * draws;
        chi += (counts[i] - e) * (counts[i] - e) / e;
      }
    }
    return chi;
  }

  /** Upper 0.1% point of chi-square with {@code df} degrees of freedom (df 1..7). */
  static double critical(int df) {
    return new double[] {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32}[df];
  }

  static void assertFrequencies(SamplingParams params, double[] expected) {
    int[] counts = counts(LOGITS, params, DRAWS);
    int support = (int) Arrays.stream(expected).filter(e -> e > 0).count();
    double chi = chiSquare(counts, expected, DRAWS);
    assertTrue(chi < critical(Math.max(1, support - 1)), params + ": chi-square " + chi + " over " + support
        + " tokens; counts " + Arrays.toString(counts) + " expected " + Arrays.toString(expected));
  }

  @Test
  void plainSamplingMatchesTheSoftmax() {
    assertFrequencies(SamplingParams.defaults().withSeed(1), expected(LOGITS, 1, 0, 1, 0));
  }

  @Test
  void temperatureSharpensAndFlattensAsExpected() {
    assertFrequencies(SamplingParams.defaults().withTemperature(0.5).withSeed(2), expected(LOGITS, 0.5, 0, 1, 0));
    assertFrequencies(SamplingParams.defaults().withTemperature(2.0).withSeed(3), expected(LOGITS, 2.0, 0, 1, 0));
  }

  @Test
  void topKKeepsTheKMostLikelyInProportion() {
    double[] e = expected(LOGITS, 1, 3, 1, 0);
    assertEquals(3, Arrays.stream(e).filter(x -> x > 0).count());
    assertFrequencies(SamplingParams.defaults().withTopK(3).withSeed(4), e);
  }

  @Test
  void topPKeepsTheSmallestNucleusReachingP() {
    double[] e = expected(LOGITS, 1, 0, 0.7, 0);
    assertEquals(3, Arrays.stream(e).filter(x -> x > 0).count()); // 0.358 + 0.217 + 0.132 >= 0.7
    assertEquals(0, e[7]); // tied with token 0, which wins the tie by its lower index
    assertFrequencies(SamplingParams.defaults().withTopP(0.7).withSeed(5), e);
  }

  @Test
  void minPDropsTokensBelowAFractionOfTheMostLikely() {
    double[] e = expected(LOGITS, 1, 0, 1, 0.3);
    assertFrequencies(SamplingParams.defaults().withMinP(0.3).withSeed(6), e);
  }

  @Test
  void filtersComposeInHuggingFaceOrder() {
    double[] e = expected(LOGITS, 1.5, 5, 0.8, 0.2);
    assertFrequencies(SamplingParams.defaults().withTemperature(1.5).withTopK(5).withTopP(0.8).withMinP(0.2)
        .withSeed(7), e);
  }

  @Test
  void topPOverALargeVocabularyKeepsExactlyTheNucleus() {
    SplittableRandom r = new SplittableRandom(99);
    float[] logits = new float[5_000];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (r.nextGaussian() * 3);
    }
    for (SamplingParams params : List.of(SamplingParams.defaults().withTopP(0.9).withSeed(8),
        SamplingParams.defaults().withTopK(200).withTopP(0.5).withSeed(9),
        SamplingParams.defaults().withTemperature(0.7).withMinP(0.01).withSeed(10))) {
      double[] e = expected(logits, params.temperature(), params.topK(), params.topP(), params.minP());
      int draws = 6_000;
      int[] counts = counts(logits, params, draws);
      // the ten most likely tokens one by one, the rest of the kept set as one bin
      Integer[] order = new Integer[logits.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(e[b], e[a]));
      double chi = 0;
      double restExpected = 0;
      int restCount = 0;
      for (int j = 0; j < order.length; j++) {
        int i = order[j];
        if (e[i] == 0) {
          assertEquals(0, counts[i], params + ": token " + i + " outside the kept set was drawn");
        } else if (j < 10) {
          double x = e[i] * draws;
          chi += (counts[i] - x) * (counts[i] - x) / x;
        } else {
          restExpected += e[i] * draws;
          restCount += counts[i];
        }
      }
      chi += (restCount - restExpected) * (restCount - restExpected) / restExpected;
      assertTrue(chi < 31.26, params + ": chi-square " + chi + " with 10 degrees of freedom"); // 0.1% point
    }
  }

  @Test
  void reportedLogprobIsTheUnmodifiedModelDistribution() {
    double logZ = 0;
    for (float l : LOGITS) {
      logZ += Math.exp(l);
    }
    logZ = Math.log(logZ);
    SamplingParams reshaped = SamplingParams.defaults().withTemperature(0.3).withTopK(2).withRepetitionPenalty(1.5)
        .withPresencePenalty(0.5).withSeed(11);
    TokenSampler sampler = new TokenSampler(reshaped, LOGITS.length);
    SamplingState state = new SamplingState(11, new int[] {1});
    for (int i = 0; i < 50; i++) {
      TokenSampler.Draw d = sampler.draw(LOGITS, 0, state);
      assertEquals(LOGITS[d.token()] - logZ, d.logprob(), 1e-6);
    }
  }

  @Test
  void refusesARowWithNaNLogits() {
    float[] broken = LOGITS.clone();
    broken[2] = Float.NaN;
    SaplingException e = assertThrows(SaplingException.class,
        () -> new TokenSampler(SamplingParams.defaults(), broken.length).draw(broken, 0, new SamplingState(0,
            new int[0])));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void greedyTakesTheArgmaxAndPenaltiesMoveIt() {
    TokenSampler greedy = new TokenSampler(SamplingParams.greedy(), LOGITS.length);
    assertEquals(1, greedy.draw(LOGITS, 0, new SamplingState(0, new int[0])).token());
    // token 1 is in the prompt: a repetition penalty of 2 halves its logit (2.0 -> 1.0), so token 3 (1.5) wins
    TokenSampler penalised = new TokenSampler(SamplingParams.greedy().withRepetitionPenalty(2), LOGITS.length);
    assertEquals(3, penalised.draw(LOGITS, 0, new SamplingState(0, new int[] {1})).token());
    // presence penalty applies to generated tokens only: first draw 1, then 1 is down by 1.0 and 3 wins
    TokenSampler presence = new TokenSampler(SamplingParams.greedy().withPresencePenalty(1.0), LOGITS.length);
    SamplingState s = new SamplingState(0, new int[] {3});
    assertEquals(1, presence.draw(LOGITS, 0, s).token());
    assertEquals(3, presence.draw(LOGITS, 0, s).token());
  }

  @Test
  void drawsDependOnlyOnTheSampleSeed() {
    SamplingParams params = SamplingParams.defaults().withSeed(42);
    List<Integer> a = new ArrayList<>();
    List<Integer> b = new ArrayList<>();
    TokenSampler sampler = new TokenSampler(params, LOGITS.length);
    SamplingState sa = SamplingState.forSample(42, 3, 1, new int[0]);
    SamplingState other = SamplingState.forSample(42, 0, 0, new int[0]);
    SamplingState sb = SamplingState.forSample(42, 3, 1, new int[0]);
    for (int i = 0; i < 100; i++) {
      a.add(sampler.draw(LOGITS, 0, sa).token());
      sampler.draw(LOGITS, 0, other); // interleaved rows do not disturb each other
    }
    for (int i = 0; i < 100; i++) {
      b.add(sampler.draw(LOGITS, 0, sb).token());
    }
    assertEquals(a, b);
    assertNotEquals(SamplingState.sampleSeed(42, 3, 1), SamplingState.sampleSeed(42, 1, 3));
  }
}
