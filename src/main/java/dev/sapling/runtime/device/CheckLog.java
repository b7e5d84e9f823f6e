package dev.sapling.runtime.device;

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

  CheckLog(PrintStream out) {
    this.out = out;
  }

  /** Prints {@code PASS what: detail} or {@code FAIL what: detail} and remembers a failure; returns {@code ok}. */
  boolean report(boolean ok, String what, String detail) {
    out.println((ok ? "PASS " : "FAIL ") + what + ": " + detail);
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
