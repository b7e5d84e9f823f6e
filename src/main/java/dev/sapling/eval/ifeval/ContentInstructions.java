package dev.sapling.eval.ifeval;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code detectable_content:*} instructions: square-bracket placeholders and a postscript.
 *
 * <pre>{@code
 * new ContentInstructions.NumberPlaceholders(2).isFollowed("Dear [name], at [address]");   // true
 * new ContentInstructions.Postscript("P.S.").isFollowed("Bye.\nP.S. See you");            // true
 * }</pre>
 */
public final class ContentInstructions {
  private ContentInstructions() {}

  private static final Pattern PLACEHOLDER = Pattern.compile("\\[.*?\\]", Pattern.UNIX_LINES);

  /** {@code detectable_content:number_placeholders}: at least {@code numPlaceholders} {@code [..]} on one line each. */
  public record NumberPlaceholders(int numPlaceholders) implements Instruction {
    public String id() {
      return "detectable_content:number_placeholders";
    }

    public boolean isFollowed(String response) {
      Matcher m = PLACEHOLDER.matcher(response);
      int count = 0;
      while (m.find()) {
        count++;
      }
      return count >= numPlaceholders;
    }
  }

  /**
   * {@code detectable_content:postscript}: the marker (case-insensitive) appears somewhere; {@code P.S.} and
   * {@code P.P.S} also match with a space after the inner periods.
   */
  public record Postscript(String postscriptMarker) implements Instruction {
    public String id() {
      return "detectable_content:postscript";
    }

    public boolean isFollowed(String response) {
      String marker = PyText.strip(postscriptMarker);
      String s = PyText.SPACE;
      String pattern;
      if (marker.equals("P.P.S")) {
        pattern = s + "*p\\." + s + "?p\\." + s + "?s.*$";
      } else if (marker.equals("P.S.")) {
        pattern = s + "*p\\." + s + "?s\\..*$";
      } else {
        // Like the reference, another marker is read as a regular expression (quoted if it is not a valid one).
        pattern = s + "*" + PyText.lower(marker) + ".*$";
      }
      Pattern compiled;
      try {
        compiled = Pattern.compile(pattern, Pattern.MULTILINE | Pattern.UNIX_LINES);
      } catch (java.util.regex.PatternSyntaxException e) {
        compiled = Pattern.compile(s + "*" + Pattern.quote(PyText.lower(marker)) + ".*$",
            Pattern.MULTILINE | Pattern.UNIX_LINES);
      }
      return compiled.matcher(PyText.lower(response)).find();
    }
  }
}
