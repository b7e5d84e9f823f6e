package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code dsl-examples/*.jsh} through the real launcher, {@code ./sapling script FILE}, after the jar is
 * packaged (failsafe's integration-test phase): each must exit 0. A new example is covered by adding the file.
 */
class DslExamplesIT {
  @TestFactory
  Stream<DynamicTest> everyDslExampleRunsThroughTheLauncher() throws IOException {
    List<Path> scripts;
    try (Stream<Path> files = Files.list(Path.of("dsl-examples"))) {
      scripts = files.filter(p -> p.toString().endsWith(".jsh")).sorted().toList();
    }
    assertFalse(scripts.isEmpty(), "dsl-examples/ holds no .jsh scripts");
    return scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), () -> {
      Process p = new ProcessBuilder("./sapling", "script", script.toString()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(10, TimeUnit.MINUTES), script + " did not finish in 10 minutes:\n" + output);
      System.out.println("== " + script + "\n" + output);
      assertEquals(0, p.exitValue(), script + " failed:\n" + output);
      assertFalse(output.contains("building the jar"), "the launcher rebuilt the jar; it should be fresh after package");
    }));
  }
}
