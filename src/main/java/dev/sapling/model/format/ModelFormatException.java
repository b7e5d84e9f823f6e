package dev.sapling.model.format;

import dev.sapling.SaplingException;

/**
 * A model file that cannot be read as what it claims to be: truncated, malformed header, unknown dtype, a tensor
 * whose shape disagrees with the config, a missing tensor. The message names the file and the tensor or field.
 */
public class ModelFormatException extends SaplingException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
