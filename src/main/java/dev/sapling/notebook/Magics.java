package dev.sapling.notebook;

import dev.sapling.SaplingException;
import dev.sapling.report.Html;
import dev.sapling.report.MimeBundle;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.VarSnippet;

/**
 * The magics, in IJava's spirit: {@code %classpath PATH...} and {@code %jars GLOB...} add to the classpath,
 * {@code %maven group:artifact:version...} resolves with Maven Resolver and adds the jars, {@code %load FILE.jsh}
 * runs a script as if it were typed in the cell, {@code %time CODE} / {@code %%time} time code, {@code %vars} shows
 * the variables as an HTML table, {@code %lsmagic} lists them all.
 *
 * <pre>{@code
 * %maven org.apache.commons:commons-lang3:3.14.0
 * %jars lib/*.jar
 * %time model.generate("Once upon a time", 32)
 * }</pre>
 */
public final class Magics {
  /** Every magic name as typed, for completion and {@code %lsmagic}. */
  public static final List<String> NAMES =
      List.of("%classpath", "%jars", "%maven", "%load", "%time", "%%time", "%vars", "%lsmagic");

  private final MavenArtifacts maven;

  public Magics(MavenArtifacts maven) {
    this.maven = maven;
  }

  CellOutcome runLine(String name, String args, CellRunner runner, String where, int line) {
    try {
      return switch (name) {
        case "classpath" -> classpath(args, runner, false);
        case "jars" -> classpath(args, runner, true);
        case "maven" -> maven(args, runner);
        case "load" -> load(args, runner);
        case "time" -> time(() -> runner.session().eval(args, where, line));
        case "vars" -> CellOutcome.of(vars(runner.session()));
        case "lsmagic" -> CellOutcome.of(MimeBundle.text(String.join("  ", NAMES)));
        default -> unknown("%" + name, where, line);
      };
    } catch (SaplingException e) {
      return failed("MagicError", where + " line " + line + ": " + e.getMessage());
    }
  }

  CellOutcome runCell(String name, String args, String body, CellRunner runner, String where, int firstLine) {
    if (name.equals("time")) {
      return time(() -> runner.run(body, where, firstLine));
    }
    return unknown("%%" + name, where, firstLine - 1);
  }

  private static CellOutcome unknown(String magic, String where, int line) {
    return failed("UnknownMagic", where + " line " + line + ": " + magic + " is not a magic; known: "
        + String.join(", ", NAMES));
  }

  private static CellOutcome failed(String name, String message) {
    return CellOutcome.failed(new CellError(name, message, List.of(name + ": " + message)));
  }

  private static CellOutcome time(java.util.function.Supplier<CellOutcome> body) {
    long t0 = System.nanoTime();
    CellOutcome outcome = body.get();
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf(Locale.ROOT, "Wall time: %.1f ms%n", ms);
    return outcome;
  }

  private CellOutcome classpath(String args, CellRunner runner, boolean jarsOnly) {
    if (args.isBlank()) {
      return CellOutcome.of(MimeBundle.text(String.join("\n", runner.session().classpath())));
    }
    List<Path> added = new ArrayList<>();
    for (String word : args.split("\\s+")) {
      List<Path> matches = expand(word);
      if (jarsOnly) {
        matches.removeIf(p -> !p.toString().endsWith(".jar"));
      }
      if (matches.isEmpty()) {
        throw new SaplingException((jarsOnly ? "%jars: no .jar file matches '" : "%classpath: nothing matches '")
            + word + "' (relative to " + Path.of("").toAbsolutePath() + ")");
      }
      added.addAll(matches);
    }
    for (Path p : added) {
      runner.session().addToClasspath(p.toAbsolutePath().toString());
    }
    System.err.println("added to the classpath: "
        + added.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    return CellOutcome.empty();
  }

  /** The files a path or glob ({@code lib/*.jar}, {@code deps/**.jar}) names, sorted. */
  static List<Path> expand(String word) {
    if (!word.contains("*") && !word.contains("?") && !word.contains("[") && !word.contains("{")) {
      Path p = Path.of(word);
      return Files.exists(p) ? new ArrayList<>(List.of(p)) : new ArrayList<>();
    }
    int firstGlob = word.length();
    for (char c : new char[] {'*', '?', '[', '{'}) {
      int i = word.indexOf(c);
      if (i >= 0) {
        firstGlob = Math.min(firstGlob, i);
      }
    }
    int slash = word.lastIndexOf('/', firstGlob);
    Path base = slash < 0 ? Path.of("") : Path.of(word.substring(0, slash + 1));
    Path root = base.toString().isEmpty() ? Path.of(".") : base;
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + word.substring(slash + 1));
    if (!Files.isDirectory(root)) {
      return new ArrayList<>();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> !p.equals(root) && matcher.matches(root.relativize(p)))
          .sorted().collect(Collectors.toCollection(ArrayList::new));
    } catch (IOException e) {
      throw new SaplingException("could not list " + root.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  private CellOutcome maven(String args, CellRunner runner) {
    if (args.isBlank()) {
      throw new SaplingException("%maven needs group:artifact:version (one or more)");
    }
    for (String coordinates : args.split("\\s+")) {
      List<Path> jars = maven.resolve(coordinates);
      for (Path jar : jars) {
        runner.session().addToClasspath(jar.toAbsolutePath().toString());
      }
      System.err.println("%maven " + coordinates + ": added " + jars.size() + " jar(s): "
          + jars.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")));
    }
    return CellOutcome.empty();
  }

  private static CellOutcome load(String args, CellRunner runner) {
    Path file = Path.of(args.strip());
    if (args.isBlank() || !Files.isRegularFile(file)) {
      throw new SaplingException("%load: no file '" + args.strip() + "' (relative to "
          + Path.of("").toAbsolutePath() + ")");
    }
    try {
      return runner.run(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
    } catch (IOException e) {
      throw new SaplingException("%load: could not read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** The session's variables as an HTML table (name, type, value) with a text fallback. */
  static MimeBundle vars(JShellSession session) {
    StringBuilder html = new StringBuilder("<table class=\"sapling-vars\">\n<thead><tr><th>name</th><th>type</th>"
        + "<th>value</th></tr></thead>\n<tbody>\n");
    StringBuilder plain = new StringBuilder();
    for (VarSnippet v : session.variables()) {
      String value = session.valueOf(v);
      if (value.length() > 200) {
        value = value.substring(0, 200) + "...";
      }
      html.append("<tr><td>").append(Html.escape(v.name())).append("</td><td>").append(Html.escape(v.typeName()))
          .append("</td><td>").append(Html.escape(value)).append("</td></tr>\n");
      plain.append(v.name()).append(" : ").append(v.typeName()).append(" = ").append(value).append('\n');
    }
    html.append("</tbody>\n</table>");
    return MimeBundle.html(html.toString(), plain.length() == 0 ? "(no variables)" : plain.toString().strip());
  }
}
