package dev.sapling.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.sapling.SaplingException;
import dev.sapling.report.Display;
import dev.sapling.report.MimeBundle;
import dev.sapling.report.Renderers;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sapling's Jupyter kernel: JShell in this JVM behind the Jupyter messaging protocol (version 5.3). It answers
 * execute (streams, execute_result, display and update_display data, exactly one error output per failing cell),
 * complete (magic names too), inspect, is_complete, history (tail, range, search), kernel_info, comm_info, interrupt
 * (a real stop of the running cell) and shutdown.
 *
 * <p>Environment: {@code SAPLING_KERNEL_CLASSPATH} (extra classpath), {@code SAPLING_KERNEL_COMPILER_OPTS} (extra
 * javac flags for cells), {@code SAPLING_KERNEL_STARTUP_SCRIPT} (a .jsh run after the built-in startup),
 * {@code SAPLING_KERNEL_MAVEN_OFFLINE=true} (%maven never goes online), {@code SAPLING_KERNEL_M2_REPO}.
 *
 * <pre>{@code
 * SaplingKernel.run(Path.of("/run/user/1000/jupyter/kernel-1234.json"));   // returns after shutdown_request
 * }</pre>
 */
public final class SaplingKernel {
  private static final Logger LOG = LoggerFactory.getLogger(SaplingKernel.class);
  private static final Pattern PAGER = Pattern.compile("^\\s*(?:\\?\\s*([\\w.$]+)|([\\w.$]+)\\s*\\?)\\s*$");
  static final String PROTOCOL_VERSION = "5.3";

  private final KernelServer server;
  private final JShellSession session;
  private final CellRunner runner;
  private final CellPublisher publisher;
  private final Inspector inspector;
  private final Completer completer;
  private final History history = new History(1);
  private final KernelInput input;
  private int executionCount;

  private SaplingKernel(KernelServer server, JShellSession session, CellPublisher publisher) {
    this.server = server;
    this.session = session;
    this.publisher = publisher;
    boolean offline = Boolean.parseBoolean(env("SAPLING_KERNEL_MAVEN_OFFLINE", "false"));
    this.runner = new CellRunner(session, new Magics(new MavenArtifacts(MavenArtifacts.defaultLocalRepository(), offline)));
    this.inspector = new Inspector(session);
    this.completer = new Completer(session);
    this.input = new KernelInput(server.stdin());
  }

  /** Serves the kernel described by {@code connectionFile} until a shutdown request; returns the exit code. */
  public static int run(Path connectionFile) throws Exception {
    if (!Files.isReadable(connectionFile)) {
      throw new SaplingException("connection file " + connectionFile + " does not exist or is not readable; Jupyter "
          + "passes it as {connection_file} in kernel.json");
    }
    KernelConnectionProperties props =
        KernelConnectionProperties.parse(Files.readString(connectionFile, StandardCharsets.UTF_8));
    PrintStream log = System.err;
    KernelServer server = KernelServer.bind(props);
    CellPublisher publisher = new CellPublisher(server.iopub());
    JShellSession session = JShellSession.start(splitPath(env("SAPLING_KERNEL_CLASSPATH", "")),
        splitWords(env("SAPLING_KERNEL_COMPILER_OPTS", "")));
    SaplingKernel kernel = new SaplingKernel(server, session, publisher);
    String startup = env("SAPLING_KERNEL_STARTUP_SCRIPT", "");
    if (!startup.isBlank()) {
      CellOutcome o = kernel.runner.run(Files.readString(Path.of(startup), StandardCharsets.UTF_8),
          Path.of(startup).getFileName().toString());
      if (!o.ok()) {
        log.println("sapling kernel: SAPLING_KERNEL_STARTUP_SCRIPT " + startup + " failed:\n" + o.error().get().text());
      }
    }
    publisher.install();
    System.setIn(kernel.input);
    Display.useSink(publisher);
    server.start(kernel::handle);
    log.println("sapling kernel: serving " + connectionFile + " on " + props.getIp());
    server.awaitShutdown();
    session.close();
    return 0;
  }

