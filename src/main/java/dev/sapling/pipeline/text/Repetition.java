package dev.sapling.pipeline.text;

import dev.sapling.SaplingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * N-gram repetition of a token or word sequence: the share of its n-grams that already occurred earlier in it,
 * {@code 1 - distinct n-grams / n-grams}, which is {@code seq-rep-n} of Welleck et al., "Neural Text Generation with
 * Unlikelihood Training" (ICLR 2020). A threshold turns the rate into a check, and {@link #cutAt} finds where a
 * degenerate loop begins so the respond stage can cut there.
 *
 * <p>Defaults ({@link #standard()}): {@code n = 4}, the n Welleck et al. report; a sequence is repetitive when its rate
 * is above {@code 0.5}, i.e. most of its 4-grams are repeats. Their human-written WikiText continuations have
 * seq-rep-4 of about 0.006 and greedy GPT-2 about 0.44, so 0.5 flags text that loops more than greedy decoding of a
 * small LM does on average, and leaves ordinary prose (and lists with a repeated lead-in) alone.
 *
 * <p>Text is split into words at whitespace and compared lowercased, punctuation kept ({@code "cats."} and
 * {@code "cats"} differ), so character offsets of every word are known for cutting.
 *
 * <pre>{@code
 * Repetition r = Repetition.standard();
 * r.rate("the cat sat the cat sat the cat sat");     // 4-grams: 6, distinct 3 -> 0.5
 * r.isRepetitive("a b c d a b c d a b c d a b c d");  // rate 9/13 = 0.69 > 0.5 -> true
 * r.cutAt("I like cats. I like cats. I like cats. I like cats.");  // OptionalInt[13]: keep "I like cats. "
 * r.rate(new int[] {5, 6, 7, 5, 6, 7, 5, 6, 7});       // the same on token ids
 * }</pre>
 *
 * @param n the n-gram length, at least 1
 * @param threshold the rate above which a sequence is repetitive, in [0, 1)
 */
public record Repetition(int n, double threshold) {
  /** Welleck et al.'s n for seq-rep-n. */
  public static final int DEFAULT_N = 4;
  /** Most n-grams repeated; see the class comment for where it sits against human and greedy text. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  public Repetition {
    if (n < 1) {
      throw new SaplingException("repetition: n is " + n + "; expected an integer >= 1");
    }
    if (!(threshold >= 0 && threshold < 1)) {
      throw new SaplingException("repetition: threshold is " + threshold + "; expected a rate in [0, 1)");
    }
  }

  /** {@code n = 4}, threshold {@code 0.5}. */
  public static Repetition standard() {
    return new Repetition(DEFAULT_N, DEFAULT_THRESHOLD);
  }

  /** The same measure with another n-gram length. */
  public Repetition withN(int n) {
    return new Repetition(n, threshold);
  }

  /** The same measure with another threshold. */
  public Repetition withThreshold(double threshold) {
    return new Repetition(n, threshold);
  }

  /** The repetition rate of a token id sequence; 0 when it has fewer than {@code n} tokens. */
  public double rate(int[] tokens) {
    boolean[] repeat = repeats(tokens);
    return repeat.length == 0 ? 0 : (double) count(repeat) / repeat.length;
  }

  /** The repetition rate of a word sequence (compared as given); 0 when it has fewer than {@code n} words. */
  public double rate(List<String> words) {
    return rate(ids(words));
  }

  /** The repetition rate of a text's words (see the class comment for the split). */
  public double rate(String text) {
    return rate(ids(TextWords.of(text).words()));
  }

  /** Whether the rate is above the threshold. */
  public boolean isRepetitive(int[] tokens) {
    return rate(tokens) > threshold;
  }

  public boolean isRepetitive(List<String> words) {
    return rate(words) > threshold;
  }

  public boolean isRepetitive(String text) {
    return rate(text) > threshold;
  }

  /**
   * Where a degenerate loop starts, as a token index: the first position {@code j} whose n-gram repeats an earlier
   * one and from which on the repeated n-grams are more than {@code threshold} of all n-grams, counting at least
   * {@code n} repeated n-grams (a loop at least {@code 2n - 1} tokens long, so one recurring phrase near the end is
   * not a loop). Everything before {@code j} is kept: the first occurrence of the looping phrase survives.
   */
  public OptionalInt cutIndex(int[] tokens) {
    boolean[] repeat = repeats(tokens);
    int[] tail = new int[repeat.length + 1]; // repeated n-grams at j..end
    for (int j = repeat.length - 1; j >= 0; j--) {
      tail[j] = tail[j + 1] + (repeat[j] ? 1 : 0);
    }
    for (int j = 0; j < repeat.length; j++) {
      if (repeat[j] && tail[j] >= n && (double) tail[j] / (repeat.length - j) > threshold) {
        return OptionalInt.of(j);
      }
    }
    return OptionalInt.empty();
  }

  /** {@link #cutIndex(int[])} over words compared as given. */
  public OptionalInt cutIndex(List<String> words) {
    return cutIndex(ids(words));
  }

  /**
   * {@link #cutIndex(int[])} over a text's words, as the character offset where the looping word starts:
   * {@code text.substring(0, at)} is what to keep.
   */
  public OptionalInt cutAt(String text) {
    TextWords words = TextWords.of(text);
    OptionalInt index = cutIndex(ids(words.words()));
    return index.isEmpty() ? OptionalInt.empty() : OptionalInt.of(words.starts()[index.getAsInt()]);
  }

  /** Per n-gram start, whether that n-gram occurred at an earlier start. */
  private boolean[] repeats(int[] tokens) {
    int grams = Math.max(0, tokens.length - n + 1);
    boolean[] repeat = new boolean[grams];
    Set<Gram> seen = new HashSet<>();
    for (int j = 0; j < grams; j++) {
      repeat[j] = !seen.add(new Gram(tokens, j, n));
    }
    return repeat;
  }

  private static int count(boolean[] values) {
    int c = 0;
    for (int i = 0; i < values.length; i++) {
      c += values[i] ? 1 : 0;
    }
    return c;
  }

  /** Words as dense ids (equal words, equal ids). */
  private static int[] ids(List<String> words) {
    Map<String, Integer> dictionary = new HashMap<>();
    int[] ids = new int[words.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = dictionary.computeIfAbsent(words.get(i), w -> dictionary.size());
    }
    return ids;
  }

  /** A window of a token array, compared by content. */
  private record Gram(int[] tokens, int from, int length) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Gram g && length == g.length
          && Arrays.equals(tokens, from, from + length, g.tokens, g.from, g.from + length);
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (int i = from; i < from + length; i++) {
        h = 31 * h + tokens[i];
      }
      return h;
    }
  }

  /** A text's whitespace-separated words, lowercased, with the offset where each starts. */
  record TextWords(List<String> words, int[] starts) {
    static TextWords of(String text) {
      List<String> words = new ArrayList<>();
      List<Integer> starts = new ArrayList<>();
      for (WordSpans.Span w : WordSpans.of(text)) {
        words.add(text.substring(w.start(), w.end()).toLowerCase(Locale.ROOT));
        starts.add(w.start());
      }
      return new TextWords(words, starts.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
