package dev.sapling.pipeline.instructions;

import java.util.List;

/**
 * One machine-written instruction as the filters see it: its text, why sampling ended ({@code stop}, {@code eos},
 * {@code length}) and the seed instructions shown in the prompt that produced it.
 *
 * <pre>{@code
 * var c = new InstructionCandidate("List three uses of a brick.", "stop", List.of("Name a fruit."));
 * }</pre>
 */
public record InstructionCandidate(String text, String finishReason, List<String> promptSeeds) {
  public InstructionCandidate {
    promptSeeds = List.copyOf(promptSeeds);
  }
}
