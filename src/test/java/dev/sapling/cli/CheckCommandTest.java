package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.train.optim.FusedAdamW;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckCommandTest {
  /** stdout, stderr and the exit code of one {@code sapling} command line. */
  @Test
  void theFixturesSectionPassesOnTheCpuThroughTheCommandLine() {
    CliRun r = CliRun.of("check", "fixtures", "--device", "cpu", "--only", "fixtures");
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("GpuFixtureCheck on cpu(), [float32], "), r.out());
    // three parity fixtures and the llama2.c oracle, and under SAPLING_REQUIRE_BRIDGE (CI's bridge stage) the bridge
    long expected = System.getenv("SAPLING_REQUIRE_BRIDGE") != null ? 5 : 4;
    assertEquals(expected, lines.stream().filter(l -> l.startsWith("PASS ")).count(), r.out());
    assertTrue(lines.get(lines.size() - 1).startsWith("ALL PASS in "), r.out());
  }

  @Test
  void adamwPassesWhereTheFusedUpdateExistsAndOtherwiseSaysWhyAndFails() {
    CliRun r = CliRun.of("check", "adamw", "--device", "cpu");
    boolean fused = FusedAdamW.load().isPresent();
    assertEquals(fused ? 0 : 1, r.code(), r.out() + r.err());
    assertTrue(r.out().strip().endsWith(fused ? "ALL PASS" : "FAILED: FusedAdamW is not available (the engine is "
        + "not on Sapling's bridge, or sapling/adamw.cc was left out of it: see gpu-setup.sh's log)"), r.out());
  }

  @Test
  void refusesAFlagThatAnotherCheckDeclaresBeforeRunningAnything() {
    CliRun r = CliRun.of("check", "fixtures", "--device", "cpu", "--bench");
    assertEquals(2, r.code());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("sapling check: unknown flag --bench; known flags: --device, --dtypes, --only"),
        r.err());
  }

  @Test
  void refusesAnUnknownCheckAndAnUnknownSectionNamingWhatExists() {
    CliRun unknown = CliRun.of("check", "smok");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().startsWith("sapling check: unknown check 'smok'; known: smoke, fixtures, adamw, sampling"),
        unknown.err());
    CliRun none = CliRun.of("check", "--device", "cpu");
    assertEquals(2, none.code());
    assertTrue(none.err().startsWith("sapling check: expected one check name"), none.err());
    CliRun section = CliRun.of("check", "fixtures", "--only", "runtime,parity");
    assertEquals(2, section.code());
    assertTrue(section.err().startsWith("sapling check: --only: unknown value 'parity'; expected some of kernels, "
        + "fixtures, runtime, memory"), section.err());
  }

  @Test
  void helpListsEveryCheckWithEachOfItsFlags() {
    CliRun r = CliRun.of("check", "--help");
    assertEquals(0, r.code());
    String oneLine = r.err().replaceAll("\\s+", " ");
    for (CheckCommand.Check c : CheckCommand.checks()) {
      assertTrue(oneLine.contains(" " + c.name() + ": " + c.summary() + " "), r.err());
      for (Flag<?> f : c.flags().byName().values()) {
        assertTrue(r.err().contains("    " + f.term() + " "), f.name());
      }
    }
    assertTrue(r.err().contains("--steps N              timed steps per cell (default 30)"), r.err());
  }

  /** Flags are parsed before the check is known, so one name must be a switch everywhere or nowhere. */
  @Test
  void noFlagIsASwitchInOneCheckAndTakesAValueInAnother() {
    Map<String, Boolean> isSwitch = new HashMap<>();
    for (CheckCommand.Check c : CheckCommand.checks()) {
      for (Flag<?> f : c.flags().byName().values()) {
        boolean sw = f.kind() == Flag.Kind.SWITCH;
        Boolean before = isSwitch.putIfAbsent(f.name(), sw);
        assertTrue(before == null || before == sw, c.name() + " --" + f.name());
      }
    }
    assertEquals(isSwitch.size(), isSwitch.values().stream().filter(b -> !b).count() + new CheckCommand().switches()
        .size());
  }
}
