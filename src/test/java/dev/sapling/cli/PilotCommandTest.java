package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.data.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PilotCommandTest {
  @TempDir
  Path dir;

  @Test
  void pilotWritesEveryStageWithACompleteManifestThenReusesThem() throws Exception {
    Path seeds = dir.resolve("seeds.jsonl");
    Files.writeString(seeds, "{\"id\":\"s1\",\"instruction\":\"Write a story about a cat.\"}\n"
        + "{\"id\":\"s2\",\"instruction\":\"Tell me about the sun.\"}\nthis is not json\n"
        + "{\"id\":\"s3\",\"instruction\":\"Name three animals.\"}\n");
    Path out = dir.resolve("runs").resolve("p");
    CliRun r = CliRun.of("pilot", "--count", "3", "--k", "2", "--seeds", seeds.toString(), "--out", out.toString());
    // every stage finishes; the story model never stops within 256 tokens, so the gate refuses the pairs
    assertEquals(PilotCommand.GATE_REFUSED, r.code(), r.err());
    assertTrue(r.err().contains("gate REFUSED") && r.err().contains("runaway_rate"), r.err());
    assertTrue(r.out().contains("runaway_rate"), r.out());
    assertTrue(r.out().contains("artifacts: " + out.toAbsolutePath()), r.out());
    assertTrue(r.err().contains("seeds.jsonl:3: not valid JSON"), r.err());
    assertTrue(r.out().contains("1 malformed seed lines skipped"), r.out());
    for (String stage : new String[] {"instructions", "responses", "critique", "pairs"}) {
      Manifest m = Manifest.read(out.resolve(stage).resolve("manifest.json"));
      assertTrue(m.complete(), stage);
      assertEquals(64, m.data().sha256().length());
      assertTrue(m.gitCommit().equals("unknown") || m.gitCommit().matches("[0-9a-f]{40}"));
      assertEquals(1234, m.seed());
      assertTrue(m.model().path("weight_files").path(0).path("sha256").asText().length() == 64);
    }
    Manifest responses = Manifest.read(out.resolve("responses/manifest.json"));
    assertEquals("instructions", responses.inputs().get(0).stage());
    assertEquals(Manifest.sha256Of(out.resolve("instructions")), responses.inputs().get(0).manifestSha256());

    CliRun again = CliRun.of("pilot", "--count", "3", "--k", "2", "--seeds", seeds.toString(), "--out", out.toString(),
        "--batch-rows", "5");
    assertEquals(PilotCommand.GATE_REFUSED, again.code(), again.err());
    for (String stage : new String[] {"instructions", "responses", "critique", "pairs"}) {
      assertTrue(again.err().contains(stage + ": unchanged, reusing"), again.err());
    }

    CliRun qc = CliRun.of("qc", out.toString(), "--json");
    assertEquals(0, qc.code(), qc.err());
    JsonNode json = Json.mapper().readTree(qc.out());
    assertEquals(3.0, json.path("instructions").path("metrics").path("requested").asDouble());
    assertEquals(json.path("responses").path("metrics").path("responses").asDouble(),
        responses.data().records());

    // the gate checks the last stage, the pairs, and refuses them, naming each failed check
    CliRun gate = CliRun.of("gate", out.toString());
    assertEquals(1, gate.code(), gate.out());
    assertTrue(gate.out().contains("FAILED") && gate.out().contains(out.resolve("pairs").toAbsolutePath() + ":"),
        gate.out());
    assertTrue(gate.err().contains("runaway_rate"), gate.err());
    CliRun forced = CliRun.of("gate", out.resolve("responses").toString(), "--force", "smoke test");
    assertEquals(0, forced.code(), forced.err());
    assertEquals("smoke test", Manifest.read(out.resolve("responses/manifest.json")).forceReason());

    var histogram = dev.sapling.pipeline.Runs.open(out).qc("responses").histogramTable("completion_tokens");
    assertTrue(histogram.rowCount() > 0);
  }

  @Test
  void qcOfAFolderThatIsNoRunSaysSo() {
    CliRun r = CliRun.of("qc", dir.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("holds no stage manifest"), r.err());
  }
}
