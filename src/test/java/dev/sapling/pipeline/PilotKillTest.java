package dev.sapling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.cli.PilotCommand;
import dev.sapling.data.Manifest;
import dev.sapling.data.RecordLog;
import dev.sapling.pipeline.bestofn.PairsStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test: a child JVM runs {@code sapling pilot} and is killed with SIGKILL in the middle of a stage after
 * some of its records are committed; it is run again and killed in the next stage, and so on through responses,
 * critique and pairs, then run to the end. Every data file (and the TRL export) must equal an uninterrupted run's
 * byte for byte. On the embedded toy model the gate refuses the pairs, so both runs end with
 * {@link PilotCommand#GATE_REFUSED}, having finished every stage.
 */
class PilotKillTest {
  @TempDir
  Path dir;

  private static final List<String> PILOT = List.of("pilot", "--count", "8", "--k", "4", "--seed", "77",
      "--batch-rows", "4");
  private static final List<String> STAGES = List.of("instructions", "responses", "critique", "pairs");

  private Process start(Path out, String log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.sapling.cli.Main"));
    cmd.addAll(PILOT);
    cmd.addAll(List.of("--out", out.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(log + ".log").toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  private int finish(Process p) throws Exception {
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "pilot did not finish in 5 minutes");
    return p.exitValue();
  }

  /** Starts the pilot and kills it once {@code stage} has {@code records} committed records. */
  private void killIn(Path out, String stage, int records, String log) throws Exception {
    Process p = start(out, log);
    Path data = out.resolve(stage).resolve("data.jsonl");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    int seen = 0;
    while (System.nanoTime() < deadline && p.isAlive()) {
      seen = Files.exists(data) ? RecordLog.lines(data).size() : 0;
      if (seen >= records) {
        break;
      }
      Thread.sleep(5);
    }
    assertTrue(p.isAlive(), "the pilot finished before it could be killed in " + stage + "; " + log(log));
    p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
    p.waitFor(1, TimeUnit.MINUTES);
    assertTrue(seen >= records, "saw " + seen + " committed " + stage + " records");
    assertFalse(Manifest.read(out.resolve(stage).resolve(Manifest.FILE)).complete(),
        "the " + stage + " stage was killed before it finished");
  }

  @Test
  void killedInEachStageThenRerunEqualsAnUninterruptedRunByteForByte() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(PilotCommand.GATE_REFUSED, finish(start(whole, "whole")), log("whole"));

    Path killed = dir.resolve("killed");
    killIn(killed, "responses", 4, "kill-1");
    assertTrue(RecordLog.lines(killed.resolve("responses").resolve("data.jsonl")).size() < 32, "killed mid-stage");
    killIn(killed, "critique", 4, "kill-2");
    assertTrue(log("kill-2").contains("responses: resuming after"), log("kill-2"));
    killIn(killed, "pairs", 1, "kill-3");
    assertTrue(log("kill-3").contains("critique: resuming after"), log("kill-3"));
    assertEquals(PilotCommand.GATE_REFUSED, finish(start(killed, "rerun")), log("rerun"));
    assertTrue(log("rerun").contains("pairs: resuming after"), log("rerun"));
    assertTrue(log("rerun").contains("gate REFUSED"), log("rerun"));

    for (String stage : STAGES) {
      assertArrayEquals(Files.readAllBytes(whole.resolve(stage).resolve("data.jsonl")),
          Files.readAllBytes(killed.resolve(stage).resolve("data.jsonl")), stage + "/data.jsonl differs");
      Manifest m = Manifest.read(killed.resolve(stage).resolve(Manifest.FILE));
      assertTrue(m.complete());
      assertEquals(Manifest.read(whole.resolve(stage).resolve(Manifest.FILE)).data().sha256(), m.data().sha256());
    }
    assertArrayEquals(Files.readAllBytes(whole.resolve("pairs").resolve(PairsStage.TRL_FILE)),
        Files.readAllBytes(killed.resolve("pairs").resolve(PairsStage.TRL_FILE)), "the TRL export differs");
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
