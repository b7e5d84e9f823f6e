package dev.sapling.pipeline.bestofn;

import java.util.List;

/**
 * One line of {@code pairs/data.jsonl}: a preference between two answers to one prompt, with both sides' ids and
 * margins, the gap between them and the kind of pair. A score that is not finite is left out (JSON has no NaN), and
 * the gap with it.
 *
 * <p>Kinds: {@value #BEST_OF_N} (chosen vs a weaker sampled candidate) and four hard negatives, whose rejected side
 * is made from the chosen or taken from elsewhere: {@value #TRUNCATED} (the chosen cut to its first words),
 * {@value #OTHER_INSTRUCTION} (the chosen answer of another instruction), {@value #REPETITION} (the chosen collapsing
 * into a loop), {@value #RUNAWAY} (a sampled candidate that ran to {@code max_new_tokens}, against a chosen that
 * ended). A hard negative's preference comes from how it was made, so its gap may be small or even negative: that
 * the critic disagrees is what QC's per-kind gaps show.
 *
 * <pre>{@code
 * {"id":"i-000042/p0","instruction_id":"i-000042","kind":"best_of_n","prompt":"Name a colour.\n",
 *  "chosen_id":"i-000042/r2","rejected_id":"i-000042/r0","chosen":"Blue.","rejected":"Once upon a time",
 *  "chosen_score":-1.1,"rejected_score":-1.9,"gap":0.8,"chosen_tokens":3,"rejected_tokens":5,
 *  "chosen_flags":[],"rejected_flags":[]}
 * }</pre>
 *
 * @param id {@code <instruction id>/p<n>}, numbered in the stage's order
 * @param prompt the prompt as the chosen was sampled from it
 * @param rejectedId a response id, or {@code <chosen id>#truncated} / {@code #repetition} for one made from the chosen
 * @param gap {@code chosenScore - rejectedScore}
 */
public record PreferencePair(String id, String instructionId, String kind, String prompt, String chosenId,
    String rejectedId, String chosen, String rejected, Double chosenScore, Double rejectedScore, Double gap,
    int chosenTokens, int rejectedTokens, List<String> chosenFlags, List<String> rejectedFlags) {
  public static final String BEST_OF_N = "best_of_n";
  public static final String TRUNCATED = "truncated";
  public static final String OTHER_INSTRUCTION = "other_instruction";
  public static final String REPETITION = "repetition";
  public static final String RUNAWAY = "runaway";
  /** The hard-negative kinds, in the order they follow an instruction's best-of-N pairs. */
  public static final List<String> HARD_NEGATIVES = List.of(TRUNCATED, OTHER_INSTRUCTION, REPETITION, RUNAWAY);
  /** Every kind. */
  public static final List<String> KINDS = List.of(BEST_OF_N, TRUNCATED, OTHER_INSTRUCTION, REPETITION, RUNAWAY);
}
