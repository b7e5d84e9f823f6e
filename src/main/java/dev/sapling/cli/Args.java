package dev.sapling.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed command-line arguments: {@code --name value}, {@code --name=value}, repeated flags, boolean switches and
 * positional words. Every flag a command reads is marked as known; {@link #requireAllKnown()} then rejects typos
 * instead of ignoring them.
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
  private final Set<String> known = new LinkedHashSet<>();

  private Args(Map<String, List<String>> values, List<String> positional) {
    this.values = values;
    this.positional = positional;
  }

  /**
   * Parses {@code argv}. Names in {@code switches} take no value; every other {@code --name} takes the next word.
   * A lone {@code --} ends the flags.
   */
  public static Args parse(List<String> argv, Set<String> switches) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
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
      } else if (switches.contains(name)) {
        value = "true";
      } else {
        if (i + 1 >= argv.size()) {
          throw new CliUsageException("--" + name + " needs a value");
        }
        value = argv.get(++i);
      }
      values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return new Args(values, positional);
  }

  /** The last value of {@code --name}, if given. */
  public Optional<String> string(String name) {
    known.add(name);
    List<String> v = values.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /** Every value of a repeatable flag, in order. */
  public List<String> strings(String name) {
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
    return string(name).map(v -> {
      if (v.equals("true")) {
        return true;
      }
      if (v.equals("false")) {
        return false;
      }
      throw new CliUsageException("--" + name + " is a switch; got value '" + v + "'");
    }).orElse(false);
  }

  public int intValue(String name, int fallback) {
    return string(name).map(v -> parseInt(name, v)).orElse(fallback);
  }

  public long longValue(String name, long fallback) {
    return string(name).map(v -> {
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        throw new CliUsageException("--" + name + " expects an integer; got '" + v + "'");
      }
    }).orElse(fallback);
  }

  public double doubleValue(String name, double fallback) {
    return string(name).map(v -> {
      try {
        return Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new CliUsageException("--" + name + " expects a number; got '" + v + "'");
      }
    }).orElse(fallback);
  }

  /** Parses a comma-separated list of integers such as {@code 1,450,2}. */
  public int[] intList(String name) {
    String raw = required(name);
    String[] parts = raw.split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parseInt(name, parts[i]);
    }
    return out;
  }

  public List<String> positional() {
    return positional;
  }

  /** Fails on any flag that no accessor asked for, so a typo is never silently ignored. */
  public void requireAllKnown() {
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new CliUsageException("unknown flag --" + name + (known.isEmpty() ? "" : "; known flags: --"
            + String.join(", --", known)));
      }
    }
  }

  private static int parseInt(String name, String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new CliUsageException("--" + name + " expects an integer; got '" + v + "'");
    }
  }
}
