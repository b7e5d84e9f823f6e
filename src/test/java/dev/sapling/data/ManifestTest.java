package dev.sapling.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.SaplingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir
  Path dir;

  static Manifest sample() {
    JsonNode config = Json.mapper().createObjectNode().put("k", 4);
    return new Manifest(Manifest.FORMAT, "responses", "pilot", "2026-01-01T00:00:00Z", "sig", config, "ch", 7,
        "sapling-loader/1", Json.mapper().createObjectNode().put("path", "m.gguf"), "abc", true,
        List.of(new Manifest.Input("instructions", "m1", "s1", "d1")), new Manifest.DataFile("data.jsonl", "d", 3),
        Json.mapper().createObjectNode().put("batch_rows", 32), null, Map.of("seconds", 1.5), true, null,
        List.of("a note"));
  }

  @Test
  void roundTripsWithSnakeCaseFieldsAndExplicitNulls() throws Exception {
    sample().write(dir);
    String text = Files.readString(dir.resolve("manifest.json"));
    assertTrue(text.contains("\"sapling_manifest\" : 1"), text);
    assertTrue(text.contains("\"force_reason\" : null"), text);
    assertTrue(text.contains("\"qc_metrics\" : null"), text);
    assertTrue(text.contains("\"manifest_sha256\" : \"m1\""), text);
    Manifest back = Manifest.read(dir.resolve("manifest.json"));
    assertEquals(sample().signature(), back.signature());
    assertEquals(3, back.data().records());
    assertEquals(List.of("a note"), back.notes());
    assertTrue(back.gitDirty());
  }

  @Test
  void corruptManifestIsAnErrorThatSaysWhatToDo() throws Exception {
    Files.writeString(dir.resolve("manifest.json"), "{\"sapling_manifest\": 1, \"stage\": ");
    SaplingException e = assertThrows(SaplingException.class, () -> Manifest.read(dir.resolve("manifest.json")));
    assertTrue(e.getMessage().contains("corrupt manifest"), e.getMessage());
    assertTrue(e.getMessage().contains("move the folder"), e.getMessage());
  }

  @Test
  void foreignJsonIsRefused() throws Exception {
    Files.writeString(dir.resolve("manifest.json"), "{\"name\": \"something else\"}");
    SaplingException e = assertThrows(SaplingException.class, () -> Manifest.read(dir.resolve("manifest.json")));
    assertTrue(e.getMessage().contains("not a Sapling stage manifest"), e.getMessage());
  }

  @Test
  void otherFormatVersionIsRefused() throws Exception {
    Files.writeString(dir.resolve("manifest.json"), "{\"sapling_manifest\": 2}");
    SaplingException e = assertThrows(SaplingException.class, () -> Manifest.read(dir.resolve("manifest.json")));
    assertTrue(e.getMessage().contains("format 2"), e.getMessage());
  }

  @Test
  void provenanceOfThisCheckoutHasACommit() {
    Provenance p = Provenance.of(Path.of(""));
    assertTrue(p.gitCommit().matches("[0-9a-f]{40}") || p.gitCommit().equals(Provenance.UNKNOWN), p.gitCommit());
    Provenance outside = Provenance.of(dir);
    assertEquals(Provenance.UNKNOWN, outside.gitCommit());
    assertFalse(outside.gitDirty());
  }
}
