package dev.sapling.eval.ifeval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IfevalDataTest {
  @Test
  void bundlesAll541PromptsCoveringThe25InstructionTypes() {
    List<IfevalPrompt> prompts = IfevalData.bundledPrompts();
    assertEquals(541, prompts.size());
    assertEquals(1000, prompts.get(0).key());
    assertEquals(Instructions.IDS.size(), prompts.stream().flatMap(p -> p.instructionIdList().stream()).distinct()
        .count());
    assertEquals(25, Instructions.IDS.size());
  }

  @Test
  void readsResponsesInFileOrderSkippingBlankLines(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("r.jsonl");
    Files.writeString(f, "{\"prompt\": \"b\", \"response\": \"2\"}\n\n{\"prompt\": \"a\", \"response\": \"é\"}\n");
    Map<String, String> r = IfevalData.readResponses(f);
    assertEquals(List.of("b", "a"), List.copyOf(r.keySet()));
    assertEquals("é", r.get("a"));
  }

  @Test
  void reportsMalformedResponseLinesWithTheirLineNumber(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("r.jsonl");
    String e = refusal(f, "{\"prompt\": \"a\", \"response\": \"1\"}\nnot json\n");
    assertTrue(e.contains("r.jsonl line 2: not valid JSON"), e);
    e = refusal(f, "{\"prompt\": \"a\"}\n");
    assertTrue(e.endsWith("r.jsonl line 1: field 'response' is missing"), e);
    e = refusal(f, "{\"prompt\": \"a\", \"response\": 3}\n");
    assertTrue(e.contains("line 1: field 'response' must be a string"), e);
    e = refusal(f, "[1, 2]\n");
    assertTrue(e.contains("line 1: expected a JSON object"), e);
  }

  /** The message {@link IfevalData#readResponses} refuses {@code f} with once it holds {@code content}. */
  private static String refusal(Path f, String content) throws IOException {
    Files.writeString(f, content);
    return assertThrows(IfevalException.class, () -> IfevalData.readResponses(f)).getMessage();
  }

  @Test
  void rejectsASecondResponseForTheSamePrompt(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("r.jsonl");
    Files.writeString(f, "{\"prompt\": \"a\", \"response\": \"1\"}\n{\"prompt\": \"a\", \"response\": \"2\"}\n");
    IfevalException e = assertThrows(IfevalException.class, () -> IfevalData.readResponses(f));
    assertTrue(e.getMessage().contains("line 2: a second response for the prompt of"), e.getMessage());
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }

  @Test
  void rejectsAResponseForAnUnknownPromptNamingIt() {
    IfevalException e = assertThrows(IfevalException.class,
        () -> Ifeval.evaluate(IfevalData.bundledPrompts(), Map.of("What is 2+2?", "4")));
    assertTrue(e.getMessage().contains("unknown prompt: \"What is 2+2?\""), e.getMessage());
  }

  @Test
  void reportsPromptFilesWithUnknownInstructionsOrMissingKwargsByLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("input.jsonl");
    Files.writeString(f, "{\"key\": 1, \"prompt\": \"p\", \"instruction_id_list\": [\"punctuation:no_colon\"],"
        + " \"kwargs\": [{}]}\n");
    IfevalException e = assertThrows(IfevalException.class, () -> IfevalData.readPrompts(f));
    assertTrue(e.getMessage().contains("input.jsonl line 1: unknown instruction id 'punctuation:no_colon'"),
        e.getMessage());

    Files.writeString(f, "{\"key\": 1, \"prompt\": \"p\", \"instruction_id_list\": "
        + "[\"length_constraints:number_words\"], \"kwargs\": [{\"num_words\": 5}]}\n");
    e = assertThrows(IfevalException.class, () -> IfevalData.readPrompts(f));
    assertTrue(e.getMessage().contains("line 1: length_constraints:number_words: kwarg 'relation' is missing"),
        e.getMessage());
  }

  @Test
  void scoresOnlyAnsweredPromptsInPromptOrderWithAccuracies() {
    List<IfevalPrompt> prompts = List.of(
        new IfevalPrompt(1, "p1", List.of("punctuation:no_comma"), List.of(Map.of())),
        new IfevalPrompt(2, "p2", List.of("punctuation:no_comma", "startend:quotation"), List.of(Map.of(), Map.of())),
        new IfevalPrompt(3, "p3", List.of("punctuation:no_comma"), List.of(Map.of())));
    IfevalReport r = Ifeval.evaluate(prompts, Map.of("p3", "a, b", "p2", "\"quoted\"\n**"));
    assertEquals(List.of("p2", "p3"), r.strict().stream().map(IfevalResult::prompt).toList());
    assertEquals(List.of(true, false), r.strict().get(0).followInstructionList());
    assertEquals(List.of(true, true), r.loose().get(0).followInstructionList());
    IfevalReport.Accuracies a = r.accuracies();
    assertEquals(0.0, a.promptLevelStrict());
    assertEquals(1.0 / 3, a.instructionLevelStrict(), 1e-12);
    assertEquals(0.5, a.promptLevelLoose());
    assertEquals(2.0 / 3, a.instructionLevelLoose(), 1e-12);
  }

  @Test
  void blankResponseFollowsNothingEvenWhereTheTextWouldPass() {
    IfevalPrompt p = new IfevalPrompt(1, "p", List.of("punctuation:no_comma"), List.of(Map.of()));
    assertEquals(List.of(false), Ifeval.evaluate(p, " \n", IfevalMode.STRICT).followInstructionList());
    assertEquals(List.of(false), Ifeval.evaluate(p, "", IfevalMode.LOOSE).followInstructionList());
  }
}
