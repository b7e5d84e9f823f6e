package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.report.MimeBundle;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MagicsTest {
  @TempDir
  static Path dir;
  private static JShellSession session;
  private static CellRunner runner;

  @BeforeAll
  static void start() throws Exception {
    Path repo = dir.resolve("repo");
    writeArtifact(repo, "greeter", "1.0", "greet.Greeter", "hi from a local Maven repository");
    session = JShellSession.start(List.of(), List.of());
    runner = new CellRunner(session, new Magics(new MavenArtifacts(repo, true)));
  }

  @AfterAll
  static void stop() {
    session.close();
  }

  /** Compiles a one-method class into a jar and lays it out as dev.sapling.test:NAME:VERSION in {@code repo}. */
  static void writeArtifact(Path repo, String name, String version, String className, String greeting)
      throws Exception {
    Path src = dir.resolve("src-" + name);
    Path classes = dir.resolve("classes-" + name);
    String simple = className.substring(className.lastIndexOf('.') + 1);
    String pkg = className.substring(0, className.lastIndexOf('.'));
    Path java = src.resolve(simple + ".java");
    Files.createDirectories(src);
    Files.createDirectories(classes);
    Files.writeString(java, "package " + pkg + "; public class " + simple
        + " { public static String hello() { return \"" + greeting + "\"; } }");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), java.toString()));
    Path folder = repo.resolve("dev/sapling/test").resolve(name).resolve(version);
    Files.createDirectories(folder);
    try (OutputStream out = Files.newOutputStream(folder.resolve(name + "-" + version + ".jar"));
         JarOutputStream jar = new JarOutputStream(out)) {
      String entry = className.replace('.', '/') + ".class";
      jar.putNextEntry(new JarEntry(entry));
      jar.write(Files.readAllBytes(classes.resolve(entry)));
      jar.closeEntry();
    }
    Files.writeString(folder.resolve(name + "-" + version + ".pom"),
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
            + "<groupId>dev.sapling.test</groupId><artifactId>" + name + "</artifactId><version>" + version
            + "</version></project>");
  }

  @Test
  void mavenMagicResolvesOfflineFromTheLocalRepositoryAndCellsCanUseTheClass() {
    CellOutcome o = runner.run("%maven dev.sapling.test:greeter:1.0\ngreet.Greeter.hello()", "cell");
    assertTrue(o.ok(), () -> o.error().get().text());
    assertEquals("hi from a local Maven repository", o.value());
  }

  @Test
  void mavenMagicOfflineNamesTheMissingArtifact() {
    CellError e = runner.run("%maven dev.sapling.test:absent:9.9", "cell").error().orElseThrow();
    assertEquals("MagicError", e.name());
    assertTrue(e.message().contains("dev.sapling.test:absent:9.9"), e.message());
    assertTrue(e.message().contains("offline"), e.message());
  }

  @Test
  void jarsMagicAddsJarsByGlob() throws Exception {
    Path repo = dir.resolve("other");
    writeArtifact(repo, "waver", "2.0", "wave.Waver", "waving");
    Path jarDir = repo.resolve("dev/sapling/test/waver/2.0");
    CellOutcome o = runner.run("%jars " + jarDir + "/*.jar\nwave.Waver.hello()", "cell");
    assertTrue(o.ok(), () -> o.error().get().text());
    assertEquals("waving", o.value());
  }

  @Test
  void cellTimeMagicTimesTheWholeCellAndKeepsItsValue() {
    CellOutcome o = runner.run("%%time\nint x = 20;\nx + 1", "cell");
    assertEquals(21, o.value());
  }

  @Test
  void varsMagicIsAnEscapedHtmlTable() {
    runner.run("String tag = \"<b>\";", "cell");
    MimeBundle vars = (MimeBundle) runner.run("%vars", "cell").value();
    assertTrue(vars.data().get("text/html").toString().contains("<td>tag</td><td>String</td><td>&quot;&lt;b&gt;&quot;</td>"),
        vars.data().get("text/html").toString());
  }

  @Test
  void errorAfterAMagicLineCountsLinesOfTheWholeCell() {
    CellError e = runner.run("%vars\nint y = 1;\nint z = y / 0;", "cell").error().orElseThrow();
    assertTrue(e.traceback().contains("    at cell line 3"), e.text());
  }
}
