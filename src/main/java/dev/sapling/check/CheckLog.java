package dev.sapling.check;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The PASS/FAIL lines of a device check ({@link GpuFixtureCheck}) and the names of the checks that failed.
 *
 * <pre>{@code
 * CheckLog log = new CheckLog(System.out);
 * log.report(maxDiff <= 1e-4, "qwen2-tiny float32 on gpu(0)", String.format("max abs diff %.3g", maxDiff));
 * System.exit(log.failures().isEmpty() ? 0 : 1);
 * }</pre>
 */
final class CheckLog {
  private final PrintStream out;
  private final List<String> failures = new ArrayList<>();
  private long last = System.nanoTime();

  CheckLog(PrintStream out) {
    this.out = out;
  }

  /**
   * Prints {@code PASS what: detail [seconds]} or {@code FAIL what: detail [seconds]} (the seconds since the previous
   * line) and remembers a failure; returns {@code ok}.
   */
  boolean report(boolean ok, String what, String detail) {
    long now = System.nanoTime();
    out.printf("%s %s: %s [%.1f s]%n", ok ? "PASS" : "FAIL", what, detail, (now - last) / 1e9);
    last = now;
    out.flush();
    if (!ok) {
      failures.add(what);
    }
    return ok;
  }

  /** A check that could not run (an exception) is a failure that names the exception. */
  void error(String what, Exception e) {
    report(false, what, e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  List<String> failures() {
    return List.copyOf(failures);
  }
}
