package dev.sapling.model;

import dev.sapling.SaplingException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries an I/O action on transient failures (network filesystems, busy disks) with exponential backoff, logging
 * every retry. Failures that no retry can fix (missing file, permission denied, malformed content) fail at once.
 *
 * <pre>{@code
 * Retry retry = new Retry(3, Duration.ofMillis(200));
 * String sha = retry.call("hash model.safetensors", () -> Hashing.sha256(file));
 * }</pre>
 *
 * @param maxAttempts attempts in all, at least 1
 * @param initialBackoff wait before the second attempt; doubled after each failure
 */
public record Retry(int maxAttempts, Duration initialBackoff) {
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

  public Retry {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
  }

  /** One attempt, no retries. */
  public static Retry none() {
    return new Retry(1, Duration.ZERO);
  }

  /** An I/O action. */
  @FunctionalInterface
  public interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs {@code action}, retrying transient {@link IOException}s; {@code what} names it in logs and errors. */
  public <T> T call(String what, IoCall<T> action) {
    long backoff = initialBackoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        return action.call();
      } catch (NoSuchFileException | FileNotFoundException | AccessDeniedException e) {
        throw new SaplingException(what + " failed: " + describe(e), e);
      } catch (IOException e) {
        if (attempt >= maxAttempts) {
          throw new SaplingException(what + " failed after " + attempt + " attempt(s): " + describe(e), e);
        }
        LOG.warn("{} failed (attempt {}/{}): {}; retrying in {} ms", what, attempt, maxAttempts, describe(e),
            backoff);
        sleep(backoff);
        backoff *= 2;
      }
    }
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SaplingException("interrupted while waiting to retry", e);
    }
  }
}
