package dev.sapling.runtime.sampling;

import dev.sapling.SaplingException;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Chooses the next token from one row of logits, in plain Java. First the log-probability of every token under the
 * model's own distribution (log-softmax in double), which is what a completion reports; then the reshaping the
 * parameters ask for (penalties, temperature, top-k, top-p, min-p); then one draw from the row's own generator.
 *
 * <p>One sampler serves every row of a batch (it only keeps scratch space); per-row state lives in
 * {@link SamplingState}. Not thread-safe.
 *
 * <pre>{@code
 * TokenSampler sampler = new TokenSampler(params, vocabSize);
 * TokenSampler.Draw d = sampler.draw(logits, row * vocabSize, state);   // d.token(), d.logprob()
 * }</pre>
 */
public final class TokenSampler {
  /** A chosen token and its log-probability under the unmodified model distribution. */
  public record Draw(int token, float logprob) {}

  private final SamplingParams params;
  private final int vocab;
  private final double[] weights;
  private long[] keys = new long[64];

  public TokenSampler(SamplingParams params, int vocabSize) {
    this.params = params;
    this.vocab = vocabSize;
    this.weights = new double[vocabSize];
  }

  /** Chooses a token from {@code logits[offset .. offset + vocab)} and records it in {@code state}. */
  public Draw draw(float[] logits, int offset, SamplingState state) {
    double[] w = weights;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      w[i] = Math.exp(logits[offset + i] - max);
      sum += w[i];
    }
    double logZ = max + Math.log(sum);
    if (!Double.isFinite(logZ)) {
      throw new SaplingException("logits row at offset " + offset + " has no finite log-normaliser (max " + max
          + "); the forward pass produced NaN or infinite values (overflow in a narrow dtype?)");
    }
    int token;
    if (!params.isGreedy() && params.temperature() == 1.0 && !params.hasPenalties()) {
      // w already holds the unnormalised distribution (max weight 1): no second pass of exp
      token = filtered() ? drawFiltered(w, sum, state.nextUniform()) : drawInOrder(w, sum, state.nextUniform());
    } else {
      for (int i = 0; i < vocab; i++) {
        w[i] = logits[offset + i];
      }
      applyPenalties(w, state);
      token = params.isGreedy() ? argMax(w) : sample(w, state);
    }
    state.accept(token);
    return new Draw(token, (float) (logits[offset + token] - logZ));
  }

  private boolean filtered() {
    return params.topK() > 0 || params.topP() < 1 || params.minP() > 0;
  }

  private void applyPenalties(double[] w, SamplingState state) {
    double rp = params.repetitionPenalty();
    if (rp != 1.0) {
      BitSet seen = state.seen();
      for (int i = seen.nextSetBit(0); i >= 0 && i < vocab; i = seen.nextSetBit(i + 1)) {
        w[i] = w[i] > 0 ? w[i] / rp : w[i] * rp;
      }
    }
    double pp = params.presencePenalty();
    if (pp != 0.0) {
      BitSet generated = state.generated();
      for (int i = generated.nextSetBit(0); i >= 0 && i < vocab; i = generated.nextSetBit(i + 1)) {
        w[i] -= pp;
      }
    }
  }

  /** Index of the largest value; the lowest index wins a tie. */
  static int argMax(double[] w) {
    int best = 0;
    for (int i = 1; i < w.length; i++) {
      if (w[i] > w[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Temperature, then the filters, then one draw. {@code w} becomes unnormalised probabilities (max = 1). */
  private int sample(double[] w, SamplingState state) {
    double t = params.temperature();
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      w[i] /= t;
      max = Math.max(max, w[i]);
    }
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      w[i] = Math.exp(w[i] - max);
      total += w[i];
    }
    return filtered() ? drawFiltered(w, total, state.nextUniform()) : drawInOrder(w, total, state.nextUniform());
  }

  private int drawInOrder(double[] p, double total, double u) {
    double target = u * total;
    double cumulative = 0;
    int last = 0;
    for (int i = 0; i < vocab; i++) {
      if (p[i] > 0) {
        cumulative += p[i];
        last = i;
        if (cumulative > target) {
          return i;
        }
      }
    }
    return last;
  }

  /**
   * top-k, then top-p over the renormalised top-k mass, then min-p (relative to the most likely token, whose weight
   * is 1). Only tokens that can survive are sorted: those at or above a threshold, lowered until that set is known to
   * hold every survivor and the top-p boundary.
   */
  private int drawFiltered(double[] p, double total, double u) {
    int k = params.topK();
    double topP = params.topP();
    double minP = params.minP();
    double threshold = minP > 0 ? minP : 1e-3;
    int count;
    while (true) {
      count = collect(p, threshold);
      boolean minPBounds = minP > 0 && threshold <= minP; // every min-p survivor is collected
      boolean enough;
      if (k > 0) {
        enough = count >= k || (topP >= 1 && minPBounds);
      } else {
        enough = topP >= 1 || minPBounds || massOfKeys(p, count) >= topP * total;
      }
      if (enough || threshold == 0) {
        break;
      }
      threshold = threshold < 1e-30 ? 0 : threshold / 64;
    }
    // ascending keys: position count-1-j holds the j-th most likely token (lowest index first among equals)
    Arrays.sort(keys, 0, count);
    int kept = k > 0 ? Math.min(count, k) : count;
    if (topP < 1) {
      double denominator = k > 0 ? prefixMass(p, count, kept) : total;
      double cumulative = 0;
      int j = 0;
      while (j < kept) {
        cumulative += p[ranked(count, j)];
        j++;
        if (cumulative >= topP * denominator) {
          break;
        }
      }
      kept = j;
    }
    if (minP > 0) {
      int j = 0;
      while (j < kept && p[ranked(count, j)] >= minP) {
        j++;
      }
      kept = Math.max(1, j);
    }
    double target = u * prefixMass(p, count, kept);
    double cumulative = 0;
    for (int j = 0; j < kept; j++) {
      cumulative += p[ranked(count, j)];
      if (cumulative > target) {
        return ranked(count, j);
      }
    }
    return ranked(count, kept - 1);
  }

  /** The token of rank {@code j} (0 = most likely) among {@code count} sorted keys. */
  private int ranked(int count, int j) {
    return index(keys[count - 1 - j]);
  }

  private double prefixMass(double[] p, int count, int ranks) {
    double mass = 0;
    for (int j = 0; j < ranks; j++) {
      mass += p[ranked(count, j)];
    }
    return mass;
  }

  /** Fills {@code keys} with the tokens whose weight is at least {@code threshold}; returns how many. */
  private int collect(double[] p, double threshold) {
    int count = 0;
    for (int i = 0; i < vocab; i++) {
      if (p[i] >= threshold && p[i] > 0) {
        if (count == keys.length) {
          keys = Arrays.copyOf(keys, Math.min(vocab, keys.length * 2));
        }
        keys[count++] = key(p[i], i);
      }
    }
    return count;
  }

  private double massOfKeys(double[] p, int count) {
    double mass = 0;
    for (int j = 0; j < count; j++) {
      mass += p[index(keys[j])];
    }
    return mass;
  }

  /** Sort key: probability (as positive float bits, monotone) high, then the complement of the index. */
  private static long key(double probability, int index) {
    return ((long) Float.floatToIntBits((float) probability) << 32) | (~index & 0xFFFFFFFFL);
  }

  private static int index(long key) {
    return ~(int) key;
  }
}
