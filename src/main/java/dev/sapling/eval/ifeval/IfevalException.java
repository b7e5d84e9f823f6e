package dev.sapling.eval.ifeval;

import dev.sapling.SaplingException;

/**
 * A failure of IFEval input: an unreadable responses or prompts line, a response for a prompt IFEval does not have,
 * an unknown instruction id or a missing kwarg. The message names the file, line or field.
 *
 * <pre>{@code
 * throw new IfevalException("responses.jsonl line 7: field 'response' is missing");
 * }</pre>
 */
public final class IfevalException extends SaplingException {
  public IfevalException(String message) {
    super(message);
  }

  public IfevalException(String message, Throwable cause) {
    super(message, cause);
  }
}
