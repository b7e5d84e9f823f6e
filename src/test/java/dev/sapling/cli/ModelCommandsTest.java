package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {
  static final String MODEL = "models/stories260K/stories260K.gguf";

  @TempDir
  Path dir;

  @Test
  void logitsPrintsOneJsonObjectWithLastPositionByDefault() throws Exception {
    CliRun r = CliRun.of("logits", "--model", MODEL, "--ids", "1,403,407");
    assertEquals(0, r.code(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("[1,403,407]", json.get("ids").toString());
    assertEquals(1, json.get("logits").size());
    assertEquals(512, json.get("logits").get(0).size());
    assertEquals(1, r.out().strip().lines().count(), "stdout holds only the JSON object");

    CliRun all = CliRun.of("logits", "--model", MODEL, "--ids", "1,403,407", "--all-positions");
    JsonNode allJson = new ObjectMapper().readTree(all.out());
    assertEquals(3, allJson.get("logits").size());
    assertEquals(json.get("logits").get(0).get(7).asDouble(), allJson.get("logits").get(2).get(7).asDouble(), 1e-5);
  }

  @Test
  void badIdsAndUnknownFlagsAreUsageErrors() {
    CliRun r = CliRun.of("logits", "--model", MODEL, "--ids", "1,9999");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("9999") && r.err().contains("outside the vocabulary"), r.err());
    r = CliRun.of("generate", "--model", MODEL, "--greedy", "--max-tokenz", "3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--max-tokenz"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void generateContinuesAPromptWithItsSpace() {
    CliRun r = CliRun.of("generate", "--model", MODEL, "--prompt", "Once upon a time", "--max-tokens", "8", "--greedy");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith(","), "continuation of 'Once upon a time' starts with ','; got " + r.out());
  }

  @Test
  void convertWritesAFolderAndRefusesToOverwrite() throws Exception {
    Path out = dir.resolve("hf");
    CliRun r = CliRun.of("convert", MODEL, out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(out.toAbsolutePath().toString(), r.out().strip());
    assertTrue(Files.exists(out.resolve("model.safetensors")));
    CliRun again = CliRun.of("convert", MODEL, out.toString());
    assertEquals(1, again.code());
    assertTrue(again.err().contains("already exists"), again.err());
    CliRun missing = CliRun.of("generate", "--model", dir.resolve("missing.gguf").toString(), "--greedy");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("missing.gguf"), missing.err());
  }

  @Test
  void generateJsonIsReproducibleAndScoreReproducesItsLogprobs() throws Exception {
    String[] argv = {"generate", "--model", MODEL, "--prompt", "Once upon a time", "--n", "2", "--temperature", "0.9",
        "--top-p", "0.95", "--max-tokens", "12", "--seed", "3", "--json"};
    CliRun first = CliRun.of(argv);
    assertEquals(0, first.code(), first.err());
    assertEquals(first.out(), CliRun.of(argv).out(), "same seed, same request: same output");
    ObjectMapper mapper = new ObjectMapper();
    java.util.List<JsonNode> lines = first.out().lines().map(l -> {
      try {
        return mapper.readTree(l);
      } catch (Exception e) {
        throw new AssertionError(l, e);
      }
    }).toList();
    assertEquals(2, lines.size());
    JsonNode c = lines.get(1);
    assertEquals("[\"prompt_index\",\"sample_index\",\"prompt_token_ids\",\"text\",\"token_ids\",\"logprobs\","
        + "\"finish_reason\"]", fieldNames(c));
    assertEquals(1, c.get("sample_index").asInt());
    assertEquals("length", c.get("finish_reason").asText());

    Path pairs = dir.resolve("pairs.jsonl");
    Files.writeString(pairs, "{\"context_ids\": " + c.get("prompt_token_ids") + ", \"continuation_ids\": "
        + c.get("token_ids") + "}\n\n{\"context\": \"Once upon a time\", \"continuation\": \", there was\"}\n");
    CliRun scored = CliRun.of("score", "--model", MODEL, "--pairs", pairs.toString());
    assertEquals(0, scored.code(), scored.err());
    JsonNode s = mapper.readTree(scored.out().lines().findFirst().orElseThrow());
    assertEquals(c.get("token_ids").size(), s.get("tokens").asInt());
    for (int i = 0; i < s.get("tokens").asInt(); i++) {
      assertEquals(c.get("logprobs").get(i).asDouble(), s.get("token_logprobs").get(i).asDouble(), 1e-4, "token " + i);
    }
    assertEquals(2, scored.out().lines().count());
  }

  @Test
  void stopSequenceEndsGenerationAndMalformedInputNamesTheLine() throws Exception {
    CliRun r = CliRun.of("generate", "--model", MODEL, "--greedy", "--max-tokens", "60", "--stop", "Lily", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode c = new ObjectMapper().readTree(r.out());
    assertEquals("stop", c.get("finish_reason").asText());
    assertEquals("Once upon a time, there was a little girl named ", c.get("text").asText());

    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"prompt\": \"ok\"}\n{\"prompt\": 3}\n");
    CliRun e = CliRun.of("generate", "--model", MODEL, "--prompts", bad.toString(), "--greedy");
    assertEquals(1, e.code());
    assertTrue(e.err().contains("bad.jsonl:2") && e.err().contains("'prompt'"), e.err());
    Files.writeString(bad, "{\"context\": \"a\", \"continuation\": \"b\"}\n{oops\n");
    e = CliRun.of("score", "--model", MODEL, "--pairs", bad.toString());
    assertEquals(1, e.code());
    assertTrue(e.err().contains("bad.jsonl:2") && e.err().contains("not valid JSON"), e.err());
  }

  static String fieldNames(JsonNode node) {
    java.util.List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return "[" + String.join(",", names.stream().map(n -> "\"" + n + "\"").toList()) + "]";
  }
}
