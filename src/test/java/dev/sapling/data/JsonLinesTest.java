package dev.sapling.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sapling.SaplingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
  record Seed(String seedId, int wordCount) {}

  @Test
  void writesRecordsInSnakeCaseAndReadsThemBack(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("seeds.jsonl");
    String line = Json.line(new Seed("s-1", 4));
    assertEquals("{\"seed_id\":\"s-1\",\"word_count\":4}", line);
    Files.writeString(file, line + "\n\n" + Json.line(new Seed("s-2", 9)) + "\n");
    assertEquals(List.of(new Seed("s-1", 4), new Seed("s-2", 9)), JsonLines.readRecords(file, Seed.class));
  }

  @Test
  void namesFileAndLineOfAMalformedOrMistypedLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"seed_id\":\"s-1\",\"word_count\":4}\n{\"seed_id\": \n");
    SaplingException bad = assertThrows(SaplingException.class, () -> JsonLines.read(file));
    assertEquals(true, bad.getMessage().startsWith(file + ":2: not valid JSON"), bad.getMessage());
    Files.writeString(file, "{\"seed_id\":\"s-1\",\"word_count\":4}\n{\"seed_id\":\"s-2\",\"word_cnt\":4}\n");
    SaplingException unknown = assertThrows(SaplingException.class, () -> JsonLines.readRecords(file, Seed.class));
    assertEquals(true, unknown.getMessage().startsWith(file + ":2: not a valid Seed"), unknown.getMessage());
  }
}
