package dev.sapling.notebook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a whole cell: Java code through the {@link JShellSession}, and lines that start with {@code %} as
 * {@link Magics}, in the order they appear. A cell that starts with {@code %%name} is a cell magic applied to the rest
 * of the cell. The cell's value is that of its last part.
 *
 * <pre>{@code
 * CellRunner runner = new CellRunner(session, magics);
 * runner.run("%classpath lib/extra.jar\nnew Extra().hello()", "cell");
 * }</pre>
 */
public final class CellRunner {
  private static final Pattern LINE_MAGIC = Pattern.compile("^%(\\w+)(?:[ \\t]+(.*))?$");
  private static final Pattern CELL_MAGIC = Pattern.compile("^%%(\\w+)(?:[ \\t]+(.*))?$");

  private final JShellSession session;
  private final Magics magics;

  public CellRunner(JShellSession session, Magics magics) {
    this.session = session;
    this.magics = magics;
  }

  public JShellSession session() {
    return session;
  }

  /** Runs {@code cell}; {@code where} labels its lines in errors ("cell", "tour.jsh"). */
  public CellOutcome run(String cell, String where) {
    return run(cell, where, 1);
  }

  CellOutcome run(String cell, String where, int firstLine) {
    String[] lines = cell.split("\n", -1);
    Matcher cellMagic = CELL_MAGIC.matcher(lines.length == 0 ? "" : lines[0].strip());
    if (cellMagic.matches()) {
      String body = cell.contains("\n") ? cell.substring(cell.indexOf('\n') + 1) : "";
      String name = cellMagic.group(1).toLowerCase(Locale.ROOT);
      String args = cellMagic.group(2) == null ? "" : cellMagic.group(2).strip();
      return magics.runCell(name, args, body, this, where, firstLine + 1);
    }
    CellOutcome last = CellOutcome.empty();
    StringBuilder java = new StringBuilder();
    int javaStart = firstLine;
    for (int i = 0; i < lines.length; i++) {
      Matcher lineMagic = LINE_MAGIC.matcher(lines[i].stripTrailing());
      if (!lineMagic.matches()) {
        if (java.length() == 0) {
          javaStart = firstLine + i;
        }
        java.append(lines[i]).append('\n');
        continue;
      }
      if (!java.toString().isBlank()) {
        last = session.eval(java.toString(), where, javaStart);
        if (!last.ok()) {
          return last;
        }
      }
      java.setLength(0);
      String args = lineMagic.group(2) == null ? "" : lineMagic.group(2).strip();
      last = magics.runLine(lineMagic.group(1).toLowerCase(Locale.ROOT), args, this, where, firstLine + i);
      if (!last.ok()) {
        return last;
      }
    }
    if (!java.toString().isBlank()) {
      last = session.eval(java.toString(), where, javaStart);
    }
    return last;
  }

  /** The cell with every magic line blanked (same length), so JShell's analysis sees only Java. */
  static String javaOnly(String cell) {
    List<String> out = new ArrayList<>();
    for (String line : cell.split("\n", -1)) {
      String s = line.stripLeading();
      out.add(s.startsWith("%") ? " ".repeat(line.length()) : line);
    }
    return String.join("\n", out);
  }
}
