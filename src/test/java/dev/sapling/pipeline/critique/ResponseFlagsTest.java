package dev.sapling.pipeline.critique;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import dev.sapling.pipeline.text.Repetition;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseFlagsTest {
  private static final ResponseFlags.Rules RULES = ResponseFlags.Rules.standard();
  private static final String ASK = "Name three primary colors.";

  private static List<String> flags(String text, String finish) {
    return ResponseFlags.of(ASK, text, finish, RULES).names();
  }

  @Test
  void aCleanAnswerHasNoFlag() {
    assertEquals(List.of(), flags("Red, blue and yellow.", "stop"));
    assertFalse(ResponseFlags.of(ASK, "Red, blue and yellow.", "eos", RULES).any());
  }

  @Test
  void blankTextIsEmpty() {
    assertEquals(List.of(ResponseFlags.EMPTY), flags(" \n ", "stop"));
  }

  @Test
  void finishReasonLengthIsRunaway() {
    assertEquals(List.of(ResponseFlags.RUNAWAY), flags("Red, blue and", "length"));
    assertEquals(List.of(), flags("Red, blue and", null), "no finish reason: not sampled, not runaway");
  }

  @Test
  void aLoopingTextIsRepetitive() {
    assertEquals(List.of(ResponseFlags.REPETITIVE), flags("red and blue and red and blue and red and blue and red "
        + "and blue and", "stop"));
    ResponseFlags.Rules strict = new ResponseFlags.Rules(Repetition.standard().withThreshold(0.1), 0.7);
    assertTrue(ResponseFlags.of(ASK, "red blue green yellow red blue green yellow", "stop", strict).repetitive());
    assertFalse(ResponseFlags.of(ASK, "red blue green yellow red blue green yellow", "stop", RULES).repetitive());
  }

  @Test
  void aTemplateTokenOrARoleLabelIsARoleMarker() {
    assertEquals(List.of(ResponseFlags.ROLE_MARKER), flags("Red, blue and yellow.<|im_end|>", "stop"));
    assertEquals(List.of(ResponseFlags.ROLE_MARKER), flags("Red, blue and yellow.\n### Assistant: more", "stop"));
    assertEquals(List.of(), flags("Ask the Assistant: it knows.", "stop"), "a label inside a line is text");
  }

  @Test
  void anEchoOfTheInstructionRepeatsIt() {
    assertEquals(List.of(ResponseFlags.REPEATS_INSTRUCTION), flags("Name three primary colors.", "stop"));
    assertEquals(List.of(ResponseFlags.REPEATS_INSTRUCTION),
        flags("Sure. Name three primary colors: red, blue and yellow.", "stop"), "the instruction's words in order");
    assertEquals(List.of(ResponseFlags.REPEATS_INSTRUCTION), flags("name three primary colours", "stop"),
        "ROLE-L F1 0.75 > 0.7");
    assertEquals(List.of(), flags("Three primary colors are red, blue and yellow.", "stop"));
  }

  @Test
  void flagsCombineAndTheirOrderIsFixed() {
    assertEquals(List.of(ResponseFlags.RUNAWAY, ResponseFlags.ROLE_MARKER, ResponseFlags.REPEATS_INSTRUCTION),
        flags("Name three primary colors.\nUser: and?", "length"));
    assertThrows(SaplingException.class, () -> new ResponseFlags.Rules(Repetition.standard(), 0));
  }
}
