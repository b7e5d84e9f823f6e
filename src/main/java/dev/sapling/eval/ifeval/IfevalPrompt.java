package dev.sapling.eval.ifeval;

import java.util.List;
import java.util.Map;

/**
 * One IFEval prompt with its verifiable instructions: a line of {@code input_data.jsonl}.
 *
 * <pre>{@code
 * IfevalPrompt p = IfevalData.bundledPrompts().get(0);
 * List<Instruction> checks = p.instructions();
 * }</pre>
 *
 * @param key the reference's numeric key
 * @param prompt the prompt text, which responses are matched by
 * @param instructionIdList instruction ids, such as {@code punctuation:no_comma}
 * @param kwargs one argument map per instruction, in the same order
 */
public record IfevalPrompt(int key, String prompt, List<String> instructionIdList, List<Map<String, Object>> kwargs) {
  public IfevalPrompt {
    instructionIdList = List.copyOf(instructionIdList);
    kwargs = List.copyOf(kwargs);
    if (instructionIdList.size() != kwargs.size()) {
      throw new IfevalException("prompt " + key + ": " + instructionIdList.size() + " instruction ids but "
          + kwargs.size() + " kwargs objects; expected one kwargs object per instruction");
    }
  }

  /** The instructions of this prompt, built from ids and kwargs. */
  public List<Instruction> instructions() {
    return java.util.stream.IntStream.range(0, instructionIdList.size())
        .mapToObj(i -> Instructions.create(instructionIdList.get(i), kwargs.get(i)))
        .toList();
  }
}
