package dev.sapling.notebook;

import dev.sapling.SaplingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * One JShell living in this JVM, with Sapling's startup: it splits a cell into snippets, runs them in order, and turns
 * what goes wrong into a {@link CellError} that names the real exception and the cell line. Used by the Jupyter
 * kernel and by {@code ./sapling script}.
 *
 * <pre>{@code
 * try (JShellSession s = JShellSession.start(List.of(), List.of())) {
 *   s.eval("int x = 6;", "cell");
 *   s.eval("x * 7", "cell").value();   // 42
 * }
 * }</pre>
 */
public final class JShellSession implements AutoCloseable {
  private final CellExecutionControl control = new CellExecutionControl();
  private final JShell shell;
  private final Map<String, Origin> origins = new ConcurrentHashMap<>();
  private final List<String> classpath = new ArrayList<>();

  /** Where a snippet came from: a cell or file label and its first line there. */
  private record Origin(String where, int line) {}

  private JShellSession(List<String> compilerOptions) {
    this.shell = JShell.builder()
        .executionEngine(new CellExecutionControl.Provider(control), Map.of())
        .compilerOptions(compilerOptions.toArray(String[]::new))
        .build();
  }

  /**
   * Starts a session that sees this JVM's classpath plus {@code extraClasspath}, compiles with
   * {@code compilerOptions} (e.g. {@code --enable-preview}), and has run the {@link Startup} imports.
   */
  public static JShellSession start(List<String> extraClasspath, List<String> compilerOptions) {
    JShellSession session = new JShellSession(compilerOptions);
    session.addToClasspath(System.getProperty("java.class.path"));
    for (String entry : extraClasspath) {
      session.addToClasspath(entry);
    }
    for (String line : Startup.imports(System.getProperty("java.class.path"))) {
      CellOutcome outcome = session.eval(line, "startup");
      if (!outcome.ok()) {
        session.close();
        throw new SaplingException("startup import failed: '" + line + "': " + outcome.error().get().message()
            + "; is the classpath complete? (java.class.path=" + System.getProperty("java.class.path") + ")");
      }
    }
    return session;
  }

  /** Adds jars or folders (separated by the path separator) to what cells can compile against and load. */
  public void addToClasspath(String path) {
    if (path != null && !path.isBlank()) {
      shell.addToClasspath(path);
      classpath.add(path);
    }
  }

  /** Every classpath addition, in order (the JVM's own classpath first). */
  public List<String> classpath() {
    return List.copyOf(classpath);
  }

  /** JShell's source analysis (completion, documentation, completeness). */
  public SourceCodeAnalysis analysis() {
    return shell.sourceCodeAnalysis();
  }

  /** The underlying JShell. */
  public JShell shell() {
    return shell;
  }

  /** Stops the snippet that is running now (from another thread); the cell then fails with {@code Interrupted}. */
  public void stop() {
    shell.stop();
  }

  /** Variables defined so far and currently usable (temporary {@code $n} values left out). */
  public List<VarSnippet> variables() {
    return shell.variables()
        .filter(v -> shell.status(v) == Snippet.Status.VALID && !v.name().startsWith("$"))
        .collect(Collectors.toList());
  }

  /** The value of a variable as JShell prints it. */
  public String valueOf(VarSnippet v) {
    return shell.varValue(v);
  }

