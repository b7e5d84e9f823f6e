package dev.sapling.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordLogTest {
  @TempDir
  Path dir;

  @Test
  void appendsAndResumesFromTheCommittedCount() {
    Path f = dir.resolve("data.jsonl");
    try (RecordLog log = RecordLog.open(f)) {
      log.append("{\"a\":1}");
      log.append("{\"a\":2}");
    }
    try (RecordLog log = RecordLog.open(f)) {
      assertEquals(2, log.count());
      assertEquals(0, log.tornBytes());
      log.append("{\"a\":3}");
    }
    assertEquals(List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"), RecordLog.lines(f));
  }

  @Test
  void cutsATornLastLineAndKeepsEveryCommittedRecord() throws Exception {
    Path f = dir.resolve("data.jsonl");
    Files.writeString(f, "{\"a\":1}\n{\"a\":2}\n{\"a\":3,\"b\":\"half", StandardCharsets.UTF_8);
    try (RecordLog log = RecordLog.open(f)) {
      assertEquals(2, log.count());
      assertEquals("{\"a\":3,\"b\":\"half".length(), log.tornBytes());
      log.append("{\"a\":3}");
    }
    assertEquals("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", Files.readString(f));
  }

  @Test
  void aTornFirstLineLeavesAnEmptyLog() throws Exception {
    Path f = dir.resolve("data.jsonl");
    Files.writeString(f, "{\"a\":");
    try (RecordLog log = RecordLog.open(f)) {
      assertEquals(0, log.count());
    }
    assertEquals(0, Files.size(f));
  }

  @Test
  void refusesADamagedCommittedLineAndChangesNothing() throws Exception {
    Path f = dir.resolve("data.jsonl");
    String content = "{\"a\":1}\nnot json\n{\"a\":3}\n";
    Files.writeString(f, content);
    SaplingException e = assertThrows(SaplingException.class, () -> RecordLog.open(f));
    assertTrue(e.getMessage().contains("data.jsonl:2"), e.getMessage());
    assertTrue(e.getMessage().contains("move the stage folder aside"), e.getMessage());
    assertEquals(content, Files.readString(f));
  }

  @Test
  void refusesARecordWithANewline() {
    try (RecordLog log = RecordLog.open(dir.resolve("x.jsonl"))) {
      assertThrows(IllegalArgumentException.class, () -> log.append("{\"a\":\n1}"));
      assertEquals(0, log.count());
    }
  }

  @Test
  void unwritableFolderSaysWhatToDo() throws Exception {
    Path ro = dir.resolve("ro");
    Files.createDirectories(ro);
    Files.writeString(ro.resolve("data.jsonl"), "{\"a\":1}\n");
    ro.resolve("data.jsonl").toFile().setWritable(false);
    ro.toFile().setWritable(false);
    try {
      if (Files.isWritable(ro.resolve("data.jsonl"))) {
        return; // running as root: permissions are not enforced
      }
      SaplingException e = assertThrows(SaplingException.class, () -> RecordLog.open(ro.resolve("data.jsonl")));
      assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
      assertEquals("{\"a\":1}\n", Files.readString(ro.resolve("data.jsonl")));
    } finally {
      ro.toFile().setWritable(true);
      ro.resolve("data.jsonl").toFile().setWritable(true);
    }
  }
}
