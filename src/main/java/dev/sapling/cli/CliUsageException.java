package dev.sapling.cli;

import dev.sapling.SaplingException;

/** A command line that cannot be understood: an unknown flag, a missing value, a value of the wrong type. */
public final class CliUsageException extends SaplingException {
  public CliUsageException(String message) {
    super(message);
  }
}
