package dev.sapling.pipeline.responses;

import java.util.Optional;

/**
 * Where a sampled response stops being an answer: at a fabricated next turn (a new numbered task,
 * {@code Instruction:}, {@code ### Human:}, {@code User:} starting a line) or where n-gram repetition takes over.
 * The response stage cuts the text there and records the reason.
 *
 * <pre>{@code
 * TurnCut cut = (instruction, text) -> Optional.empty();   // never cut
 * }</pre>
 */
@FunctionalInterface
public interface TurnCut {
  /**
   * A cut point.
   *
   * @param at character index in the text where the kept part ends
   * @param reason {@code next_turn} or {@code repetition}
   */
  record Cut(int at, String reason) {}

  /** The reason of a cut at a fabricated next turn ({@link dev.sapling.pipeline.text.RoleMarkers#nextTurn}). */
  String NEXT_TURN = "next_turn";
  /** The reason of a cut where a repetition loop starts ({@link dev.sapling.pipeline.text.Repetition#cutAt}). */
  String REPETITION = "repetition";

  Optional<Cut> find(String instruction, String text);
}