  private void handle(KernelServer.Channel channel, Message<JsonObject> msg, KernelServer.Replies env) {
    String type = msg.getHeader().getType().getName();
    JsonObject c = msg.getContent();
    switch (type) {
      case "execute_request" -> execute(msg, env);
      case "kernel_info_request" -> simple(env, MessageType.KERNEL_INFO_REPLY, kernelInfo());
      case "complete_request" -> simple(env, MessageType.COMPLETE_REPLY, complete(c));
      case "inspect_request" -> simple(env, MessageType.INSPECT_REPLY, inspect(c));
      case "is_complete_request" -> simple(env, MessageType.IS_COMPLETE_REPLY, isComplete(str(c, "code", "")));
      case "history_request" -> simple(env, MessageType.HISTORY_REPLY, history(c));
      case "comm_info_request" -> simple(env, MessageType.COMM_INFO_REPLY, content("status", "ok", "comms", Map.of()));
      case "interrupt_request" -> {
        LOG.info("interrupt requested");
        session.stop();
        simple(env, MessageType.INTERRUPT_REPLY, content("status", "ok"));
      }
      case "shutdown_request" -> {
        boolean restart = c.has("restart") && c.get("restart").getAsBoolean();
        simple(env, MessageType.SHUTDOWN_REPLY, content("status", "ok", "restart", restart));
        session.stop();
        server.shutdown();
      }
      case "comm_open", "comm_msg", "comm_close" -> LOG.debug("ignoring {} (no comm targets)", type);
      default -> LOG.warn("{}: unsupported message type '{}' ignored", channel, type);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void simple(KernelServer.Replies env, MessageType<?> replyType, Map<String, Object> content) {
    env.setStatusBusy();
    finish(env, replyType, content);
  }

  /**
   * Publishes idle, then replies. Idle goes first so that a client holding the reply finds every output of the
   * request, idle included, already sent (jupyter_kernel_test reads iopub with a 0.1 s timeout after the reply).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void finish(KernelServer.Replies env, MessageType<?> replyType, Map<String, Object> content) {
    env.setStatusIdle();
    env.reply(new Message(env.getContext(), replyType, content));
  }

  private Map<String, Object> kernelInfo() {
    Map<String, Object> language = content(
        "name", "java",
        "version", System.getProperty("java.version"),
        "mimetype", "text/x-java-source",
        "file_extension", ".jsh",
        "pygments_lexer", "java",
        "codemirror_mode", "text/x-java",
        "nbconvert_exporter", "script");
    String version = Optional.ofNullable(SaplingKernel.class.getPackage().getImplementationVersion()).orElse("dev");
    return content(
        "status", "ok",
        "protocol_version", PROTOCOL_VERSION,
        "implementation", "sapling",
        "implementation_version", version,
        "language_info", language,
        "banner", "Sapling " + version + " - Java " + System.getProperty("java.version") + " (JShell in the kernel JVM)",
        "debugger", false,
        "help_links", List.of(Map.of("text", "Java 17 API", "url", "https://docs.oracle.com/en/java/javase/17/docs/api/")));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void execute(Message<JsonObject> msg, KernelServer.Replies env) {
    JsonObject c = msg.getContent();
    String code = str(c, "code", "");
    boolean silent = bool(c, "silent", false);
    boolean store = bool(c, "store_history", true) && !silent;
    env.setStatusBusy();
    if (store) {
      executionCount++;
    }
    int count = executionCount;
    if (!silent) {
      env.publish(new PublishExecuteInput(code, count));
    }
    publisher.attach(msg);
    input.attach(msg, bool(c, "allow_stdin", false));
    Matcher pager = PAGER.matcher(code);
    if (pager.matches()) {
      String name = pager.group(1) != null ? pager.group(1) : pager.group(2);
      MimeBundle doc = inspector.describe(name).orElse(MimeBundle.text("Nothing known about '" + name + "'."));
      Map<String, Object> page = content("source", "page", "data", doc.data(), "start", 0);
      if (store) {
        history.add(count, code, "");
      }
      finish(env, MessageType.EXECUTE_REPLY,
          content("status", "ok", "execution_count", count, "payload", List.of(page), "user_expressions", Map.of()));
      return;
    }
    CellOutcome outcome;
    try {
      outcome = runner.run(code, "cell");
    } catch (RuntimeException e) {
      outcome = CellOutcome.failed(new CellError(e.getClass().getName(), String.valueOf(e.getMessage()),
          List.of(e.getClass().getName() + ": " + e.getMessage())));
    }
    publisher.flush();
    String output = "";
    if (outcome.error().isPresent()) {
      CellError error = outcome.error().get();
      env.publish(new PublishError(error.name(), error.message(), error.traceback()));
      Map<String, Object> reply = content("status", "error", "execution_count", count, "ename", error.name(),
          "evalue", error.message(), "traceback", error.traceback());
      output = error.text();
      if (store) {
        history.add(count, code, output);
      }
      finish(env, MessageType.EXECUTE_REPLY, reply);
      return;
    }
    if (outcome.hasValue() && !silent) {
      MimeBundle bundle = Renderers.render(outcome.value());
      output = bundle.plainText();
      env.publish(new PublishExecuteResult(count, CellPublisher.toDisplayData(bundle)));
    }
    if (store) {
      history.add(count, code, output);
    }
    finish(env, MessageType.EXECUTE_REPLY,
        content("status", "ok", "execution_count", count, "payload", List.of(), "user_expressions", Map.of()));
  }

  private Map<String, Object> complete(JsonObject c) {
    String code = str(c, "code", "");
    int cursor = toUtf16(code, c.has("cursor_pos") ? c.get("cursor_pos").getAsInt() : code.length());
    Completer.Completion done;
    try {
      done = completer.complete(code, cursor);
    } catch (RuntimeException e) {
      LOG.warn("completion failed: {}", e.toString());
      done = new Completer.Completion(List.of(), cursor, cursor);
    }
    return content("status", "ok", "matches", done.matches(), "cursor_start", toCodePoints(code, done.start()),
        "cursor_end", toCodePoints(code, done.end()), "metadata", Map.of());
  }

  private Map<String, Object> inspect(JsonObject c) {
    String code = str(c, "code", "");
    int cursor = toUtf16(code, c.has("cursor_pos") ? c.get("cursor_pos").getAsInt() : code.length());
    Optional<MimeBundle> doc = inspector.inspect(code, cursor);
    return content("status", "ok", "found", doc.isPresent(), "data", doc.map(MimeBundle::data).orElse(Map.of()),
        "metadata", Map.of());
  }

  /** Jupyter's is_complete answer for {@code code}: complete, incomplete (with an indent), or invalid. */
  Map<String, Object> isComplete(String code) {
    String java = CellRunner.javaOnly(code);
    String remaining = java;
    while (!remaining.isBlank()) {
      var info = session.analysis().analyzeCompletion(remaining);
      switch (info.completeness()) {
        case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> {
          return content("status", "incomplete", "indent", "    ");
        }
        case UNKNOWN -> {
          return content("status", "invalid");
        }
        case EMPTY -> {
          return content("status", "complete");
        }
        default -> remaining = info.remaining();
      }
    }
    return content("status", "complete");
  }

  private Map<String, Object> history(JsonObject c) {
    boolean output = bool(c, "output", false);
    String access = str(c, "hist_access_type", "tail");
    List<List<Object>> entries = switch (access) {
      case "range" -> history.range(integer(c, "session", 0), integer(c, "start", 0), integer(c, "stop", 0), output);
      case "search" -> history.search(str(c, "pattern", "*"), integer(c, "n", 0), bool(c, "unique", false), output);
      default -> history.tail(integer(c, "n", 10), output);
    };
    return content("status", "ok", "history", new ArrayList<>(entries));
  }

  private static String str(JsonObject c, String key, String fallback) {
    JsonElement e = c.get(key);
    return e == null || e.isJsonNull() ? fallback : e.getAsString();
  }

  private static boolean bool(JsonObject c, String key, boolean fallback) {
    JsonElement e = c.get(key);
    return e == null || e.isJsonNull() ? fallback : e.getAsBoolean();
  }

  private static int integer(JsonObject c, String key, int fallback) {
    JsonElement e = c.get(key);
    return e == null || e.isJsonNull() ? fallback : e.getAsInt();
  }

  /** Jupyter counts cursor positions in Unicode code points; Java strings in UTF-16 units. */
  static int toUtf16(String s, int codePoints) {
    int max = s.codePointCount(0, s.length());
    return s.offsetByCodePoints(0, Math.max(0, Math.min(codePoints, max)));
  }

  static int toCodePoints(String s, int utf16) {
    return s.codePointCount(0, Math.max(0, Math.min(utf16, s.length())));
  }

  /** A reply content map in key order: {@code content("status", "ok", "found", true)}. */
  static Map<String, Object> content(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** The environment variable {@code name}, or {@code fallback} when it is unset. */
  public static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null ? fallback : v;
  }

  private static List<String> splitPath(String s) {
    return s.isBlank() ? List.of() : List.of(s);
  }

  private static List<String> splitWords(String s) {
    return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
  }

}
