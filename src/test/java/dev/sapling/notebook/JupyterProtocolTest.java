package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the kernel with Jupyter's own Python clients (Debian's python3-jupyter-kernel-test and python3-nbclient):
 * installs the kernelspec into a temporary prefix, points JUPYTER_PATH at it, and runs the unittest modules in
 * src/test/python. Skipped, with the reason, only when /usr/bin/python3 lacks those modules and
 * SAPLING_REQUIRE_JUPYTER_TESTS is not set; .ci/run installs them and sets it, so CI always runs these.
 */
class JupyterProtocolTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final List<String> MODULES = List.of("jupyter_client", "jupyter_kernel_test", "nbclient", "nbformat");

  @TempDir
  static Path prefix;

  @BeforeAll
  static void requirePython() throws Exception {
    boolean required = System.getenv("SAPLING_REQUIRE_JUPYTER_TESTS") != null;
    String missing = missingModules();
    if (required && !missing.isEmpty()) {
      throw new IllegalStateException("SAPLING_REQUIRE_JUPYTER_TESTS is set but " + PYTHON + " lacks: " + missing
          + " (apt-get install python3-jupyter-kernel-test python3-nbclient)");
    }
    assumeTrue(missing.isEmpty(), "skipped: " + PYTHON + " lacks Python modules " + missing
        + "; install with apt-get install python3-jupyter-kernel-test python3-nbclient (CI does)");
    new KernelSpecInstaller(Path.of("kernel"), List.of("-Xmx2g"), Map.of())
        .install(KernelSpecInstaller.target(prefix, false));
  }

  private static String missingModules() throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      return String.join(", ", MODULES);
    }
    StringBuilder missing = new StringBuilder();
    for (String module : MODULES) {
      Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import " + module).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        missing.append(missing.length() == 0 ? "" : ", ").append(module);
      }
    }
    return missing.toString();
  }

  private static String runPython(String module, Path measurements) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), "-m", "unittest", "-v", module)
        .directory(Path.of("src/test/python").toFile())
        .redirectErrorStream(true);
    pb.environment().put("JUPYTER_PATH", prefix.resolve("share/jupyter").toString());
    pb.environment().put("SAPLING_MEASUREMENTS", measurements.toString());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(module + " did not finish in 10 minutes:\n" + output);
    }
    System.out.println(output);
    assertEquals(0, p.exitValue(), module + " failed:\n" + output);
    return output;
  }

  @Test
  void kernelPassesJupyterKernelTestAndTheBehaviourTests() throws Exception {
    Path measurements = prefix.resolve("measurements.txt");
    runPython("test_sapling_kernel", measurements);
    System.out.println("measured: " + Files.readString(measurements).strip());
  }

  @Test
  void kernelTourNotebookRunsHeadlessWithItsOutputs() throws Exception {
    runPython("test_kernel_tour", prefix.resolve("tour-measurements.txt"));
  }
}
