package dev.sapling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.data.Manifest;
import dev.sapling.data.RecordLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test: a child JVM runs {@code sapling pilot}, is killed with SIGKILL in the middle of the responses stage
 * after some records are committed, and is run again; the data files must equal an uninterrupted run's byte for byte.
 */
class PilotKillTest {
  @TempDir
  Path dir;

  private static final List<String> PILOT = List.of("pilot", "--count", "8", "--k", "4", "--seed", "77",
      "--batch-rows", "4");

  private Process start(Path out) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.sapling.cli.Main"));
    cmd.addAll(PILOT);
    cmd.addAll(List.of("--out", out.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(out.getFileName() + ".log").toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  private int finish(Process p) throws Exception {
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "pilot did not finish in 5 minutes");
    return p.exitValue();
  }

  @Test
  void killedMidStageThenRerunEqualsAnUninterruptedRunByteForByte() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, finish(start(whole)), log("whole"));

    Path killed = dir.resolve("killed");
    Process p = start(killed);
    Path responses = killed.resolve("responses").resolve("data.jsonl");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    int seen = 0;
    while (System.nanoTime() < deadline && p.isAlive()) {
      seen = Files.exists(responses) ? RecordLog.lines(responses).size() : 0;
      if (seen >= 4) {
        break;
      }
      Thread.sleep(5);
    }
    assertTrue(p.isAlive(), "the pilot finished before it could be killed; " + log("killed"));
    p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
    p.waitFor(1, TimeUnit.MINUTES);
    assertTrue(seen >= 4, "saw " + seen + " committed responses");
    assertFalse(Manifest.read(killed.resolve("responses").resolve(Manifest.FILE)).complete(),
        "the stage was killed before it finished");
    int committed = RecordLog.lines(responses).size();
    assertTrue(committed < 32, "killed mid-stage: " + committed + " of 32 responses");

    assertEquals(0, finish(start(killed)), log("killed"));
    assertTrue(log("killed").contains("responses: resuming after"), log("killed"));
    for (String stage : List.of("instructions", "responses")) {
      assertArrayEquals(Files.readAllBytes(whole.resolve(stage).resolve("data.jsonl")),
          Files.readAllBytes(killed.resolve(stage).resolve("data.jsonl")), stage + "/data.jsonl differs");
      Manifest m = Manifest.read(killed.resolve(stage).resolve(Manifest.FILE));
      assertTrue(m.complete());
      assertEquals(Manifest.read(whole.resolve(stage).resolve(Manifest.FILE)).data().sha256(), m.data().sha256());
    }
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
