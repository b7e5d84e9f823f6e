package dev.sapling.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.runtime.device.BridgeRequirement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The device-side choice ({@link ComposedSampling}, and {@link FusedSampling} where the bridge is loaded) against
 * {@link TokenSampler}, the reference: same tokens and log-probs for the same seeded states, over every setting,
 * random logits with ties, flat and masked rows, extreme temperatures, penalties that grow as tokens are generated,
 * and repeated or skipped logits rows.
 */
class DeviceSamplingTest {
  static final int BATCH = 6;
  static final int STEPS = 12;

  @AutoClose
  static final NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");

  /** Every knob alone, the usual compositions, and the extremes. */
  static List<SamplingParams> settings() {
    SamplingParams d = SamplingParams.defaults();
    return List.of(SamplingParams.greedy(), d, d.withTemperature(0.7), d.withTemperature(0.01),
        d.withTemperature(50), d.withTopK(1), d.withTopK(5), d.withTopK(50).withTemperature(0.8),
        d.withTopK(100_000), d.withTopP(0.5), d.withTopP(0.9).withTemperature(1.3), d.withTopP(0.999),
        d.withMinP(0.05), d.withMinP(0.3).withTemperature(0.5), d.withMinP(1.0), d.withTopK(40).withTopP(0.9).withMinP(0.02),
        d.withRepetitionPenalty(1.3), d.withPresencePenalty(0.7).withTemperature(0.9),
        SamplingParams.greedy().withRepetitionPenalty(1.5).withPresencePenalty(0.4),
        d.withTopK(20).withTopP(0.8).withRepetitionPenalty(1.2).withPresencePenalty(-0.3));
  }

  /**
   * Rows shaped like a model's logits, and the awkward ones: logits on a coarse grid (many exact ties, also in
   * float32 probability), a flat row, a row with most tokens at -inf, and a row with a spread of thousands.
   */
  static float[] logits(SplittableRandom r, int vocab) {
    float[] x = new float[BATCH * vocab];
    for (int b = 0; b < BATCH; b++) {
      for (int i = 0; i < vocab; i++) {
        double g = r.nextGaussian();
        x[b * vocab + i] = (float) switch (b) {
          case 0 -> g * 3 + 12;
          case 1 -> Math.round(g * 4) / 2.0; // ties
          case 2 -> -1.25;                    // flat
          case 3 -> i % 7 == 0 ? g * 2 : Double.NEGATIVE_INFINITY;
          case 4 -> g * 1000;
          default -> g;
        };
      }
    }
    return x;
  }

  static SamplingState[] states(long seed, int n) {
    SamplingState[] s = new SamplingState[n];
    for (int i = 0; i < n; i++) {
      s[i] = SamplingState.forSample(seed, i, 0, new int[] {1, 2, 3, 5, 8, 13, 21, 34});
    }
    return s;
  }

  @Test
  void composedOpsDrawWhatTheJavaSamplerDrawsForEverySetting() {
    for (SamplingParams params : settings()) {
      assertMatchesJava(params, DeviceSampling.composed(), 3000, STEPS);
    }
  }

  @Test
  void composedOpsDrawWhatTheJavaSamplerDrawsAtLlama3VocabularySize() {
    SamplingParams d = SamplingParams.defaults();
    for (SamplingParams params : List.of(d.withTemperature(0.8), d.withTopP(0.95), d.withTopK(50).withMinP(0.01))) {
      assertMatchesJava(params, DeviceSampling.composed(), 128_256, 4);
    }
  }

  /** Runs where the engine is on the Sapling bridge (scripts/cpu-bridge.sh locally, a GPU pod); skipped otherwise. */
  @Test
  void nativeCallDrawsWhatTheJavaSamplerDrawsForEverySetting() {
    DeviceSampling fused = fusedOrSkip();
    for (SamplingParams params : settings()) {
      assertMatchesJava(params, fused, 3000, STEPS);
    }
    assertMatchesJava(SamplingParams.defaults().withTopP(0.95), fused, 128_256, 4);
  }

