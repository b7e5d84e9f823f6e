package dev.sapling;

/**
 * Base of every failure Sapling reports to a user. The message is the user interface: it names the file, field or
 * record involved, what was expected, and what to do next.
 *
 * <pre>{@code
 * throw new SaplingException("config.json: field 'hidden_size' is missing; expected an integer");
 * }</pre>
 */
public class SaplingException extends RuntimeException {
  public SaplingException(String message) {
    super(message);
  }

  public SaplingException(String message, Throwable cause) {
    super(message, cause);
  }
}
