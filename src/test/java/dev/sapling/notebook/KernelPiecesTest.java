package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.SaplingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelPiecesTest {
  @TempDir
  Path dir;

  @Test
  void bindsOnlyToLoopback() {
    assertEquals("127.0.0.1", KernelServer.loopbackHost("127.0.0.1"));
    assertEquals("127.0.0.1", KernelServer.loopbackHost(""));
    SaplingException e = assertThrows(SaplingException.class, () -> KernelServer.loopbackHost("0.0.0.0"));
    assertTrue(e.getMessage().contains("loopback only"), e.getMessage());
    assertThrows(SaplingException.class, () -> KernelServer.loopbackHost("10.1.2.3"));
  }

  @Test
  void installWritesTheSaplingKernelspecUnderThePrefix() throws Exception {
    Path target = KernelSpecInstaller.target(dir, false);
    assertEquals(dir.resolve("share/jupyter/kernels/sapling"), target);
    Path spec = new KernelSpecInstaller(Path.of("kernel"), List.of("-Xmx3g", "-Dx=y"), Map.of("SAPLING_KERNEL_CLASSPATH", "/opt/x.jar"))
        .install(target);
    @SuppressWarnings("unchecked")
    Map<String, Object> json = new ObjectMapper().readValue(spec.toFile(), Map.class);
    @SuppressWarnings("unchecked")
    List<String> argv = (List<String>) json.get("argv");
    assertTrue(argv.get(0).endsWith("/bin/java"), argv.get(0));
    assertEquals(List.of("-Xmx3g", "-Dx=y"), argv.subList(1, 3));
    assertEquals("{connection_file}", argv.get(argv.size() - 1));
    assertEquals("message", json.get("interrupt_mode"));
    assertEquals("java", json.get("language"));
    assertEquals("/opt/x.jar", ((Map<?, ?>) json.get("env")).get("SAPLING_KERNEL_CLASSPATH"));
    assertTrue(Files.size(target.resolve("logo-64x64.png")) > 0);
  }

  @Test
  void historyAnswersTailRangeAndGlobSearch() {
    History h = new History(1);
    h.add(1, "int x = 1;", "");
    h.add(2, "6 * 7", "42");
    h.add(3, "6 * 7", "42");
    assertEquals(List.of(List.of(1, 3, "6 * 7")), h.tail(1, false));
    assertEquals(List.of(List.of(1, 2, List.of("6 * 7", "42"))), h.range(1, 2, 3, true));
    assertEquals(2, h.search("6*", 10, false, false).size());
    assertEquals(List.of(List.of(1, 3, "6 * 7")), h.search("6*", 10, true, false));
    assertEquals(0, h.search("7*", 10, false, false).size());
  }

  @Test
  void javadocBecomesHtmlWithCodeAndParameters() {
    String html = Inspector.javadocToHtml("Returns the {@code max} of <i>a</i> and b.\n@param a first {@link Math#abs value}\n@return the larger");
    assertTrue(html.startsWith("Returns the <code>max</code> of <i>a</i> and b."), html);
    assertTrue(html.contains("<dt>param <code>a</code></dt><dd>first <code>value</code></dd>"), html);
    assertTrue(html.contains("<dt>return</dt><dd>the larger</dd>"), html);
    assertEquals("Returns the max of a and b.", Inspector.javadocToText("Returns the {@code max} of <i>a</i> and b."));
  }

  @Test
  void cursorPositionsConvertBetweenCodePointsAndUtf16() {
    String s = "\uD83D\uDE00x";  // one emoji (two UTF-16 units) then x
    assertEquals(2, SaplingKernel.toUtf16(s, 1));
    assertEquals(1, SaplingKernel.toCodePoints(s, 2));
  }
}
