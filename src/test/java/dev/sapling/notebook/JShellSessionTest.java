package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JShellSessionTest {
  private static JShellSession session;

  @BeforeAll
  static void start() {
    session = JShellSession.start(List.of(), List.of());
  }

  @AfterAll
  static void stop() {
    session.close();
  }

  @Test
  void lastExpressionIsTheCellValueAsAnObject() {
    CellOutcome o = session.eval("int a = 6;\nint b = 7;\na * b", "cell");
    assertTrue(o.ok());
    assertTrue(o.hasValue());
    assertEquals(42, o.value());
  }

  @Test
  void declarationsAndStatementsLeaveNoValue() {
    assertFalse(session.eval("int unused = 1;", "cell").hasValue());
    assertFalse(session.eval("System.out.print(\"\");", "cell").hasValue());
  }

  @Test
  void displayAsAStatementLeavesNoIdAsTheValue() {
    assertFalse(session.eval("display(\"quiet\")", "cell").hasValue());
    assertTrue(session.eval("render(\"shown\")", "cell").hasValue());
  }

  @Test
  void runtimeErrorNamesTheRealExceptionAndTheCellLine() {
    CellOutcome o = session.eval("int zero = 0;\n\nint boom = 1 / zero;", "cell");
    CellError e = o.error().orElseThrow();
    assertEquals("java.lang.ArithmeticException", e.name());
    assertEquals("/ by zero", e.message());
    assertEquals("java.lang.ArithmeticException: / by zero", e.traceback().get(0));
    assertTrue(e.traceback().contains("    at cell line 3"), e.traceback().toString());
    assertFalse(e.text().contains("$JShell$"), e.text());
  }

  @Test
  void exceptionThrownInsideAMethodPointsAtBothLines() {
    session.eval("void fail(String why) {\n  throw new IllegalStateException(why);\n}", "cell");
    CellError e = session.eval("\nfail(\"no model\");", "cell").error().orElseThrow();
    assertEquals("java.lang.IllegalStateException", e.name());
    assertEquals("no model", e.message());
    assertTrue(e.traceback().get(1).startsWith("    at cell line 2 in "), e.text());
    assertEquals("    at cell line 2", e.traceback().get(2), e.text());
  }

  @Test
  void compileErrorNamesTheCellLine() {
    CellError e = session.eval("int fine = 1;\nint bad = undefinedThing + 1;", "cell").error().orElseThrow();
    assertEquals("CompileError", e.name());
    assertTrue(e.message().startsWith("cell line 2: cannot find symbol"), e.message());
  }

  @Test
  void classesReferringToEachOtherInOneCellWork() {
    CellOutcome o = session.eval("class Node { Edge out; }\nclass Edge { Node to; }\n"
        + "Node n = new Node(); n.out = new Edge(); n.out.to = n;\nn.out.to == n", "cell");
    assertTrue(o.ok(), () -> o.error().get().text());
    assertEquals(true, o.value());
  }

  @Test
  void stopEndsABusyLoopAndTheNextCellRuns() throws Exception {
    Thread stopper = new Thread(() -> {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      session.stop();
    });
    stopper.start();
    long t0 = System.nanoTime();
    CellOutcome o = session.eval("long spins = 0;\nwhile (true) { spins++; }", "cell");
    double seconds = (System.nanoTime() - t0) / 1e9;
    stopper.join();
    assertEquals("Interrupted", o.error().orElseThrow().name());
    assertTrue(seconds < 2.5, "stopped after " + seconds + " s");
    assertEquals(3, session.eval("1 + 2", "cell").value());
  }
}
