package dev.sapling.eval.ifeval;

/**
 * One verifiable instruction of IFEval with its arguments bound, e.g. "answer in fewer than 300 words". Built from an
 * instruction id and its kwargs by {@link Instructions#create}; checking a response is a pure function of the text.
 *
 * <pre>{@code
 * Instruction noComma = Instructions.create("punctuation:no_comma", Map.of());
 * noComma.isFollowed("Yes. No.");   // true
 * }</pre>
 */
public interface Instruction {
  /** The IFEval id, such as {@code length_constraints:number_words}. */
  String id();

  /** Whether {@code response} follows this instruction (strict reading: the text exactly as given). */
  boolean isFollowed(String response);
}
