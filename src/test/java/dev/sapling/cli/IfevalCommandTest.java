package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IfevalCommandTest {
  private static final String PROMPT = "I am planning a trip to Japan, and I would like thee to write an itinerary for my"
      + " journey in a Shakespearean style. You are not allowed to use any commas in your response.";

  @Test
  void scoresResponsesAgainstBundledPromptsAndPrintsTheFourAccuracies(@TempDir Path dir) throws IOException {
    Path responses = dir.resolve("responses.jsonl");
    Files.writeString(responses, "{\"prompt\": \"" + PROMPT + "\", \"response\": \"Day one we sail. Day two we rest.\"}\n");
    CliRun o = CliRun.of("ifeval", "--responses", responses.toString(), "--out", dir.resolve("out").toString());
    assertEquals(0, o.code(), o.err());
    assertEquals(List.of("prompt-level strict accuracy: 1.0000", "instruction-level strict accuracy: 1.0000",
        "prompt-level loose accuracy: 1.0000", "instruction-level loose accuracy: 1.0000"), o.out().lines().toList());
    String strict = Files.readString(dir.resolve("out/eval_results_strict.jsonl"));
    assertTrue(strict.startsWith("{\"follow_all_instructions\": true, \"follow_instruction_list\": [true], "
        + "\"instruction_id_list\": [\"punctuation:no_comma\"], \"prompt\": \"I am planning"), strict);
    assertTrue(Files.exists(dir.resolve("out/eval_results_loose.jsonl")));
  }

  @Test
  void failsNamingTheUnknownPrompt(@TempDir Path dir) throws IOException {
    Path responses = dir.resolve("responses.jsonl");
    Files.writeString(responses, "{\"prompt\": \"Tell me a joke.\", \"response\": \"No.\"}\n");
    CliRun o = CliRun.of("ifeval", "--responses", responses.toString(), "--out", dir.resolve("out").toString());
    assertEquals(1, o.code());
    assertTrue(o.err().contains("unknown prompt: \"Tell me a joke.\""), o.err());
    assertEquals("", o.out());
    assertTrue(Files.notExists(dir.resolve("out/eval_results_strict.jsonl")));
  }

  @Test
  void failsNamingTheLineOfAMalformedResponse(@TempDir Path dir) throws IOException {
    Path responses = dir.resolve("responses.jsonl");
    Files.writeString(responses, "{\"prompt\": \"" + PROMPT + "\", \"response\": \"ok\"}\n{\"prompt\": \"x\", \n");
    CliRun o = CliRun.of("ifeval", "--responses", responses.toString(), "--out", dir.resolve("out").toString());
    assertEquals(1, o.code());
    assertTrue(o.err().contains("responses.jsonl line 2: not valid JSON"), o.err());
  }

  @Test
  void failsOnAMissingOrEmptyResponsesFile(@TempDir Path dir) throws IOException {
    CliRun o = CliRun.of("ifeval", "--responses", dir.resolve("none.jsonl").toString(), "--out", dir.toString());
    assertEquals(1, o.code());
    assertTrue(o.err().contains("none.jsonl does not exist"), o.err());
    Files.writeString(dir.resolve("empty.jsonl"), "\n");
    o = CliRun.of("ifeval", "--responses", dir.resolve("empty.jsonl").toString(), "--out", dir.toString());
    assertEquals(1, o.code());
    assertTrue(o.err().contains("empty.jsonl has no responses"), o.err());
  }

  @Test
  void requiresTheOutFolder(@TempDir Path dir) {
    CliRun o = CliRun.of("ifeval", "--responses", dir.resolve("r.jsonl").toString());
    assertEquals(2, o.code());
    assertTrue(o.err().contains("missing required flag --out"), o.err());
  }
}
