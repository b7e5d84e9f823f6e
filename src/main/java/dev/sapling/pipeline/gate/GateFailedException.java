package dev.sapling.pipeline.gate;

import dev.sapling.SaplingException;

/**
 * A dataset the gate refused: the message names every failed check with its observed value and threshold, and how
 * to override.
 *
 * <pre>{@code
 * try { gate.check(dir); } catch (GateFailedException e) { e.result().failures(); }
 * }</pre>
 */
public final class GateFailedException extends SaplingException {
  private final GateResult result;

  public GateFailedException(GateResult result) {
    super(message(result));
    this.result = result;
  }

  public GateResult result() {
    return result;
  }

  private static String message(GateResult r) {
    StringBuilder s = new StringBuilder("gate refused " + r.dataset() + ": " + r.failures().size() + " of "
        + r.checks().size() + " checks failed");
    r.failures().forEach(c -> s.append("\n  ").append(c.line()));
    s.append("\nFix the data (or the run's provenance) and rerun, or accept it knowingly with .force(\"reason\") in"
        + " the DSL / --force REASON on the command line; the reason is recorded in the manifest.");
    return s.toString();
  }
}
