package dev.sapling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
  @Test
  void transientFailuresAreRetriedWithGrowingBackoff() {
    AtomicInteger attempts = new AtomicInteger();
    long start = System.nanoTime();
    String result = new Retry(3, Duration.ofMillis(40)).call("read shard", () -> {
      if (attempts.incrementAndGet() < 3) {
        throw new IOException("Stale file handle");
      }
      return "ok";
    });
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals("ok", result);
    assertEquals(3, attempts.get());
    assertTrue(waitedMs >= 40 + 80, "backoff 40 ms then 80 ms; waited " + waitedMs + " ms");
  }

  @Test
  void givesUpAfterMaxAttemptsNamingTheActionAndCount() {
    AtomicInteger attempts = new AtomicInteger();
    SaplingException e = assertThrows(SaplingException.class, () -> new Retry(2, Duration.ofMillis(1))
        .call("hash model.safetensors", () -> {
          attempts.incrementAndGet();
          throw new IOException("Input/output error");
        }));
    assertEquals(2, attempts.get());
    assertTrue(e.getMessage().contains("hash model.safetensors") && e.getMessage().contains("2 attempt")
        && e.getMessage().contains("Input/output error"), e.getMessage());
  }

  @Test
  void missingFilesFailAtOnce() {
    AtomicInteger attempts = new AtomicInteger();
    SaplingException e = assertThrows(SaplingException.class, () -> new Retry(5, Duration.ofSeconds(10))
        .call("open config.json", () -> {
          attempts.incrementAndGet();
          throw new NoSuchFileException("config.json");
        }));
    assertEquals(1, attempts.get());
    assertTrue(e.getMessage().contains("open config.json"), e.getMessage());
  }
}
