package dev.sapling.runtime.sampling;

import java.util.List;

/**
 * Finds stop sequences in the text of a completion as it grows, at the string level, so a stop split across several
 * tokens (or sitting inside one token) is caught. Feed it the whole decoded text after every token: decoding the
 * ids afresh each time keeps multi-byte characters and tokenizer spacing right, which decoding token by token does
 * not.
 *
 * <p>The returned text never contains the stop sequence. While the text ends with the start of a stop sequence (or
 * with an incomplete character, U+FFFD), that tail is held back from {@link #safeText()}, so a streaming consumer
 * never shows text that a stop would later remove.
 *
 * <pre>{@code
 * StopSequenceMatcher m = new StopSequenceMatcher(List.of("\n\n"));
 * m.update("Hello\n");        // false; safeText() = "Hello"
 * m.update("Hello\n\nBye");   // true;  text() = "Hello", matched() = "\n\n"
 * }</pre>
 */
public final class StopSequenceMatcher {
  private final List<String> stops;
  private String text = "";
  private int cut = -1;
  private String matched;

  public StopSequenceMatcher(List<String> stops) {
    this.stops = List.copyOf(stops);
  }

  /**
   * Takes the completion's full text so far; returns true once a stop sequence has appeared. The earliest occurrence
   * wins; among stops starting at the same place, the longest.
   */
  public boolean update(String fullText) {
    if (cut >= 0) {
      return true;
    }
    text = fullText;
    for (String stop : stops) {
      int at = fullText.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut || (at == cut && stop.length() > matched.length()))) {
        cut = at;
        matched = stop;
      }
    }
    return cut >= 0;
  }

  /** Whether a stop sequence has appeared. */
  public boolean stopped() {
    return cut >= 0;
  }

  /** The stop sequence that ended the text, or null. */
  public String matched() {
    return matched;
  }

  /** The text before the stop sequence once stopped; otherwise all the text seen so far. */
  public String text() {
    return cut >= 0 ? text.substring(0, cut) : text;
  }

  /** Text that no later stop can remove: {@link #text()} minus a tail that could still begin a stop sequence. */
  public String safeText() {
    if (cut >= 0) {
      return text.substring(0, cut);
    }
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
      end--;
    }
    int hold = 0;
    for (String stop : stops) {
      for (int len = Math.min(stop.length() - 1, end); len > hold; len--) {
        if (text.regionMatches(end - len, stop, 0, len)) {
          hold = len;
          break;
        }
      }
    }
    return text.substring(0, end - hold);
  }
}
