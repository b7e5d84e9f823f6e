package dev.sapling.pipeline.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedTasksTest {
  @TempDir
  Path dir;

  @Test
  void embeddedSeedsAreTheSelfInstructTasks() {
    SeedTasks s = SeedTasks.selfInstruct();
    assertEquals(175, s.tasks().size());
    assertEquals("seed_task_0", s.tasks().get(0).id());
    assertTrue(s.problems().isEmpty());
  }

  @Test
  void malformedLinesAreReportedWithFileAndLineAndCounted() throws Exception {
    Path f = dir.resolve("seeds.jsonl");
    Files.writeString(f, "{\"id\":\"a\",\"instruction\":\"Write a poem.\"}\n{broken\n\n{\"id\":\"c\"}\n"
        + "{\"instruction\":\"List three colors.\"}\n", StandardCharsets.UTF_8);
    SeedTasks s = SeedTasks.jsonl(f);
    assertEquals(2, s.tasks().size());
    assertEquals("seed-5", s.tasks().get(1).id());
    assertEquals(2, s.problems().size());
    assertTrue(s.problems().get(0).startsWith(f + ":2: not valid JSON"), s.problems().get(0));
    assertTrue(s.problems().get(1).startsWith(f + ":4: field 'instruction'"), s.problems().get(1));
  }

  @Test
  void aFileWithoutUsableTasksIsAnError() throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "nope\n");
    SaplingException e = assertThrows(SaplingException.class, () -> SeedTasks.jsonl(f));
    assertTrue(e.getMessage().contains("no usable seed task") && e.getMessage().contains("bad.jsonl:1"),
        e.getMessage());
  }
}
