package dev.sapling.pipeline.gate;

/**
 * One check of the gate: its name ({@code git_commit}, {@code runaway_rate}...), what the dataset showed, what the
 * gate asks for, and whether it passed.
 *
 * <pre>{@code
 * new GateCheck("runaway_rate", "0.31", "<= 0.2", false).line();   // "FAIL runaway_rate: 0.31 (needs <= 0.2)"
 * }</pre>
 */
public record GateCheck(String name, String observed, String threshold, boolean passed) {
  /** One line for people: verdict, name, observed value and threshold. */
  public String line() {
    return (passed ? "pass " : "FAIL ") + name + ": " + observed + " (needs " + threshold + ")";
  }
}
