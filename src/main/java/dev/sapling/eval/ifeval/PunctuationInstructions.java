package dev.sapling.eval.ifeval;

/**
 * The {@code punctuation:no_comma} instruction. Only the ASCII comma counts, as in the reference.
 *
 * <pre>{@code
 * new PunctuationInstructions.NoComma().isFollowed("One. Two.");   // true
 * }</pre>
 */
public final class PunctuationInstructions {
  private PunctuationInstructions() {}

  /** {@code punctuation:no_comma}: the answer contains no {@code ,}. */
  public record NoComma() implements Instruction {
    public String id() {
      return "punctuation:no_comma";
    }

    public boolean isFollowed(String response) {
      return response.indexOf(',') < 0;
    }
  }
}
