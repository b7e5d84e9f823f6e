package dev.sapling.pipeline.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.SaplingException;
import dev.sapling.data.Hashing;
import dev.sapling.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateTest {
  @TempDir
  Path dir;

  /** A dataset folder that passes the standard gate, with {@code edit} applied to its manifest. */
  private Path dataset(Consumer<ObjectNode> edit) throws Exception {
    Files.writeString(dir.resolve("data.jsonl"), "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n");
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("loader_version", "sapling-loader/3");
    m.put("config_hash", "abc123");
    m.put("seed", 7);
    m.put("git_commit", "d77bdc8a1b2c3d4e5f60718293a4b5c6d7e8f901");
    m.put("git_dirty", false);
    m.putObject("data").put("file", "data.jsonl").put("sha256", Hashing.sha256(dir.resolve("data.jsonl")));
    ObjectNode metrics = m.putObject("qc_metrics").putObject("metrics");
    metrics.put("runaway_rate", 0.1).put("margin_median", 0.5).put("contamination_rate", 0.0).put("pair_count", 12);
    edit.accept(m);
    Files.writeString(dir.resolve("manifest.json"), Json.pretty(m));
    return dir;
  }

  private static List<String> failed(GateResult r) {
    return r.failures().stream().map(GateCheck::name).toList();
  }

  @Test
  void aCompleteDatasetPasses() throws Exception {
    GateResult r = Gate.standard().check(dataset(m -> {}));
    assertTrue(r.passed());
    assertEquals(11, r.checks().size());
    assertTrue(r.summary().startsWith(dir + ": PASSED 11/11 checks"), r.summary());
  }

  @Test
  void eachMissingProvenanceFieldFailsByName() throws Exception {
    for (String field : List.of("loader_version", "config_hash", "seed", "git_commit", "git_dirty", "qc_metrics")) {
      GateResult r = Gate.standard().explain(dataset(m -> m.remove(field)));
      List<String> expected = field.equals("qc_metrics")
          ? List.of("qc_metrics", "runaway_rate", "margin_median", "contamination_rate", "pair_count") : List.of(field);
      assertEquals(expected, failed(r), field);
    }
    assertEquals(List.of("git_commit"), failed(Gate.standard().explain(dataset(m -> m.put("git_commit", "unknown")))));
    assertEquals(List.of("data_sha256"), failed(Gate.standard().explain(dataset(m -> m.remove("data")))));
  }

  @Test
  void aDataFileThatNoLongerMatchesItsHashFails() throws Exception {
    Path d = dataset(m -> {});
    Files.writeString(d.resolve("data.jsonl"), "{\"prompt\":\"p\",\"chosen\":\"EDITED\",\"rejected\":\"b\"}\n");
    GateResult r = Gate.standard().explain(d);
    assertEquals(List.of("data_sha256"), failed(r));
  }

  @Test
  void eachThresholdFailsOnItsOwnWithObservedValueAndThreshold() throws Exception {
    assertEquals(List.of("runaway_rate"), failed(Gate.standard().explain(dataset(
        m -> ((ObjectNode) m.get("qc_metrics").get("metrics")).put("runaway_rate", 0.31)))));
    assertEquals(List.of("margin_median"), failed(Gate.standard().explain(dataset(
        m -> ((ObjectNode) m.get("qc_metrics").get("metrics")).put("margin_median", 0.05)))));
    assertEquals(List.of("contamination_rate"), failed(Gate.standard().explain(dataset(
        m -> ((ObjectNode) m.get("qc_metrics").get("metrics")).put("contamination_rate", 0.02)))));
    assertEquals(List.of("pair_count"), failed(Gate.standard().withMinPairCount(100).explain(dataset(m -> {}))));
    assertEquals(List.of("margin_median"), failed(Gate.standard().explain(dataset(
        m -> ((ObjectNode) m.get("qc_metrics").get("metrics")).put("margin_median", "NaN")))));
  }

  @Test
  void aRefusalListsEveryFailedCheckAndHowToOverride() throws Exception {
    Path d = dataset(m -> {
      m.remove("git_commit");
      ((ObjectNode) m.get("qc_metrics").get("metrics")).put("runaway_rate", 0.5).put("pair_count", 0);
    });
    GateFailedException e = assertThrows(GateFailedException.class, () -> Gate.standard().check(d));
    assertEquals(List.of("git_commit", "runaway_rate", "pair_count"), failed(e.result()));
    assertTrue(e.getMessage().contains("3 of 11 checks failed"), e.getMessage());
    assertTrue(e.getMessage().contains("FAIL runaway_rate: 0.5000 (needs <= 0.2000)"), e.getMessage());
    assertTrue(e.getMessage().contains("FAIL pair_count: 0 (needs >= 1)"), e.getMessage());
    assertTrue(e.getMessage().contains("--force REASON"), e.getMessage());
    GateResult forced = Gate.standard().force("toy model pilot").check(d);
    assertFalse(forced.passed());
    assertTrue(forced.accepted());
    assertEquals("toy model pilot", forced.forceReason().orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> Gate.standard().force(" "));
  }

  @Test
  void aMissingOrCorruptManifestSaysWhatToDo() throws Exception {
    SaplingException missing = assertThrows(SaplingException.class, () -> Gate.standard().check(dir));
    assertTrue(missing.getMessage().contains("manifest.json: no manifest"), missing.getMessage());
    Files.writeString(dir.resolve("manifest.json"), "{\"loader_version\": ");
    SaplingException corrupt = assertThrows(SaplingException.class, () -> Gate.standard().check(dir));
    assertTrue(corrupt.getMessage().contains("rerun the stage"), corrupt.getMessage());
  }
}
