package dev.sapling.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed command-line arguments: {@code --name value}, {@code --name=value}, repeated flags, switches and positional
 * words. A command that declares its {@link Flags} gets arguments already checked against them (see
 * {@link Flags#parse}) and reads them typed, with the declared defaults, through {@link #get} and {@link #optional}.
 *
 * <pre>{@code
 * Args a = LogitsCommand.FLAGS.parse(List.of("--model", "m.gguf", "--ids", "1,450,2"));
 * int[] ids = a.get(LogitsCommand.IDS);
 * }</pre>
 *
 * <p>A command without a declaration parses with {@link #parse(List, Set)} and reads flags by name; every name it
 * reads is marked as known, and {@link #requireAllKnown()} then rejects typos instead of ignoring them:
 *
 * <pre>{@code
 * Args a = Args.parse(List.of("--model", "m.gguf", "--greedy", "--stop", "\n"), Set.of("greedy"));
 * Path model = a.requiredPath("model");
 * boolean greedy = a.flag("greedy");
 * a.requireAllKnown();
 * }</pre>
 */
public final class Args {
  private final Map<String, List<String>> values;
  private final List<String> positional;
  /** The declaration these arguments were checked against; null for arguments read by name. */
  private final Flags declared;
  private final Set<String> known = new LinkedHashSet<>();

  private Args(Map<String, List<String>> values, List<String> positional, Flags declared) {
    this.values = values;
    this.positional = positional;
    this.declared = declared;
  }

  /**
   * Parses {@code argv} without a declaration. Names in {@code switches} take no value; every other {@code --name}
   * takes the next word. A lone {@code --} ends the flags.
   */
  public static Args parse(List<String> argv, Set<String> switches) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    split(argv, name -> switches.contains(name), values, positional);
    return new Args(values, positional, null);
  }

  /** Parses {@code argv} against {@code flags}, failing on the first word that does not fit; see {@link Flags#parse}. */
  static Args parse(List<String> argv, Flags flags) {
    Map<String, Flag<?>> byName = flags.byName();
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    split(argv, name -> {
      Flag<?> f = byName.get(name);
      if (f == null) {
        throw new CliUsageException(unknown(name, byName.keySet()));
      }
      return f.kind() == Flag.Kind.SWITCH;
    }, values, positional);
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      Flag<?> f = byName.get(e.getKey());
      if (f.kind() != Flag.Kind.REPEATED && e.getValue().size() > 1) {
        throw new CliUsageException(f.flag() + " is given " + e.getValue().size() + " times ('"
            + String.join("', '", e.getValue()) + "'); it takes one value");
      }
      for (String raw : e.getValue()) {
        f.parseOne(raw);
      }
    }
    for (Flag<?> f : byName.values()) {
      if (f.required() && !values.containsKey(f.name())) {
        throw new CliUsageException("missing required flag " + f.flag());
      }
    }
    if (flags.positionals().isEmpty() && !positional.isEmpty()) {
      throw new CliUsageException("unexpected argument '" + positional.get(0) + "'; this command takes only flags"
          + " (a value with spaces needs quotes)");
    }
    return new Args(values, positional, flags);
  }

  private interface SwitchTest {
    boolean isSwitch(String name);
  }

  private static void split(List<String> argv, SwitchTest switches, Map<String, List<String>> values,
      List<String> positional) {
    for (int i = 0; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("--")) {
        positional.addAll(argv.subList(i + 1, argv.size()));
        break;
      }
      if (!word.startsWith("--") || word.length() == 2) {
        positional.add(word);
        continue;
      }
      String name = word.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
        switches.isSwitch(name); // an unknown name fails here, before its value is looked at
      } else if (switches.isSwitch(name)) {
        value = "true";
      } else {
        if (i + 1 >= argv.size()) {
          throw new CliUsageException("--" + name + " needs a value");
        }
        value = argv.get(++i);
      }
      values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
  }

  /** The value of a declared flag: parsed, or its default (an empty list for an absent repeated flag). */
  public <T> T get(Flag<T> flag) {
    check(flag);
    known.add(flag.name());
    return flag.value(values.getOrDefault(flag.name(), List.of()));
  }

  /** The value of a flag without a default, if it was given. */
  public <T> Optional<T> optional(Flag<T> flag) {
    return has(flag) ? Optional.of(get(flag)) : Optional.empty();
  }

  /** Whether {@code flag} was given on the command line (a default does not count). */
  public boolean has(Flag<?> flag) {
    check(flag);
    known.add(flag.name());
    return values.containsKey(flag.name());
  }

  /** The names of the flags given, in order of first appearance. */
  public Set<String> given() {
    return new LinkedHashSet<>(values.keySet());
  }

  private void check(Flag<?> flag) {
    if (declared != null && declared.byName().get(flag.name()) == null) {
      throw new IllegalStateException(flag.flag() + " is read but not declared by this command; add it to its Flags");
    }
  }

  /** The last value of {@code --name}, if given. */
  public Optional<String> string(String name) {
    List<String> v = strings(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /** Every value of a repeatable flag, in order. */
  public List<String> strings(String name) {
    if (declared != null && declared.byName().get(name) == null) {
      throw new IllegalStateException("--" + name + " is read but not declared by this command; add it to its Flags");
    }
    known.add(name);
    return values.getOrDefault(name, List.of());
  }

  public String required(String name) {
    return string(name).orElseThrow(() -> new CliUsageException("missing required flag --" + name));
  }

  public Path requiredPath(String name) {
    return Path.of(required(name));
  }

  public Optional<Path> path(String name) {
    return string(name).map(Path::of);
  }

  public boolean flag(String name) {
    return string(name).map(v -> Flag.parse(name, true, Flag.Type.BOOLEAN, v)).orElse(false);
  }

  public int intValue(String name, int fallback) {
    return string(name).map(v -> Flag.parse(name, false, Flag.Type.INT, v)).orElse(fallback);
  }

  public long longValue(String name, long fallback) {
    return string(name).map(v -> Flag.parse(name, false, Flag.Type.LONG, v)).orElse(fallback);
  }

  public double doubleValue(String name, double fallback) {
    return string(name).map(v -> Flag.parse(name, false, Flag.Type.NUMBER, v)).orElse(fallback);
  }

  /** Parses a comma-separated list of integers such as {@code 1,450,2}. */
  public int[] intList(String name) {
    return Flag.parse(name, false, Flag.Type.INT_LIST, required(name));
  }

  public List<String> positional() {
    return positional;
  }

  /**
   * Fails on any flag that no accessor asked for, so a typo is never silently ignored. Arguments parsed against a
   * declaration were checked when parsed, so for them this does nothing.
   */
  public void requireAllKnown() {
    if (declared != null) {
      return;
    }
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new CliUsageException(unknown(name, known));
      }
    }
  }

  /** "unknown flag --modle; did you mean --model?" (the nearest known name: a prefix first, else fewest edits). */
  static String unknown(String name, Collection<String> known) {
    String nearest = nearest(name, known);
    return "unknown flag --" + name + (nearest == null ? "" : "; did you mean --" + nearest + "?");
  }

  static String nearest(String name, Collection<String> known) {
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    for (String k : known) {
      boolean prefix = name.length() >= 2 && (k.startsWith(name) || name.startsWith(k));
      int score = prefix ? Math.abs(k.length() - name.length()) - 1000 : edits(name, k);
      if (score < bestScore || (score == bestScore && k.compareTo(best) < 0)) {
        best = k;
        bestScore = score;
      }
    }
    return best;
  }

  /** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
  static int edits(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
