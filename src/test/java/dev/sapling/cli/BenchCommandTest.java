package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  @Test
  void printsOneRowPerTaskAndBatchWithPositiveThroughput() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new BenchCommand().run(Args.parse(List.of("--shape", "stories260k", "--batches", "1,2",
            "--prompt-tokens", "3", "--new-tokens", "2", "--repeats", "1"), Set.of()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2 + 4, lines.size(), String.join("\n", lines));
    assertEquals("| model | parameters | task | batch | tokens/s | tokens/CPU-s |", lines.get(0));
    String[] tasks = {"sample", "score", "sample", "score"};
    int[] batches = {1, 1, 2, 2};
    for (int i = 0; i < 4; i++) {
      String[] cells = lines.get(2 + i).split("\\|");
      assertEquals("stories260k (random init)", cells[1].trim());
      assertEquals(tasks[i], cells[3].trim());
      assertEquals(batches[i], Integer.parseInt(cells[4].trim()));
      assertTrue(Double.parseDouble(cells[5].trim()) > 0, lines.get(2 + i));
    }
  }

  @Test
  void jsonPrintsOneObjectPerSamplingBatchAndOneScoringShape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new BenchCommand().run(Args.parse(List.of("--shape", "stories260k", "--batches", "1,2",
            "--prompt-tokens", "3", "--new-tokens", "2", "--repeats", "1", "--score-batch", "3", "--score-tokens", "5",
            "--json"), new BenchCommand().switches()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8));
    assertEquals(0, code);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(3, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("\"task\": \"sample\", \"batch\": 1, \"tokens\": 2,"), lines.get(0));
    assertTrue(lines.get(1).contains("\"task\": \"sample\", \"batch\": 2, \"tokens\": 4,"), lines.get(1));
    // 3 rows of 5 tokens: 1 context id + 4 scored ids each
    assertTrue(lines.get(2).contains("\"task\": \"score\", \"batch\": 3, \"tokens\": 12,"), lines.get(2));
    assertTrue(lines.get(2).startsWith("{\"model\": \"stories260k (random init)\""), lines.get(2));
  }

  @Test
  void refusesAScoreBatchWithoutALength() {
    assertThrows(CliUsageException.class, () -> new BenchCommand().run(
        Args.parse(List.of("--shape", "stories260k", "--score-batch", "4"), Set.of()), System.out, System.err));
  }

  @Test
  void refusesAnUnknownShape() {
    CliUsageException e = assertThrows(CliUsageException.class, () -> new BenchCommand().run(
        Args.parse(List.of("--shape", "gpt-5"), Set.of()), System.out, System.err));
    assertTrue(e.getMessage().contains("'gpt-5'"), e.getMessage());
  }
}
