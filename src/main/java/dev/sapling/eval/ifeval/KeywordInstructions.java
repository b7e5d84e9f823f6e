package dev.sapling.eval.ifeval;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code keywords:*} instructions: required keywords, a keyword's frequency, forbidden words, and a letter's
 * frequency. Keywords are matched case-insensitively anywhere in the text (inside longer words too), forbidden words
 * only as whole words, as the reference does.
 *
 * <pre>{@code
 * new KeywordInstructions.Existence(List.of("tree")).isFollowed("Trees grow.");   // true: "Tree" inside "Trees"
 * }</pre>
 */
public final class KeywordInstructions {
  private KeywordInstructions() {}

  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNIX_LINES;

  /** A keyword as the reference uses it: a (Python) regular expression; plain words read the same in Java. */
  static Pattern pattern(String regex, String prefixSuffix) {
    try {
      return Pattern.compile(prefixSuffix + regex + prefixSuffix, FLAGS);
    } catch (PatternSyntaxException e) {
      return Pattern.compile(prefixSuffix + Pattern.quote(regex) + prefixSuffix, FLAGS);
    }
  }

  /** {@code keywords:existence}: every keyword appears. */
  public record Existence(List<String> keywords) implements Instruction {
    public String id() {
      return "keywords:existence";
    }

    public boolean isFollowed(String response) {
      for (String k : keywords) {
        if (!pattern(k, "").matcher(response).find()) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code keywords:frequency}: the keyword appears less than / at least {@code frequency} times. */
  public record Frequency(String keyword, int frequency, Relation relation) implements Instruction {
    public String id() {
      return "keywords:frequency";
    }

    public boolean isFollowed(String response) {
      Matcher m = pattern(PyText.strip(keyword), "").matcher(response);
      int count = 0;
      while (m.find()) {
        count++;
      }
      return relation.holds(count, frequency);
    }
  }

  /** {@code keywords:forbidden_words}: none of the words appears as a whole word. */
  public record ForbiddenWords(List<String> forbiddenWords) implements Instruction {
    public String id() {
      return "keywords:forbidden_words";
    }

    public boolean isFollowed(String response) {
      for (String w : forbiddenWords) {
        if (pattern(w, PyText.BOUNDARY).matcher(response).find()) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * {@code keywords:letter_frequency}: the letter (case-insensitive) appears less than / at least {@code frequency}
   * times. The reference replaces a "letter" that is not a single ASCII letter (such as {@code #}) with a random one;
   * here the given character is counted as asked.
   */
  public record LetterFrequency(String letter, int frequency, Relation relation) implements Instruction {
    public String id() {
      return "keywords:letter_frequency";
    }

    public boolean isFollowed(String response) {
      String target = PyText.lower(PyText.strip(letter));
      if (target.isEmpty()) {
        throw new IfevalException(id() + ": kwarg 'letter' is blank; expected one character");
      }
      int wanted = target.codePointAt(0);
      String lower = PyText.lower(response);
      int count = 0;
      for (int i = 0; i < lower.length(); ) {
        int cp = lower.codePointAt(i);
        if (cp == wanted) {
          count++;
        }
        i += Character.charCount(cp);
      }
      return relation.holds(count, frequency);
    }
  }
}
