package dev.sapling.pipeline.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The whitespace-separated words of a text as character offsets, so a text can be measured by words and cut at a
 * word boundary with everything before the cut kept exactly as written.
 *
 * <pre>{@code
 * List<WordSpans.Span> w = WordSpans.of("  Red, blue\nand yellow.");
 * w.get(1);                       // Span[start=7, end=11]
 * "...".substring(0, w.get(1).end());
 * }</pre>
 */
public final class WordSpans {
  /** One word: {@code text.substring(start, end)}. */
  public record Span(int start, int end) {}

  private WordSpans() {}

  /** The words of {@code text} in order. */
  public static List<Span> of(String text) {
    List<Span> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(new Span(start, i));
      }
    }
    return out;
  }
}
