package dev.sapling.pipeline.instructions;

import java.util.List;
import java.util.Map;

/**
 * The seam between the instruction stage and its filters: screens each candidate against the pool of seed and
 * accepted instructions, in the stage's planned order, and learns every accepted one. It must be deterministic: the
 * same candidates in the same order get the same verdicts, which is what lets a resumed stage rebuild its pool.
 *
 * <pre>{@code
 * CandidateScreen screen = new BasicScreen(seedInstructions, config.filters());
 * CandidateScreen.Verdict v = screen.screen(candidate);
 * if (v.kept()) { screen.accept(candidate.instruction()); }
 * }</pre>
 */
public interface CandidateScreen {
  /**
   * One candidate with what the filters may look at.
   *
   * @param instruction the cleaned candidate text
   * @param finishReason {@code stop}, {@code eos} or {@code length}
   * @param shown the tasks shown in the candidate's own prompt
   */
  record Candidate(String instruction, String finishReason, List<String> shown) {}

  /**
   * The outcome for one candidate.
   *
   * @param droppedBy names of the filters that rejected it, in filter order; empty when kept
   * @param details per-filter numbers and texts to record (e.g. {@code most_similar}, {@code avg_similarity_score})
   */
  record Verdict(List<String> droppedBy, Map<String, Object> details) {
    public Verdict {
      droppedBy = List.copyOf(droppedBy);
      details = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(details)); // sorted: stable JSON
    }

    public boolean kept() {
      return droppedBy.isEmpty();
    }
  }

  /** Screens {@code candidate} against the current pool. */
  Verdict screen(Candidate candidate);

  /** Adds an accepted instruction to the pool later candidates are compared with. */
  void accept(String instruction);

  /** The names of the filters this screen applies, in order. */
  List<String> names();
}
