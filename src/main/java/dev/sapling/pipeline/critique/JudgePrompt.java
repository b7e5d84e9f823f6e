package dev.sapling.pipeline.critique;

import dev.sapling.SaplingException;
import java.util.List;

/**
 * The few-shot prompt of the {@value Criterion#JUDGE} criterion: a header, worked examples that each end in the yes
 * or the no answer, then the item's instruction and response and the question; the critic scores the two answers as
 * continuations and never reads generated text. The examples alternate yes and no (a constant lean towards one
 * answer cancels out when candidates of one instruction are ranked against each other); the no examples show the two
 * failures a base model makes most, an answer to something else and an echo of the instruction.
 *
 * <pre>{@code
 * JudgePrompt p = JudgePrompt.standard();
 * p.render("Name a colour.", "Blue.", p.shots().size());
 * // ...\n\nInstruction: Name a colour.\nResponse: Blue.\nDoes the response follow the instruction?
 * }</pre>
 *
 * @param header the first paragraph, saying what is judged
 * @param shots worked examples, in prompt order
 * @param instructionLabel what precedes each instruction ({@code "Instruction: "})
 * @param responseLabel what precedes each response, on the next line ({@code "Response: "})
 * @param question asked after every response; the answers follow it directly
 * @param yes the continuation whose log-prob counts for the response (with its leading space)
 * @param no the continuation whose log-prob counts against it
 */
public record JudgePrompt(String header, List<Shot> shots, String instructionLabel, String responseLabel,
    String question, String yes, String no) {
  /**
   * One worked example.
   *
   * @param follows whether the answer shown is {@code yes}
   */
  public record Shot(String instruction, String response, boolean follows) {}

  public JudgePrompt {
    shots = List.copyOf(shots);
    if (yes == null || no == null || yes.isEmpty() || no.isEmpty() || yes.equals(no)) {
      throw new SaplingException("judge prompt: yes ('" + yes + "') and no ('" + no + "') must be two different, "
          + "non-empty continuations such as \" Yes\" and \" No\"");
    }
  }

  /** Four examples, two yes and two no, and the answers {@code " Yes"} / {@code " No"}. */
  public static JudgePrompt standard() {
    return new JudgePrompt(
        "Each response below is checked: does it follow its instruction and answer it well? Answer Yes or No.",
        List.of(
            new Shot("Name three primary colors.", "Red, blue and yellow.", true),
            new Shot("Translate \"good morning\" into French.", "I like to walk in the park when the sun is out.",
                false),
            new Shot("Write one sentence that uses the word \"river\".", "We had a picnic beside the river.", true),
            new Shot("List two even numbers.", "List two even numbers.", false)),
        "Instruction: ", "Response: ", "Does the response follow the instruction?", " Yes", " No");
  }

  /** The prompt with the first {@code shotCount} examples, ending with the question for this instruction/response. */
  public String render(String instruction, String response, int shotCount) {
    StringBuilder s = new StringBuilder(header).append("\n\n");
    for (Shot shot : shots.subList(0, Math.min(shotCount, shots.size()))) {
      block(s, shot.instruction(), shot.response()).append(shot.follows() ? yes : no).append("\n\n");
    }
    return block(s, instruction, response).toString();
  }

  private StringBuilder block(StringBuilder s, String instruction, String response) {
    return s.append(instructionLabel).append(instruction).append('\n').append(responseLabel).append(response)
        .append('\n').append(question);
  }
}
