package dev.sapling.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.loader.StoriesOracleTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GpuFixtureCheck's runtime section on the CPU: it passes at the F32 tolerance and fails where the bound is too tight. */
class RuntimeChecksTest {
  static LoadedModel model;

  @BeforeAll
  static void load() throws Exception {
    model = new CleanModelLoader().load(StoriesOracleTest.MODEL);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void everyRuntimeCheckPassesOnTheCpuInFloat32() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CheckLog log = new CheckLog(new PrintStream(out, true, StandardCharsets.UTF_8));
    new RuntimeChecks(model, "stories260K", log).runAll();
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(14, lines.length, String.join("\n", lines));
    assertTrue(Arrays.stream(lines).allMatch(l -> l.startsWith("PASS stories260K float32 on cpu(): ")),
        String.join("\n", lines));
    assertEquals(0, log.failures().size());
  }

  @Test
  void aToleranceBelowFloat32RoundingFailsTheLogprobChecks() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CheckLog log = new CheckLog(new PrintStream(out, true, StandardCharsets.UTF_8));
    RuntimeChecks checks = new RuntimeChecks(model, "stories260K", log, new Tolerance(DataType.FLOAT32, 1e-9, 0, true));
    checks.scorerMatchesFullForward();
    checks.scoringReproducesGeneration();
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(4, log.failures().size(), text);
    assertTrue(text.lines().allMatch(l -> l.startsWith("FAIL ") && l.contains("max diff")), text);
  }
}
