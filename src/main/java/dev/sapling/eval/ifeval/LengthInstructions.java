package dev.sapling.eval.ifeval;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code length_constraints:*} instructions: counts of sentences, words and paragraphs, and the first word of the
 * n-th paragraph. Paragraphs are separated by {@code ***} lines, except for the first-word check, which (like the
 * reference) separates them by blank lines.
 *
 * <pre>{@code
 * new LengthInstructions.NumberWords(3, Relation.LESS_THAN).isFollowed("Just two");   // true
 * }</pre>
 */
public final class LengthInstructions {
  private LengthInstructions() {}

  private static final Pattern STARS = Pattern.compile(PyText.SPACE + "?\\*\\*\\*" + PyText.SPACE + "?");

  /** {@code length_constraints:number_sentences}. */
  public record NumberSentences(int numSentences, Relation relation) implements Instruction {
    public String id() {
      return "length_constraints:number_sentences";
    }

    public boolean isFollowed(String response) {
      return relation.holds(SentenceSplitter.count(response), numSentences);
    }
  }

  /** {@code length_constraints:number_words}. */
  public record NumberWords(int numWords, Relation relation) implements Instruction {
    public String id() {
      return "length_constraints:number_words";
    }

    public boolean isFollowed(String response) {
      return relation.holds(Words.count(response), numWords);
    }
  }

  /**
   * {@code length_constraints:number_paragraphs}: exactly {@code numParagraphs} paragraphs separated by {@code ***}.
   * An empty paragraph is tolerated only at either end.
   */
  public record NumberParagraphs(int numParagraphs) implements Instruction {
    public String id() {
      return "length_constraints:number_paragraphs";
    }

    public boolean isFollowed(String response) {
      List<String> paragraphs = List.of(STARS.split(response, -1));
      int count = paragraphs.size();
      for (int i = 0; i < paragraphs.size(); i++) {
        if (PyText.strip(paragraphs.get(i)).isEmpty()) {
          if (i == 0 || i == paragraphs.size() - 1) {
            count--;
          } else {
            return false;
          }
        }
      }
      return count == numParagraphs;
    }
  }

  /**
   * {@code length_constraints:nth_paragraph_first_word}: exactly {@code numParagraphs} non-empty paragraphs (split on
   * blank lines), and the {@code nthParagraph}-th (1-based) starts with {@code firstWord}, compared lowercase up to
   * the first punctuation mark.
   */
  public record NthParagraphFirstWord(int numParagraphs, int nthParagraph, String firstWord) implements Instruction {
    public String id() {
      return "length_constraints:nth_paragraph_first_word";
    }

    public boolean isFollowed(String response) {
      List<String> paragraphs = PyText.split(response, "\n\n");
      int count = paragraphs.size();
      for (String p : paragraphs) {
        if (PyText.strip(p).isEmpty()) {
          count--;
        }
      }
      if (nthParagraph > count || nthParagraph < 1) {
        return false;
      }
      String paragraph = PyText.strip(paragraphs.get(nthParagraph - 1));
      if (paragraph.isEmpty()) {
        return false;
      }
      String word = PyText.lstrip(PyText.lstrip(PyText.splitWhitespace(paragraph).get(0), "'"), "\"");
      StringBuilder first = new StringBuilder();
      for (int i = 0; i < word.length(); ) {
        int cp = word.codePointAt(i);
        if (".,?!'\"".indexOf(cp) >= 0) {
          break;
        }
        first.append(PyText.lower(new String(Character.toChars(cp))));
        i += Character.charCount(cp);
      }
      return count == numParagraphs && first.toString().equals(PyText.lower(firstWord));
    }
  }
}
