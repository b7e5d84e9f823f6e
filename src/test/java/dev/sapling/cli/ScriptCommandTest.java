package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptCommandTest {
  @TempDir
  Path dir;

  private int run(Path script, ByteArrayOutputStream err) {
    return Main.run(new String[] {"script", script.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void failingScriptExitsOneAndNamesTheFileLineAndException() throws Exception {
    Path script = dir.resolve("broken.jsh");
    Files.writeString(script, "int a = 1;\n// a comment\nint[] xs = new int[2];\nint b = xs[5];\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(1, run(script, err));
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 2"), text);
    assertTrue(text.contains("at broken.jsh line 4"), text);
  }

  @Test
  void scriptSeesTheStartupImportsAndMagics() throws Exception {
    Path helper = dir.resolve("helper.jsh");
    Files.writeString(helper, "int twice(int x) { return 2 * x; }\n");
    Path script = dir.resolve("ok.jsh");
    Files.writeString(script, "%load " + helper + "\n"
        + "Table t = Table.create(\"t\", IntColumn.create(\"n\", twice(1), twice(2)));\n"
        + "if (t.intColumn(\"n\").sum() != 6) throw new AssertionError(t.print());\n"
        + "MimeBundle b = render(t);\n"
        + "if (!b.data().containsKey(\"text/html\")) throw new AssertionError(b.data().keySet());\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, run(script, err), err.toString(StandardCharsets.UTF_8));
  }
}
