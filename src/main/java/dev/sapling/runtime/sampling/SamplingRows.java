package dev.sapling.runtime.sampling;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.Function;

/**
 * The per-row inputs of one device-side token choice ({@link DeviceSampling}): which logits row each request reads,
 * its sampling knobs, its uniform draw, and the tokens its penalties touch. Arrays are indexed by request {@code i}
 * (not by logits row); penalty tokens are parallel {@code (request, token)} lists. A greedy request's uniform is
 * unused; a filter is off at its neutral value (top-k 0, top-p 1, min-p 0, penalties 1 and 0).
 *
 * <pre>{@code
 * SamplingRows rows = SamplingRows.forStep(params, new int[] {0, 2}, states, vocab);   // takes one uniform per row
 * TokenSampler.Draw[] d = DeviceSampling.composed().select(logits, rows);
 * }</pre>
 *
 * @param logitRow the logits row (first dimension) request {@code i} chooses from; rows may repeat
 * @param temperature 0 means greedy (argmax after penalties)
 * @param topK 0 disables
 * @param topP 1 disables
 * @param minP 0 disables
 * @param repetitionPenalty 1 disables; applies to {@code seenRequest/seenToken}
 * @param presencePenalty 0 disables; applies to {@code generatedRequest/generatedToken}
 * @param uniform the request's draw in [0, 1)
 * @param seenRequest with {@code seenToken}: the prompt and generated tokens of each request (repetition penalty)
 * @param seenToken see {@code seenRequest}
 * @param generatedRequest with {@code generatedToken}: the generated tokens of each request (presence penalty)
 * @param generatedToken see {@code generatedRequest}
 */
public record SamplingRows(
    int[] logitRow,
    double[] temperature,
    int[] topK,
    double[] topP,
    double[] minP,
    double[] repetitionPenalty,
    double[] presencePenalty,
    double[] uniform,
    int[] seenRequest,
    int[] seenToken,
    int[] generatedRequest,
    int[] generatedToken) {

  public SamplingRows {
    int n = logitRow.length;
    for (Object[] field : new Object[][] {
        {"temperature", temperature.length}, {"topK", topK.length}, {"topP", topP.length}, {"minP", minP.length},
        {"repetitionPenalty", repetitionPenalty.length}, {"presencePenalty", presencePenalty.length},
        {"uniform", uniform.length}}) {
      if ((int) field[1] != n) {
        throw new IllegalArgumentException("sampling rows: field '" + field[0] + "' has " + field[1]
            + " values; expected one per request (" + n + ")");
      }
    }
    if (seenRequest.length != seenToken.length || generatedRequest.length != generatedToken.length) {
      throw new IllegalArgumentException("sampling rows: penalty lists need one request per token; got "
          + seenRequest.length + "/" + seenToken.length + " seen and " + generatedRequest.length + "/"
          + generatedToken.length + " generated");
    }
  }

  /** How many tokens are chosen. */
  public int size() {
    return logitRow.length;
  }

  /** True when a repetition or presence penalty touches at least one token. */
  public boolean hasPenaltyTokens() {
    return seenToken.length + generatedToken.length > 0;
  }

  /**
   * The inputs for one step of requests that all share {@code params}: request {@code i} reads logits row
   * {@code logitRows[i]} and, unless greedy, takes one uniform from {@code states[i]} now (as {@link TokenSampler}
   * does once per draw). Penalty tokens at or above {@code vocab} are left out, as the Java sampler ignores them.
   */
  public static SamplingRows forStep(SamplingParams params, int[] logitRows, SamplingState[] states, int vocab) {
    int n = logitRows.length;
    double t = params.isGreedy() ? 0 : params.temperature();
    double[] uniform = new double[n];
    for (int i = 0; i < n; i++) {
      uniform[i] = t == 0 ? 0 : states[i].nextUniform();
    }
    int[][] seen = params.repetitionPenalty() != 1.0 ? pairs(states, SamplingState::seen, vocab) : new int[2][0];
    int[][] generated = params.presencePenalty() != 0.0
        ? pairs(states, SamplingState::generated, vocab) : new int[2][0];
    return new SamplingRows(logitRows.clone(), filled(n, t), filledInt(n, params.topK()), filled(n, params.topP()),
        filled(n, params.minP()), filled(n, params.repetitionPenalty()), filled(n, params.presencePenalty()), uniform,
        seen[0], seen[1], generated[0], generated[1]);
  }

  /** The {@code (request, token)} pairs of each state's token set, tokens below {@code vocab} only. */
  private static int[][] pairs(SamplingState[] states, Function<SamplingState, BitSet> set, int vocab) {
    int total = 0;
    for (SamplingState s : states) {
      total += set.apply(s).get(0, vocab).cardinality();
    }
    int[] request = new int[total];
    int[] token = new int[total];
    int k = 0;
    for (int i = 0; i < states.length; i++) {
      BitSet b = set.apply(states[i]);
      for (int id = b.nextSetBit(0); id >= 0 && id < vocab; id = b.nextSetBit(id + 1)) {
        request[k] = i;
        token[k++] = id;
      }
    }
    return new int[][] {request, token};
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }

  private static int[] filledInt(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }
}
