package dev.sapling.pipeline.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The word tokenisation every similarity measure of the pipeline uses: Google's {@code rouge_score} default tokenizer
 * without stemming (lowercase, every character outside {@code [a-z0-9]} becomes a space, split on spaces), so ROUGE-L
 * scores here match Self-Instruct's filter, which calls {@code rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)}.
 *
 * <pre>{@code
 * RougeTokens.of("Write a poem, please!");   // [write, a, poem, please]
 * }</pre>
 */
public final class RougeTokens {
  private RougeTokens() {}

  /** The words of {@code text}; empty for text with no letter or digit. */
  public static List<String> of(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        word.append(c);
      } else if (word.length() > 0) {
        words.add(word.toString());
        word.setLength(0);
      }
    }
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }

  /** The number of whitespace-separated words, as Self-Instruct counts an instruction's length. */
  public static int count(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }
}
