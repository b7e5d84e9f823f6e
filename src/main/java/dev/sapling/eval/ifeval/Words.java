package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word counting and word tokenizing as the reference IFEval does them: a word, for length limits, is a maximal run of
 * Unicode word characters (Python's {@code \w+}); a token, for counting capitalized words, follows the Penn Treebank
 * conventions (punctuation and brackets split off, contractions such as {@code n't} and {@code 's} separate).
 *
 * <pre>{@code
 * Words.count("Don't stop-now!");            // 4: Don, t, stop, now
 * Words.tokens("I DON'T know, OK?");         // [I, DO, N'T, know, ,, OK, ?]
 * }</pre>
 */
public final class Words {
  private Words() {}

  private static final Pattern WORD = Pattern.compile(PyText.WORD + "+");

  /** Characters that the Treebank tokenizer always separates from their neighbours. */
  private static final Pattern SPLIT_OFF = Pattern.compile(
      "\\.{2,}|--|[,;:@#$%&?!()\\[\\]{}<>\"*«»“”‘’„`]");

  private static final Pattern CONTRACTION = Pattern.compile(
      "(.*[^' ])('[sS]|'[mM]|'[dD]|'ll|'LL|'re|'RE|'ve|'VE|n't|N'T|')");

  private static final Pattern FUSED = Pattern.compile(
      "(?i)(can)(not)|(d)('ye)|(gim)(me)|(gon)(na)|(got)(ta)|(lem)(me)|(more)('n)|(wan)(na)");

  /** Number of words: runs of letters, digits and underscores. */
  public static int count(String text) {
    int n = 0;
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Treebank-style tokens of {@code text}. */
  public static List<String> tokens(String text) {
    String padded = SPLIT_OFF.matcher(text).replaceAll(" $0 ");
    List<String> out = new ArrayList<>();
    for (String word : PyText.splitWhitespace(padded)) {
      Matcher fused = FUSED.matcher(word);
      if (fused.matches()) {
        for (int g = 1; g <= fused.groupCount(); g++) {
          if (fused.group(g) != null) {
            out.add(fused.group(g));
          }
        }
        continue;
      }
      Matcher c = CONTRACTION.matcher(word);
      if (c.matches()) {
        out.add(c.group(1));
        out.add(c.group(2));
      } else {
        out.add(word);
      }
    }
    return out;
  }

  /** Number of tokens that are entirely uppercase in Python's sense ({@code str.isupper()}). */
  public static int countCapitalized(String text) {
    int n = 0;
    for (String t : tokens(text)) {
      if (PyText.isUpper(t)) {
        n++;
      }
    }
    return n;
  }
}
