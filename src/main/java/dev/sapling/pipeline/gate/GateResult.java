package dev.sapling.pipeline.gate;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Every check the gate ran on one dataset, and whether it was forced past a failure (with the reason given).
 *
 * <pre>{@code
 * GateResult r = Gate.standard().explain(Path.of("runs/pilot/pairs"));
 * r.passed();   r.failures();   r.table();
 * }</pre>
 */
public record GateResult(Path dataset, List<GateCheck> checks, Optional<String> forceReason) {
  public GateResult {
    checks = List.copyOf(checks);
  }

  /** Whether every check passed. */
  public boolean passed() {
    return checks.stream().allMatch(GateCheck::passed);
  }

  /** Whether the dataset may be used: it passed, or the gate was forced with a reason. */
  public boolean accepted() {
    return passed() || forceReason.isPresent();
  }

  public List<GateCheck> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** {@code check | observed | threshold | passed}, for a notebook. */
  public Table table() {
    return Table.create("gate " + dataset,
        StringColumn.create("check", checks.stream().map(GateCheck::name).toList()),
        StringColumn.create("observed", checks.stream().map(GateCheck::observed).toList()),
        StringColumn.create("threshold", checks.stream().map(GateCheck::threshold).toList()),
        BooleanColumn.create("passed", checks.stream().map(GateCheck::passed).toList()));
  }

  /** A summary for people: the verdict, then one line per check. */
  public String summary() {
    StringBuilder s = new StringBuilder(dataset + ": " + (passed() ? "PASSED" : forceReason.isPresent()
        ? "FAILED, forced (" + forceReason.get() + ")" : "FAILED") + " " + (checks.size() - failures().size()) + "/"
        + checks.size() + " checks\n");
    checks.forEach(c -> s.append("  ").append(c.line()).append('\n'));
    return s.toString();
  }
}
