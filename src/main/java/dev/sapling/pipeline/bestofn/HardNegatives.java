package dev.sapling.pipeline.bestofn;

import dev.sapling.pipeline.text.WordSpans;
import java.util.List;
import java.util.Optional;

/**
 * The two hard negatives made from a chosen answer's text. Words are split at whitespace and the text is cut at word
 * boundaries, so what is kept reads exactly as the chosen does.
 *
 * <pre>{@code
 * HardNegatives.truncate("one two three four", 0.5);   // Optional["one two"]
 * HardNegatives.loop("a b c d e f g h");               // Optional["a b c d a b c d a b c d a b c d"]
 * }</pre>
 */
final class HardNegatives {
  /** The n-gram a degenerate loop repeats: Welleck et al.'s seq-rep n, so the loop is what Repetition measures. */
  static final int LOOP_WORDS = 4;
  /** A loop repeats its phrase at least this often. */
  static final int LOOP_REPEATS = 3;

  private HardNegatives() {}

  /** The first {@code keep} share of the words (at least one), or empty when the text has fewer than two. */
  static Optional<String> truncate(String text, double keep) {
    List<WordSpans.Span> words = WordSpans.of(text);
    if (words.size() < 2) {
      return Optional.empty();
    }
    int kept = Math.max(1, Math.min(words.size() - 1, (int) Math.floor(words.size() * keep)));
    return Optional.of(text.substring(0, words.get(kept - 1).end()));
  }

  /**
   * The text collapsing into a loop, as a degenerate sample does: its first quarter of words (at least
   * {@value #LOOP_WORDS}), then the last {@value #LOOP_WORDS} of those repeated until the text is as many words long
   * as the original and has at least {@value #LOOP_REPEATS} repeats. Empty for fewer than {@value #LOOP_WORDS} words.
   */
  static Optional<String> loop(String text) {
    List<WordSpans.Span> words = WordSpans.of(text);
    if (words.size() < LOOP_WORDS) {
      return Optional.empty();
    }
    int prefix = Math.max(LOOP_WORDS, (words.size() + 3) / 4);
    StringBuilder phrase = new StringBuilder();
    for (WordSpans.Span w : words.subList(prefix - LOOP_WORDS, prefix)) {
      phrase.append(' ').append(text, w.start(), w.end());
    }
    StringBuilder out = new StringBuilder(text.substring(0, words.get(prefix - 1).end()));
    int target = Math.max(words.size(), prefix + LOOP_REPEATS * LOOP_WORDS);
    for (int n = prefix; n < target; n += LOOP_WORDS) {
      out.append(phrase);
    }
    return Optional.of(out.toString());
  }
}