  /**
   * Runs the Java code of one cell. {@code where} labels it in tracebacks ("cell", "hello.jsh"); {@code firstLine}
   * is the line of the cell's text where {@code code} starts (1 for a whole cell).
   */
  public CellOutcome eval(String code, String where, int firstLine) {
    control.reset();
    List<Snippet> pending = new ArrayList<>();
    Object value = null;
    boolean hasValue = false;
    String remaining = code;
    int consumed = 0;
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis().analyzeCompletion(remaining);
      int lead = leadingSpace(remaining);
      int line = firstLine + lineOf(code, consumed + lead) - 1;
      Completeness completeness = info.completeness();
      if (completeness == Completeness.EMPTY) {
        break;
      }
      if (completeness == Completeness.DEFINITELY_INCOMPLETE || completeness == Completeness.CONSIDERED_INCOMPLETE) {
        String msg = "the code ends before this statement is complete (a missing ';', ')' or '}'?)";
        return CellOutcome.failed(new CellError("CompileError", where + " line " + line + ": " + msg,
            List.of("CompileError: " + where + " line " + line + ": " + msg, "    " + firstLineOf(remaining.strip()))));
      }
      String source = info.source();
      if (source == null || source.isBlank()) {
        source = remaining;
        remaining = "";
      } else {
        remaining = info.remaining();
      }
      consumed = code.length() - remaining.length();
      hasValue = false;
      List<SnippetEvent> events = shell.eval(source);
      if (control.wasStopped()) {
        String msg = "the cell was stopped by an interrupt request";
        return CellOutcome.failed(new CellError("Interrupted", msg,
            List.of("Interrupted: " + msg + " (while running " + where + " line " + line + ")")));
      }
      for (SnippetEvent event : events) {
        if (event.causeSnippet() != null) {
          continue;
        }
        Snippet snippet = event.snippet();
        origins.put(snippet.id(), new Origin(where, line));
        if (event.status() == Snippet.Status.REJECTED) {
          return CellOutcome.failed(compileError(snippet, where, line));
        }
        if (event.exception() != null) {
          return CellOutcome.failed(runtimeError(event.exception()));
        }
        if (event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED && snippet.kind() == Snippet.Kind.VAR) {
          String msg = where + " line " + line + ": " + describe(snippet) + " cannot be created until "
              + unresolved(snippet) + " is declared";
          return CellOutcome.failed(new CellError("CompileError", msg, List.of("CompileError: " + msg)));
        }
        if (event.status() == Snippet.Status.RECOVERABLE_DEFINED
            || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
          pending.add(snippet);
        }
        if (event.status() == Snippet.Status.VALID && showsValue(snippet)) {
          Object last = control.lastValue();
          if (last != CellExecutionControl.NO_VALUE) {
            value = last;
            hasValue = true;
          }
        }
      }
    }
    // Declarations that refer to each other in one cell are resolved by now; anything still open is only a note.
    for (Snippet s : pending) {
      Snippet.Status status = shell.status(s);
      if (status == Snippet.Status.RECOVERABLE_DEFINED || status == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
        System.err.println("note: " + describe(s) + " can be used once " + unresolved(s) + " is declared");
      }
    }
    return hasValue ? CellOutcome.of(value) : CellOutcome.empty();
  }

  /** {@link #eval(String, String, int)} from the cell's first line. */
  public CellOutcome eval(String code, String where) {
    return eval(code, where, 1);
  }

  private static boolean showsValue(Snippet snippet) {
    Snippet.SubKind sub = snippet.subKind();
    if (sub == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
      // display(x) returns the display id for updateDisplay, but as a statement it must not print that id
      return !snippet.source().strip().startsWith("display(");
    }
    return sub == Snippet.SubKind.VAR_VALUE_SUBKIND || sub == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND;
  }

  private CellError compileError(Snippet snippet, String where, int line) {
    List<Diag> diags = shell.diagnostics(snippet).collect(Collectors.toList());
    Optional<Diag> first = diags.stream().filter(Diag::isError).findFirst().or(() -> diags.stream().findFirst());
    String source = snippet.source();
    if (first.isEmpty()) {
      String msg = where + " line " + line + ": the snippet was rejected";
      return new CellError("CompileError", msg, List.of("CompileError: " + msg, "    " + firstLineOf(source)));
    }
    Diag d = first.get();
    long pos = d.getStartPosition();
    // positions count from the snippet's own leading blank lines, which the snippet's origin line already skips
    int within = pos < 0 ? lineOf(source, leadingSpace(source)) : lineOf(source, (int) Math.min(pos, source.length()));
    int at = line + within - lineOf(source, leadingSpace(source));
    String msg = where + " line " + at + ": " + d.getMessage(Locale.ROOT);
    List<String> lines = new ArrayList<>();
    lines.add("CompileError: " + msg);
    String[] sourceLines = source.split("\n", -1);
    if (within - 1 < sourceLines.length) {
      String text = sourceLines[within - 1];
      lines.add("    " + text);
      if (pos >= 0) {
        int lineStart = source.lastIndexOf('\n', (int) Math.max(0, pos - 1)) + 1;
        if (pos == 0) {
          lineStart = 0;
        }
        int col = (int) pos - lineStart;
        lines.add("    " + " ".repeat(Math.max(0, Math.min(col, text.length()))) + "^");
      }
    }
    return new CellError("CompileError", msg, lines);
  }

  private CellError runtimeError(JShellException ex) {
    String name;
    String message;
    if (ex instanceof EvalException e) {
      name = e.getExceptionClassName();
      message = e.getMessage();
    } else if (ex instanceof UnresolvedReferenceException u) {
      name = "UnresolvedReference";
      message = describe(u.getSnippet()) + " cannot be invoked until " + unresolved(u.getSnippet()) + " is declared";
    } else {
      name = ex.getClass().getName();
      message = ex.getMessage();
    }
    name = clean(name);
    message = message == null ? "" : clean(message);
    List<String> lines = new ArrayList<>();
    lines.add(message.isEmpty() ? name : name + ": " + message);
    appendFrames(lines, ex.getStackTrace());
    for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
      String causeName = cause instanceof EvalException ce ? ce.getExceptionClassName() : cause.getClass().getName();
      lines.add("Caused by: " + clean(causeName) + (cause.getMessage() == null ? "" : ": " + clean(cause.getMessage())));
      appendFrames(lines, cause.getStackTrace());
    }
    return new CellError(name, message, lines);
  }

  /** Removes JShell's wrapper class names ({@code REPL.$JShell$12.}) from a class name or message. */
  static String clean(String text) {
    return text.replaceAll("REPL\\.\\$JShell\\$\\d+[A-Z]?[$.]", "");
  }

  private void appendFrames(List<String> lines, StackTraceElement[] frames) {
    for (StackTraceElement frame : frames) {
      String file = frame.getFileName();
      if (file != null && file.startsWith("#")) {
        Origin origin = origins.get(file.substring(1));
        String where = origin == null ? "snippet " + file : origin.where() + " line " + (origin.line() + frame.getLineNumber() - 1);
        String method = frame.getMethodName();
        String klass = frame.getClassName();
        String in = method.isEmpty() ? "" : " in " + (klass.isEmpty() ? "" : klass + ".") + method;
        lines.add("    at " + where + in);
      } else {
        lines.add("    at " + frame);
      }
    }
  }

  private String unresolved(Snippet s) {
    if (s instanceof jdk.jshell.DeclarationSnippet d) {
      List<String> deps = shell.unresolvedDependencies(d).collect(Collectors.toList());
      if (!deps.isEmpty()) {
        return String.join(", ", deps);
      }
    }
    return "what it refers to";
  }

  private static String describe(Snippet s) {
    if (s instanceof jdk.jshell.TypeDeclSnippet t) {
      return "class " + t.name();
    }
    if (s instanceof jdk.jshell.MethodSnippet m) {
      return "method " + m.name() + "(" + m.parameterTypes() + ")";
    }
    if (s instanceof VarSnippet v) {
      return "variable " + v.name();
    }
    return "'" + firstLineOf(s.source()) + "'";
  }

  static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static int leadingSpace(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static String firstLineOf(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    shell.close();
  }
}
