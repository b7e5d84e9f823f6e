package dev.sapling.eval.ifeval;

/**
 * The {@code change_case:*} instructions: how many all-capital words, and an answer entirely in English capitals or
 * entirely in English lowercase. "English" is decided by {@link LanguageDetector}; a text with nothing to detect
 * passes, as in the reference.
 *
 * <pre>{@code
 * new CaseInstructions.EnglishLowercase().isFollowed("all lowercase, as asked.");   // true
 * }</pre>
 */
public final class CaseInstructions {
  private CaseInstructions() {}

  /** {@code change_case:capital_word_frequency}: all-capital tokens less than / at least {@code capitalFrequency}. */
  public record CapitalWordFrequency(int capitalFrequency, Relation capitalRelation) implements Instruction {
    public String id() {
      return "change_case:capital_word_frequency";
    }

    public boolean isFollowed(String response) {
      return capitalRelation.holds(Words.countCapitalized(response), capitalFrequency);
    }
  }

  /** {@code change_case:english_capital}: every cased letter is uppercase, and the text is English. */
  public record EnglishCapital() implements Instruction {
    public String id() {
      return "change_case:english_capital";
    }

    public boolean isFollowed(String response) {
      return PyText.isUpper(response) && LanguageDetector.detect(response).map("en"::equals).orElse(true);
    }
  }

  /** {@code change_case:english_lowercase}: every cased letter is lowercase, and the text is English. */
  public record EnglishLowercase() implements Instruction {
    public String id() {
      return "change_case:english_lowercase";
    }

    public boolean isFollowed(String response) {
      return PyText.isLower(response) && LanguageDetector.detect(response).map("en"::equals).orElse(true);
    }
  }
}
