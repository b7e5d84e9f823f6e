package dev.sapling.notebook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The inputs (and text outputs) of the cells run in this kernel, answering Jupyter's three history queries: the last
 * n, a range of one session, and a glob search. JJava's base kernel sends no reply at all when no history manager is
 * set, which leaves a frontend waiting; this one always answers.
 *
 * <pre>{@code
 * History h = new History(1);
 * h.add(1, "6*7", "42");
 * h.tail(10, false);             // [[1, 1, "6*7"]]
 * h.search("6*", 10, true, false);
 * }</pre>
 */
final class History {
  /** One executed cell. */
  record Entry(int session, int line, String input, String output) {
    List<Object> toJson(boolean withOutput) {
      return List.of(session, line, withOutput ? List.of(input, output == null ? "" : output) : input);
    }
  }

  private final int session;
  private final List<Entry> entries = new ArrayList<>();

  History(int session) {
    this.session = session;
  }

  int session() {
    return session;
  }

  synchronized void add(int line, String input, String output) {
    entries.add(new Entry(session, line, input, output));
  }

  /** The last {@code n} cells, oldest first. */
  synchronized List<List<Object>> tail(int n, boolean withOutput) {
    int from = Math.max(0, entries.size() - Math.max(0, n));
    return json(entries.subList(from, entries.size()), withOutput);
  }

  /**
   * Cells {@code start <= line < stop} of {@code session} (0 or negative means this one, as in IPython); a stop of
   * 0 or less means "to the end".
   */
  synchronized List<List<Object>> range(int wantedSession, int start, int stop, boolean withOutput) {
    if (wantedSession > 0 && wantedSession != session) {
      return List.of();
    }
    List<Entry> picked = new ArrayList<>();
    for (Entry e : entries) {
      if (e.line() >= start && (stop <= 0 || e.line() < stop)) {
        picked.add(e);
      }
    }
    return json(picked, withOutput);
  }

  /** The last {@code n} cells whose input matches the glob {@code pattern}; {@code unique} drops repeated inputs. */
  synchronized List<List<Object>> search(String pattern, int n, boolean unique, boolean withOutput) {
    Pattern regex = globToRegex(pattern == null || pattern.isEmpty() ? "*" : pattern);
    List<Entry> matches = new ArrayList<>();
    for (Entry e : entries) {
      if (regex.matcher(e.input()).matches()) {
        matches.add(e);
      }
    }
    if (unique) {
      Map<String, Entry> latest = new LinkedHashMap<>();
      for (Entry e : matches) {
        latest.remove(e.input());
        latest.put(e.input(), e);
      }
      matches = new ArrayList<>(latest.values());
    }
    int from = n > 0 ? Math.max(0, matches.size() - n) : 0;
    return json(matches.subList(from, matches.size()), withOutput);
  }

  /** Glob as in IPython's history search: {@code *} any text (newlines too), {@code ?} one character. */
  static Pattern globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(sb.toString(), Pattern.DOTALL);
  }

  private static List<List<Object>> json(List<Entry> picked, boolean withOutput) {
    List<List<Object>> out = new ArrayList<>();
    for (Entry e : picked) {
      out.add(e.toJson(withOutput));
    }
    return out;
  }

}
