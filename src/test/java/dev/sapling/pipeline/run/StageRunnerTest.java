package dev.sapling.pipeline.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import dev.sapling.data.Json;
import dev.sapling.data.Manifest;
import dev.sapling.data.RecordLog;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageRunnerTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true);

  /** Writes {@code n} records whose values come from each record's seed; fails after {@code failAfter} if >= 0. */
  record CountConfig(int n) {}

  static final class CountStage extends Stage {
    final int n;
    final int failAfter;
    int ran;

    CountStage(String name, int n, int failAfter, List<String> inputs) {
      super(name, new CountConfig(n), inputs);
      this.n = n;
      this.failAfter = failAfter;
    }

    public boolean usesModel() {
      return false;
    }

    public StageReport run(StageContext ctx) {
      ran++;
      for (int i = ctx.log().count(); i < n; i++) {
        if (i == failAfter) {
          throw new IllegalStateException("simulated crash after " + i + " records");
        }
        String id = "x-" + i;
        ctx.log().append(Json.line(Map.of("id", id, "value", ctx.recordSeed(id))));
      }
      return new StageReport(Json.mapper().createObjectNode().put("stage", name()), List.of());
    }
  }

  private StageRunner runner(Path run, long seed) {
    return new StageRunner(run, null, seed, RunSettings.defaults(), err);
  }

  @Test
  void unchangedStageIsReusedAndAChangedOneRerunsWithEverythingAfterIt() throws Exception {
    Path run = dir.resolve("r");
    CountStage a = new CountStage("a", 5, -1, List.of());
    CountStage b = new CountStage("b", 3, -1, List.of("a"));
    assertEquals(StageRunner.Action.RAN, runner(run, 1).run(a).action());
    assertEquals(StageRunner.Action.RAN, runner(run, 1).run(b).action());
    CountStage a2 = new CountStage("a", 5, -1, List.of());
    CountStage b2 = new CountStage("b", 3, -1, List.of("a"));
    assertEquals(StageRunner.Action.REUSED, runner(run, 1).run(a2).action());
    assertEquals(StageRunner.Action.REUSED, runner(run, 1).run(b2).action());
    assertEquals(0, a2.ran + b2.ran);

    // the batch size is not part of the signature
    StageRunner bigBatches = new StageRunner(run, null, 1, RunSettings.defaults().withBatchRows(3), err);
    assertEquals(StageRunner.Action.REUSED, bigBatches.run(new CountStage("a", 5, -1, List.of())).action());

    // a changed config reruns a, moves its old records aside, and b (whose input changed) reruns too
    assertEquals(StageRunner.Action.RAN, runner(run, 1).run(new CountStage("a", 6, -1, List.of())).action());
    assertEquals(6, Manifest.read(run.resolve("a/manifest.json")).data().records());
    assertEquals(StageRunner.Action.RAN, runner(run, 1).run(new CountStage("b", 3, -1, List.of("a"))).action());
    try (var superseded = Files.list(run.resolve("superseded"))) {
      assertEquals(2, superseded.count());
    }
    // a changed seed changes the signature
    String before = Manifest.read(run.resolve("a/manifest.json")).signature();
    runner(run, 2).run(new CountStage("a", 6, -1, List.of()));
    assertNotEquals(before, Manifest.read(run.resolve("a/manifest.json")).signature());
  }

  @Test
  void interruptedStageResumesAndEqualsAnUninterruptedRun() throws Exception {
    Path whole = dir.resolve("whole");
    runner(whole, 9).run(new CountStage("a", 10, -1, List.of()));
    Path cut = dir.resolve("cut");
    assertThrows(IllegalStateException.class, () -> runner(cut, 9).run(new CountStage("a", 10, 4, List.of())));
    Manifest partial = Manifest.read(cut.resolve("a/manifest.json"));
    assertFalse(partial.complete());
    assertEquals(4, RecordLog.lines(cut.resolve("a/data.jsonl")).size());
    // a torn last line, as a crash mid-append leaves it
    Files.writeString(cut.resolve("a/data.jsonl"), "{\"id\":\"x-4\",\"va", java.nio.file.StandardOpenOption.APPEND);
    StageRunner.Outcome o = runner(cut, 9).run(new CountStage("a", 10, -1, List.of()));
    assertEquals(StageRunner.Action.RESUMED, o.action());
    assertTrue(errBytes.toString().contains("resuming after 4 committed records (cut a torn last line"),
        errBytes.toString());
    assertArrayEquals(Files.readAllBytes(whole.resolve("a/data.jsonl")), Files.readAllBytes(cut.resolve("a/data.jsonl")));
    assertTrue(Manifest.read(cut.resolve("a/manifest.json")).complete());
  }

  /** Recomputes every record from the start and commits each with {@link StageContext#commit}; a salt changes them. */
  static final class RecomputingStage extends Stage {
    final int n;
    final int failAfter;
    final String salt;

    RecomputingStage(int n, int failAfter, String salt) {
      super("r", new CountConfig(n), List.of());
      this.n = n;
      this.failAfter = failAfter;
      this.salt = salt;
    }

    public boolean usesModel() {
      return false;
    }

    public StageReport run(StageContext ctx) {
      for (int i = 0; i < n; i++) {
        if (i == failAfter) {
          throw new IllegalStateException("simulated crash after " + i + " records");
        }
        ctx.commit(i, Json.line(Map.of("id", "r-" + i, "salt", salt)));
      }
      return new StageReport(Json.mapper().createObjectNode(), List.of());
    }
  }

  @Test
  void commitWritesOnlyTheRecordsNotYetCommittedAndKeepsTheCommittedOnes() throws Exception {
    Path run = dir.resolve("commit");
    assertThrows(IllegalStateException.class, () -> runner(run, 1).run(new RecomputingStage(6, 3, "first")));
    assertEquals(3, RecordLog.lines(run.resolve("r/data.jsonl")).size());
    runner(run, 1).run(new RecomputingStage(6, -1, "second"));
    List<String> lines = RecordLog.lines(run.resolve("r/data.jsonl"));
    assertEquals(6, lines.size(), "nothing twice");
    assertTrue(lines.get(2).contains("first") && lines.get(3).contains("second"), lines.toString());
    assertTrue(errBytes.toString().contains("warning: record 1 computed again differs from the committed one"),
        errBytes.toString());
  }

  @Test
  void corruptOrForeignManifestIsRefusedAndNothingChanges() throws Exception {
    Path run = dir.resolve("r");
    runner(run, 1).run(new CountStage("a", 3, -1, List.of()));
    byte[] data = Files.readAllBytes(run.resolve("a/data.jsonl"));
    Files.writeString(run.resolve("a/manifest.json"), "{ not json");
    SaplingException e = assertThrows(SaplingException.class,
        () -> runner(run, 1).run(new CountStage("a", 3, -1, List.of())));
    assertTrue(e.getMessage().contains("corrupt manifest") && e.getMessage().contains("move the folder"),
        e.getMessage());
    assertArrayEquals(data, Files.readAllBytes(run.resolve("a/data.jsonl")));

    Files.writeString(run.resolve("a/manifest.json"), "{\"hello\": \"world\"}");
    e = assertThrows(SaplingException.class, () -> runner(run, 1).run(new CountStage("a", 3, -1, List.of())));
    assertTrue(e.getMessage().contains("not a Sapling stage manifest"), e.getMessage());
    assertArrayEquals(data, Files.readAllBytes(run.resolve("a/data.jsonl")));

    // a manifest of another run copied in
    Path other = dir.resolve("other");
    runner(other, 1).run(new CountStage("a", 3, -1, List.of()));
    Files.copy(other.resolve("a/manifest.json"), run.resolve("a/manifest.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    e = assertThrows(SaplingException.class, () -> runner(run, 1).run(new CountStage("a", 3, -1, List.of())));
    assertTrue(e.getMessage().contains("foreign manifest") && e.getMessage().contains("run 'other'"), e.getMessage());
    assertArrayEquals(data, Files.readAllBytes(run.resolve("a/data.jsonl")));
  }

  @Test
  void changedDataOfAFinishedStageIsRefused() throws Exception {
    Path run = dir.resolve("r");
    runner(run, 1).run(new CountStage("a", 3, -1, List.of()));
    Files.writeString(run.resolve("a/data.jsonl"), "{\"id\":\"forged\"}\n", java.nio.file.StandardOpenOption.APPEND);
    SaplingException e = assertThrows(SaplingException.class,
        () -> runner(run, 1).run(new CountStage("a", 3, -1, List.of())));
    assertTrue(e.getMessage().contains("changed after the stage finished"), e.getMessage());
  }

  @Test
  void unwritableRunFolderSaysWhatToDo() throws Exception {
    Path ro = dir.resolve("ro");
    Files.createDirectories(ro);
    ro.toFile().setWritable(false);
    try {
      if (Files.isWritable(ro)) {
        return; // root ignores permissions
      }
      SaplingException e = assertThrows(SaplingException.class,
          () -> runner(ro.resolve("run"), 1).run(new CountStage("a", 3, -1, List.of())));
      assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains("--out"), e.getMessage());
    } finally {
      ro.toFile().setWritable(true);
    }
  }

  /** A stage that uses the model, so its identity is recorded and checked. */
  static final class ModelStage extends Stage {
    ModelStage() {
      super("m", new CountConfig(1), List.of());
    }

    public StageReport run(StageContext ctx) {
      ctx.log().append(Json.line(Map.of("vocab", ctx.model().config().vocabSize())));
      return new StageReport(null, List.of());
    }
  }

  @Test
  void aDifferentModelThanTheRunsIsRefusedAndNothingChanges() throws Exception {
    Path run = dir.resolve("r");
    try (LoadedModel model = new CleanModelLoader().load(Path.of("models/stories260K/stories260K.gguf"))) {
      new StageRunner(run, model, 1, RunSettings.defaults(), err).run(new ModelStage());
      Path manifest = run.resolve("m/manifest.json");
      String text = Files.readString(manifest);
      String sha = model.manifest().weightFiles().get(0).sha256();
      Files.writeString(manifest, text.replace(sha, "0".repeat(64)));
      byte[] data = Files.readAllBytes(run.resolve("m/data.jsonl"));
      SaplingException e = assertThrows(SaplingException.class,
          () -> new StageRunner(run, model, 1, RunSettings.defaults(), err).run(new ModelStage()));
      assertTrue(e.getMessage().contains("different model") && e.getMessage().contains("choose another output"),
          e.getMessage());
      assertArrayEquals(data, Files.readAllBytes(run.resolve("m/data.jsonl")));
    }
  }
}
