package dev.sapling.eval.ifeval;

import java.util.List;

/**
 * The verdicts for one prompt in one mode: a line of {@code eval_results_strict.jsonl} or
 * {@code eval_results_loose.jsonl}.
 *
 * <pre>{@code
 * IfevalResult r = Ifeval.evaluate(prompt, response, IfevalMode.STRICT);
 * r.followAllInstructions();
 * }</pre>
 */
public record IfevalResult(List<String> instructionIdList, String prompt, String response,
    boolean followAllInstructions, List<Boolean> followInstructionList) {
  public IfevalResult {
    instructionIdList = List.copyOf(instructionIdList);
    followInstructionList = List.copyOf(followInstructionList);
  }
}
