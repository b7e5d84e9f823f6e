package dev.sapling.eval.ifeval;

/**
 * The {@code startend:*} instructions: ending with an exact phrase, and wrapping the whole answer in double quotes.
 *
 * <pre>{@code
 * new StartEndInstructions.EndChecker("Is there anything else I can help with?")
 *     .isFollowed("Done. Is there anything else I can help with?");   // true
 * }</pre>
 */
public final class StartEndInstructions {
  private StartEndInstructions() {}

  /** {@code startend:end_checker}: ends with the phrase, ignoring case, surrounding whitespace and double quotes. */
  public record EndChecker(String endPhrase) implements Instruction {
    public String id() {
      return "startend:end_checker";
    }

    public boolean isFollowed(String response) {
      String text = PyText.lower(PyText.strip(PyText.strip(response), "\""));
      return text.endsWith(PyText.lower(PyText.strip(endPhrase)));
    }
  }

  /** {@code startend:quotation}: the stripped answer starts and ends with {@code "}. */
  public record Quotation() implements Instruction {
    public String id() {
      return "startend:quotation";
    }

    public boolean isFollowed(String response) {
      String text = PyText.strip(response);
      return text.codePointCount(0, text.length()) > 1 && text.startsWith("\"") && text.endsWith("\"");
    }
  }
}
