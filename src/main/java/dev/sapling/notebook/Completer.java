package dev.sapling.notebook;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Tab completion for a cell: magic names on a line that starts with {@code %}, else JShell's suggestions for the
 * statement the cursor is in (so earlier statements of the cell do not confuse it).
 *
 * <pre>{@code
 * new Completer(session).complete("%cla", 4);        // matches [%classpath], replacing 0..4
 * new Completer(session).complete("Math.ma", 7);     // matches [max(], replacing 5..7
 * }</pre>
 */
final class Completer {
  /** Replacement texts for the range {@code start..end} of the cell (UTF-16 offsets). */
  record Completion(List<String> matches, int start, int end) {}

  private final JShellSession session;

  Completer(JShellSession session) {
    this.session = session;
  }

  Completion complete(String code, int cursor) {
    cursor = Math.min(Math.max(cursor, 0), code.length());
    int lineStart = code.lastIndexOf('\n', cursor - 1) + 1;
    String linePrefix = code.substring(lineStart, cursor);
    String stripped = linePrefix.stripLeading();
    if (stripped.startsWith("%") && stripped.matches("%%?\\w*")) {
      List<String> names = new ArrayList<>();
      for (String name : Magics.NAMES) {
        if (name.startsWith(stripped)) {
          names.add(name);
        }
      }
      return new Completion(names, lineStart + (linePrefix.length() - stripped.length()), cursor);
    }
    String java = CellRunner.javaOnly(code);
    SourceCodeAnalysis analysis = session.analysis();
    int offset = statementStart(analysis, java, cursor);
    int[] anchor = new int[1];
    List<SourceCodeAnalysis.Suggestion> suggestions =
        analysis.completionSuggestions(java.substring(offset), cursor - offset, anchor);
    Set<String> typed = new LinkedHashSet<>();
    Set<String> others = new LinkedHashSet<>();
    for (SourceCodeAnalysis.Suggestion s : suggestions) {
      (s.matchesType() ? typed : others).add(s.continuation());
    }
    typed.addAll(others);
    return new Completion(new ArrayList<>(typed), offset + anchor[0], cursor);
  }

  /** Offset where the statement holding {@code cursor} begins. */
  private static int statementStart(SourceCodeAnalysis analysis, String java, int cursor) {
    int offset = 0;
    String remaining = java;
    while (!remaining.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      if (info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
          || info.completeness() == SourceCodeAnalysis.Completeness.EMPTY || info.remaining() == null) {
        break;
      }
      int end = offset + remaining.length() - info.remaining().length();
      if (end >= cursor || end == offset) {
        break;
      }
      offset = end;
      remaining = info.remaining();
    }
    return offset;
  }
}
