package dev.sapling.cli;

import dev.sapling.runtime.ProgressListener;
import java.io.PrintStream;

/** A progress line on stderr, redrawn at most a few times per second and finished with a newline. */
final class ProgressLine implements ProgressListener {
  private final PrintStream err;
  private long lastDraw;
  private boolean drawn;

  ProgressLine(PrintStream err) {
    this.err = err;
  }

  @Override
  public void onProgress(Progress p) {
    long now = System.nanoTime();
    if (p.done() < p.total() && now - lastDraw < 250_000_000L) {
      return;
    }
    lastDraw = now;
    drawn = true;
    err.printf("\r%s %d/%d  %d tokens  %.1f tok/s  %.1fs", p.task(), p.done(), p.total(), p.tokens(),
        p.tokensPerSecond(), p.elapsedNanos() / 1e9);
    err.flush();
  }

  void finish() {
    if (drawn) {
      err.println();
    }
  }
}
