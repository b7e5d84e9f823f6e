package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {
  static final String MODEL = "models/stories260K/stories260K.gguf";

  @TempDir
  Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void logitsPrintsOneJsonObjectWithLastPositionByDefault() throws Exception {
    Result r = run("logits", "--model", MODEL, "--ids", "1,403,407");
    assertEquals(0, r.code(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("[1,403,407]", json.get("ids").toString());
    assertEquals(1, json.get("logits").size());
    assertEquals(512, json.get("logits").get(0).size());
    assertEquals(1, r.out().strip().lines().count(), "stdout holds only the JSON object");

    Result all = run("logits", "--model", MODEL, "--ids", "1,403,407", "--all-positions");
    JsonNode allJson = new ObjectMapper().readTree(all.out());
    assertEquals(3, allJson.get("logits").size());
    assertEquals(json.get("logits").get(0).get(7).asDouble(), allJson.get("logits").get(2).get(7).asDouble(), 1e-5);
  }

  @Test
  void badIdsAndUnknownFlagsAreUsageErrors() {
    Result r = run("logits", "--model", MODEL, "--ids", "1,9999");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("9999") && r.err().contains("outside the vocabulary"), r.err());
    r = run("generate", "--model", MODEL, "--greedy", "--max-tokenz", "3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--max-tokenz"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void generateContinuesAPromptWithItsSpace() {
    Result r = run("generate", "--model", MODEL, "--prompt", "Once upon a time", "--max-tokens", "8", "--greedy");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith(","), "continuation of 'Once upon a time' starts with ','; got " + r.out());
  }

  @Test
  void convertWritesAFolderAndRefusesToOverwrite() throws Exception {
    Path out = dir.resolve("hf");
    Result r = run("convert", MODEL, out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(out.toAbsolutePath().toString(), r.out().strip());
    assertTrue(Files.exists(out.resolve("model.safetensors")));
    Result again = run("convert", MODEL, out.toString());
    assertEquals(1, again.code());
    assertTrue(again.err().contains("already exists"), again.err());
    Result missing = run("generate", "--model", dir.resolve("missing.gguf").toString(), "--greedy");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("missing.gguf"), missing.err());
  }
}