  @Test
  void nativeCallAndComposedOpsGiveIdenticalDrawsForMixedPerRowSettings() {
    DeviceSampling fused = fusedOrSkip();
    SplittableRandom r = new SplittableRandom(5);
    int vocab = 2000;
    for (int trial = 0; trial < 20; trial++) {
      NDArray x = manager.create(logits(r, vocab), new Shape(BATCH, vocab));
      int n = 9;
      int[] rows = new int[n];
      double[] t = new double[n];
      int[] k = new int[n];
      double[] topP = new double[n];
      double[] minP = new double[n];
      double[] rp = new double[n];
      double[] pp = new double[n];
      double[] u = new double[n];
      for (int i = 0; i < n; i++) {
        rows[i] = r.nextInt(BATCH);
        t[i] = r.nextInt(4) == 0 ? 0 : r.nextDouble(0.05, 3);
        k[i] = r.nextBoolean() ? 0 : r.nextInt(1, 200);
        topP[i] = r.nextBoolean() ? 1 : r.nextDouble(0.05, 1);
        minP[i] = r.nextBoolean() ? 0 : r.nextDouble(0, 0.5);
        rp[i] = r.nextBoolean() ? 1 : r.nextDouble(0.5, 2);
        pp[i] = r.nextBoolean() ? 0 : r.nextDouble(-1, 1);
        u[i] = r.nextDouble();
      }
      int[] seenRequest = r.ints(300, 0, n).toArray();
      int[] seenToken = r.ints(300, 0, vocab).toArray();
      int[] generatedRequest = r.ints(40, 0, n).toArray();
      int[] generatedToken = r.ints(40, 0, vocab).toArray();
      SamplingRows in = new SamplingRows(rows, t, k, topP, minP, rp, pp, u, seenRequest, seenToken,
          generatedRequest, generatedToken);
      TokenSampler.Draw[] composed = DeviceSampling.composed().select(x, in);
      TokenSampler.Draw[] fast = fused.select(x, in);
      for (int i = 0; i < n; i++) {
        assertEquals(composed[i], fast[i], "trial " + trial + " request " + i);
      }
      x.close();
    }
  }

  /**
   * The ends of the uniform's range: 0 takes the first token with weight (by id without a filter, the most likely
   * with one); 1, which no state gives but rounding of {@code u * total} can reach, takes the last token with weight,
   * never a masked one ({@link TokenSampler}'s fallback).
   */
  @Test
  void uniformsAtTheEndsOfTheRangeDrawTheFirstAndLastTokenWithWeight() {
    int vocab = 50;
    float[] x = new float[vocab];
    int lowest = -1;
    int highest = -1;
    for (int i = 0; i < vocab; i++) {
      x[i] = i % 7 == 3 ? (float) Math.sin(i) : Float.NEGATIVE_INFINITY; // ids 3, 10, ..., 45 have weight
      if (i % 7 == 3) {
        lowest = lowest < 0 || x[i] < x[lowest] ? i : lowest;
        highest = highest < 0 || x[i] > x[highest] ? i : highest;
      }
    }
    List<DeviceSampling> implementations = new ArrayList<>(List.of(DeviceSampling.composed()));
    FusedSampling.load().ifPresent(implementations::add);
    for (DeviceSampling sampling : implementations) {
      NDArray logits = manager.create(x, new Shape(1, vocab));
      int[][] expected = {{3, 45}, {highest, lowest}}; // {u = 0, u = 1} without and with a filter (top-k 100)
      for (int filtered = 0; filtered < 2; filtered++) {
        for (int end = 0; end < 2; end++) {
          SamplingRows rows = new SamplingRows(new int[] {0}, new double[] {1}, new int[] {filtered * 100},
              new double[] {1}, new double[] {0}, new double[] {1}, new double[] {0}, new double[] {end},
              new int[0], new int[0], new int[0], new int[0]);
          assertEquals(expected[filtered][end], sampling.select(logits, rows)[0].token(),
              sampling.getClass().getSimpleName() + (filtered == 1 ? " top-k" : " plain") + " u = " + end);
        }
      }
      logits.close();
    }
  }

