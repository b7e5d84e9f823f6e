package dev.sapling.pipeline.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.JsonLines;
import dev.sapling.data.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A complete earlier stage as a later one sees it: its manifest and its records, read from disk, never from the
 * earlier stage's objects.
 *
 * <pre>{@code
 * StageInput in = ctx.input("instructions");
 * for (JsonNode r : in.records()) { if (r.get("kept").asBoolean()) { ... } }
 * }</pre>
 */
public record StageInput(String stage, Path dir, Manifest manifest) {
  /** The stage's data file. */
  public Path dataFile() {
    return dir.resolve(manifest.data().file());
  }

  /** Every record, in file order (a malformed line is an error naming the file and line). */
  public List<JsonNode> records() {
    try {
      return JsonLines.read(dataFile()).stream().map(JsonLines.Line::json).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(dataFile() + ": cannot read", e);
    }
  }
}
