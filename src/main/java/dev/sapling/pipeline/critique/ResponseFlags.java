package dev.sapling.pipeline.critique;

import dev.sapling.SaplingException;
import dev.sapling.pipeline.text.Repetition;
import dev.sapling.pipeline.text.RoleMarkers;
import dev.sapling.pipeline.text.RougeL;
import dev.sapling.pipeline.text.RougeTokens;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What is visibly wrong with one response, judged on the text the responses stage kept and on how its sampling
 * ended. Flags are recorded, never used to drop a record: the critic still scores a flagged response, best-of-N
 * still ranks it, and QC counts every flag.
 * <ul>
 *   <li>{@value #EMPTY}: the text is blank;</li>
 *   <li>{@value #RUNAWAY}: sampling stopped at {@code max_new_tokens} ({@code finish_reason = length}), so the
 *       answer has no end of its own;</li>
 *   <li>{@value #REPETITIVE}: the text's n-gram repetition rate is above the threshold ({@link Repetition});</li>
 *   <li>{@value #ROLE_MARKER}: a chat-template token or a line-start role label is left in it
 *       ({@link RoleMarkers#contains});</li>
 *   <li>{@value #REPEATS_INSTRUCTION}: the text contains the instruction's words in order, or is that similar to it
 *       (ROUGE-L F1 above {@link Rules#instructionOverlap()}, Self-Instruct's near-copy threshold).</li>
 * </ul>
 *
 * <pre>{@code
 * ResponseFlags f = ResponseFlags.of("List two even numbers.", "List two even numbers.", "stop",
 *     ResponseFlags.Rules.standard());
 * f.repeatsInstruction();   // true
 * f.names();                // [repeats_instruction]
 * }</pre>
 */
public record ResponseFlags(boolean empty, boolean runaway, boolean repetitive, boolean roleMarker,
    boolean repeatsInstruction) {
  public static final String EMPTY = "empty";
  public static final String RUNAWAY = "runaway";
  public static final String REPETITIVE = "repetitive";
  public static final String ROLE_MARKER = "role_marker";
  public static final String REPEATS_INSTRUCTION = "repeats_instruction";
  /** Every flag name, in record order. */
  public static final List<String> NAMES = List.of(EMPTY, RUNAWAY, REPETITIVE, ROLE_MARKER, REPEATS_INSTRUCTION);

  /**
   * The thresholds of the flags (recorded in the critique config).
   *
   * @param repetition n-gram length and rate above which a text is repetitive (Welleck et al.'s seq-rep-4, 0.5)
   * @param instructionOverlap ROUGE-L F1 with the instruction above which the text repeats it (0.7, as
   *     Self-Instruct's filter)
   */
  public record Rules(Repetition repetition, double instructionOverlap) {
    public Rules {
      if (repetition == null) {
        throw new SaplingException("response flags: repetition is missing; give Repetition.standard()");
      }
      if (!(instructionOverlap > 0 && instructionOverlap <= 1)) {
        throw new SaplingException("response flags: instruction_overlap is " + instructionOverlap
            + "; expected a ROUGE-L F1 in (0, 1]");
      }
    }

    public static Rules standard() {
      return new Rules(Repetition.standard(), 0.7);
    }
  }

  /** The flags of {@code text}, an answer to {@code instruction} whose sampling ended with {@code finishReason}. */
  public static ResponseFlags of(String instruction, String text, String finishReason, Rules rules) {
    boolean empty = text.isBlank();
    return new ResponseFlags(empty, "length".equals(finishReason), !empty && rules.repetition().isRepetitive(text),
        RoleMarkers.contains(text), !empty && repeats(instruction, text, rules.instructionOverlap()));
  }

  private static boolean repeats(String instruction, String text, double overlap) {
    List<String> asked = RougeTokens.of(instruction);
    if (asked.isEmpty()) {
      return false;
    }
    return Collections.indexOfSubList(RougeTokens.of(text), asked) >= 0 || RougeL.f1(instruction, text) > overlap;
  }

  /** The names of the flags that are set, in {@link #NAMES} order. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    boolean[] set = {empty, runaway, repetitive, roleMarker, repeatsInstruction};
    for (int i = 0; i < set.length; i++) {
      if (set[i]) {
        out.add(NAMES.get(i));
      }
    }
    return out;
  }

  /** Whether any flag is set. */
  public boolean any() {
    return empty || runaway || repetitive || roleMarker || repeatsInstruction;
  }
}