  @Test
  void nativeSamplingIsAvailableExactlyWhenTheSaplingBridgeIsLoaded() {
    assertEquals(JniUtils.getFeatures().contains("SAPLING_BRIDGE"), FusedSampling.load().isPresent(),
        "features " + JniUtils.getFeatures());
  }

  @Test
  void forParamsSamplesFiltersInJavaWhenTheLogitsAreOnTheCpu() {
    SamplingParams params = SamplingParams.defaults().withTopK(40).withRepetitionPenalty(1.1);
    SplittableRandom r = new SplittableRandom(9);
    int vocab = 500;
    float[] x = logits(r, vocab);
    NDArray array = manager.create(x, new Shape(BATCH, 1, vocab));
    int[] rows = {5, 0, 0};
    SamplingState[] selected = states(4, rows.length);
    SamplingState[] reference = states(4, rows.length);
    TokenSampler.Draw[] draws = TokenSelector.forParams(params, vocab).select(array, rows, selected);
    TokenSampler sampler = new TokenSampler(params, vocab);
    for (int i = 0; i < rows.length; i++) {
      assertEquals(sampler.draw(x, rows[i] * vocab, reference[i]), draws[i], "request " + i);
    }
    array.close();
  }

  /** Steps of every path from identically seeded states; tokens equal, log-probs within float32 rounding. */
  static void assertMatchesJava(SamplingParams params, DeviceSampling sampling, int vocab, int steps) {
    SplittableRandom r = new SplittableRandom(vocab * 31L + params.hashCode());
    DeviceTokenSelector selector = new DeviceTokenSelector(params, sampling);
    TokenSampler sampler = new TokenSampler(params, vocab);
    int[] rows = {0, 1, 2, 3, 4, 5, 1, 0};
    SamplingState[] device = states(7, rows.length);
    SamplingState[] java = states(7, rows.length);
    Set<Integer> drawn = new HashSet<>();
    for (int step = 0; step < steps; step++) {
      float[] x = logits(r, vocab);
      boolean threeD = step % 2 == 0;
      NDManager stepManager = manager.newSubManager();
      NDArray array = stepManager.create(x, threeD ? new Shape(BATCH, 1, vocab) : new Shape(BATCH, vocab));
      int[] pick = step % 3 == 2 ? new int[] {4, 1, 0} : new int[] {0, 1, 2, 3, 4, 5, 6, 7}; // some steps: a subset
      int[] logitRows = new int[pick.length];
      SamplingState[] liveDevice = new SamplingState[pick.length];
      SamplingState[] liveJava = new SamplingState[pick.length];
      for (int i = 0; i < pick.length; i++) {
        logitRows[i] = rows[pick[i]];
        liveDevice[i] = device[pick[i]];
        liveJava[i] = java[pick[i]];
      }
      TokenSampler.Draw[] got = selector.select(array, logitRows, liveDevice);
      for (int i = 0; i < pick.length; i++) {
        TokenSampler.Draw expected = sampler.draw(x, logitRows[i] * vocab, liveJava[i]);
        String where = params + " vocab " + vocab + " step " + step + " logits row " + logitRows[i];
        assertEquals(expected.token(), got[i].token(), where);
        double tolerance = 2e-6 * Math.max(1, Math.abs(expected.logprob()));
        assertEquals(expected.logprob(), got[i].logprob(), tolerance, where);
        drawn.add(got[i].token());
      }
      assertEquals(1, stepManager.getManagedArrays().size(), "only the logits array is left");
      stepManager.close();
    }
    assertTrue(drawn.size() > BATCH, params + ": the draws vary (" + drawn.size() + " distinct tokens)");
  }

  static DeviceSampling fusedOrSkip() {
    return BridgeRequirement.present(FusedSampling.load());
  }
}
