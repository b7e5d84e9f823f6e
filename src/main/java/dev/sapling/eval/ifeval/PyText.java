package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} semantics that the IFEval checks depend on, for Java strings: what counts as whitespace for
 * {@code strip()} and {@code split()}, {@code isupper()}/{@code islower()}, and regex character classes equal to
 * Python's Unicode {@code \s} and {@code \w}. Java's own {@code String.strip()} and {@code \s} disagree with Python
 * on characters such as U+00A0, which would flip verdicts.
 *
 * <pre>{@code
 * PyText.strip("\u00a0 hi \n");   // "hi", like Python's " hi ".strip()
 * PyText.isUpper("HELLO, 1");     // true
 * }</pre>
 */
public final class PyText {
  private PyText() {}

  /** Regex class of Python's Unicode whitespace ({@code str.isspace()}), for use inside Java patterns. */
  public static final String SPACE =
      "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

  /** Regex class of Python's non-whitespace {@code \S}. */
  public static final String NOT_SPACE =
      "[^\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

  /** Regex class of Python's Unicode word character {@code \w}: letters, numbers and the underscore. */
  public static final String WORD = "[\\p{L}\\p{N}_]";

  /** Regex class of Python's {@code \W}. */
  public static final String NOT_WORD = "[^\\p{L}\\p{N}_]";

  /** Python's {@code \b}: a position between a word character and a non-word character (or an end). */
  public static final String BOUNDARY = "(?:(?<=" + WORD + ")(?!" + WORD + ")|(?<!" + WORD + ")(?=" + WORD + "))";

  /** Whether {@code cp} is whitespace in Python's sense ({@code str.isspace()}). */
  public static boolean isSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
        || cp == 0x3000;
  }

  /** Python's {@code s.strip()}. */
  public static String strip(String s) {
    return rstrip(lstrip(s));
  }

  /** Python's {@code s.lstrip()}. */
  public static String lstrip(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.codePointAt(i))) {
      i += Character.charCount(s.codePointAt(i));
    }
    return s.substring(i);
  }

  /** Python's {@code s.rstrip()}. */
  public static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(0, end);
  }

  /** Python's {@code s.strip(chars)}: strips any of the given characters from both ends. */
  public static String strip(String s, String chars) {
    return rstrip(lstrip(s, chars), chars);
  }

  /** Python's {@code s.lstrip(chars)}. */
  public static String lstrip(String s, String chars) {
    int i = 0;
    while (i < s.length() && chars.indexOf(s.codePointAt(i)) >= 0) {
      i += Character.charCount(s.codePointAt(i));
    }
    return s.substring(i);
  }

  /** Python's {@code s.rstrip(chars)}. */
  public static String rstrip(String s, String chars) {
    int end = s.length();
    while (end > 0 && chars.indexOf(s.codePointBefore(end)) >= 0) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(0, end);
  }

  /** Python's {@code s.split()}: the non-empty runs between whitespace. */
  public static List<String> splitWhitespace(String s) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (isSpace(cp)) {
        if (start >= 0) {
          out.add(s.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(s.substring(start));
    }
    return out;
  }

  /** Python's {@code s.split(sep)} for a non-empty literal separator: keeps empty pieces, including trailing ones. */
  public static List<String> split(String s, String sep) {
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, from)) {
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  /** Python's {@code s.lower()}. */
  public static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** Python's {@code s.isupper()}: at least one cased character, and no lowercase or titlecase one. */
  public static boolean isUpper(String s) {
    boolean cased = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (Character.isLowerCase(cp) || Character.isTitleCase(cp)) {
        return false;
      }
      if (Character.isUpperCase(cp)) {
        cased = true;
      }
      i += Character.charCount(cp);
    }
    return cased;
  }

  /** Python's {@code s.islower()}: at least one cased character, and no uppercase or titlecase one. */
  public static boolean isLower(String s) {
    boolean cased = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
        return false;
      }
      if (Character.isLowerCase(cp)) {
        cased = true;
      }
      i += Character.charCount(cp);
    }
    return cased;
  }
}
