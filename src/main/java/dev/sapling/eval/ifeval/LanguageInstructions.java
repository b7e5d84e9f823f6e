package dev.sapling.eval.ifeval;

/**
 * The {@code language:response_language} instruction: the whole answer is in one given language (ISO 639-1 code).
 *
 * <pre>{@code
 * new LanguageInstructions.ResponseLanguage("de").isFollowed("Das ist die Antwort auf Deutsch.");   // true
 * }</pre>
 */
public final class LanguageInstructions {
  private LanguageInstructions() {}

  /** {@code language:response_language}; a text with nothing to detect passes, as in the reference. */
  public record ResponseLanguage(String language) implements Instruction {
    public String id() {
      return "language:response_language";
    }

    public boolean isFollowed(String response) {
      return LanguageDetector.detect(response).map(language::equals).orElse(true);
    }
  }
}
