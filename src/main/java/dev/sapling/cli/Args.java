package dev.sapling.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command line read against a command's {@link Flags}: every flag given was declared and its value has the declared
 * type, so a command reads them typed, with the declared defaults, through {@link #get}, {@link #optional} and
 * {@link #has}. Reading a flag the command did not declare is a programming error ({@link IllegalStateException}).
 *
 * <pre>{@code
 * Args a = LogitsCommand.FLAGS.parse(List.of("--model", "m.gguf", "--ids", "1,450,2"));
 * int[] ids = a.get(LogitsCommand.IDS);
 * String device = a.get(ModelArgs.DEVICE);     // "cpu", the declared default
 * }</pre>
 *
 * <p>Beneath that, {@link #parse(List, Set)} splits words without a declaration ({@code --name value},
 * {@code --name=value}, repeated flags, switches, positional words, {@code --} ending the flags); its by-name reads
 * mark each name as known and {@link #requireAllKnown()} rejects the rest. Tests use it; commands do not.
 */
public final class Args {
  private final Map<String, List<String>> values;
  private final List<String> positional;
  /** The flags these arguments were checked against, by name; null for arguments split without a declaration. */
  private final Map<String, Flag<?>> declared;
  private final String subcommand;
  private final Set<String> known = new LinkedHashSet<>();

  private Args(Map<String, List<String>> values, List<String> positional, Map<String, Flag<?>> declared,
      String subcommand) {
    this.values = values;
    this.positional = List.copyOf(positional);
    this.declared = declared;
    this.subcommand = subcommand;
  }

  /**
   * Splits {@code argv} without a declaration. Names in {@code switches} take no value; every other {@code --name}
   * takes the next word. A lone {@code --} ends the flags.
   */
  static Args parse(List<String> argv, Set<String> switches) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    split(argv, null, switches, values, positional);
    return new Args(values, positional, null, "");
  }

  /** Reads {@code argv} against {@code flags}, failing on the first word that does not fit; see {@link Flags#parse}. */
  static Args parse(List<String> argv, Flags flags) {
    if (flags.subcommands().isEmpty()) {
      return parseLeaf(argv, flags, "");
    }
    List<String> names = new ArrayList<>();
    for (Flags.Subcommand s : flags.subcommands()) {
      names.add(s.name());
    }
    int at = flags.firstWord(argv);
    if (at < 0) {
      throw new CliUsageException("expected one " + flags.noun() + " name: " + String.join(", ", names));
    }
    String word = argv.get(at);
    Optional<Flags.Subcommand> sub = flags.subcommand(word);
    if (sub.isEmpty()) {
      String near = nearest(word, names);
      throw new CliUsageException("unknown " + flags.noun() + " '" + word + "'; known: " + String.join(", ", names)
          + (near == null ? "" : "; did you mean " + near + "?"));
    }
    List<String> rest = new ArrayList<>(argv);
    rest.remove(at);
    return parseLeaf(rest, sub.get().flags(), sub.get().name());
  }

  private static Args parseLeaf(List<String> argv, Flags flags, String subcommand) {
    Map<String, Flag<?>> byName = flags.byName();
    Map<String, List<String>> values = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    split(argv, byName, Set.of(), values, positional);
    for (Flag<?> f : byName.values()) {
      if (f.required() && !values.containsKey(f.name())) {
        throw new CliUsageException("missing required flag " + f.flag() + ": add " + f.term() + " (" + f.help()
            + ")");
      }
    }
    List<Flags.Positional> words = flags.positionals();
    if (words.isEmpty() && !positional.isEmpty()) {
      String stray = positional.get(0);
      throw new CliUsageException("unexpected argument '" + stray + "'; " + (stray.startsWith("-")
          ? "flags start with two dashes (--" + stray.replaceFirst("^-+", "") + ")"
          : "this command takes only flags (quote a value that has spaces)"));
    }
    if (positional.size() != words.size()) {
      List<String> labels = new ArrayList<>();
      for (Flags.Positional p : words) {
        labels.add(p.label());
      }
      throw new CliUsageException("expected " + String.join(" ", labels) + " (" + words.size()
          + (words.size() == 1 ? " word" : " words") + "); got " + positional.size()
          + (positional.isEmpty() ? "" : ": '" + String.join("', '", positional) + "'"));
    }
    return new Args(values, positional, byName, subcommand);
  }

  /**
   * Splits {@code argv} into flag values and positional words. With a declaration ({@code declared} not null) every
   * name must be declared and every value is checked as it is read; without one, any name goes and {@code switches}
   * says which take no value.
   */
  private static void split(List<String> argv, Map<String, Flag<?>> declared, Set<String> switches,
      Map<String, List<String>> values, List<String> positional) {
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
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Flag<?> f = declared == null ? null : declared.get(name);
      if (declared != null && f == null) {
        throw new CliUsageException(unknown(name, declared.keySet()));
      }
      boolean isSwitch = f != null ? f.kind() == Flag.Kind.SWITCH : switches.contains(name);
      if (value == null && isSwitch) {
        value = "true";
      } else if (value == null) {
        String next = i + 1 < argv.size() ? argv.get(i + 1) : null;
        if (next == null || (declared != null && isFlag(next, declared))) {
          throw new CliUsageException(f == null ? "--" + name + " needs a value" : f.flag() + " needs a value, as in "
              + f.term() + (next == null ? "" : "; the next word, " + next + ", is a flag (for that very value write "
              + f.flag() + "=" + next + ")"));
        }
        value = next;
        i++;
      }
      if (f != null) {
        f.parseOne(value); // a bad value fails here, naming the flag, before anything runs
      }
      add(values, name, value);
    }
  }

  private static void add(Map<String, List<String>> values, String name, String value) {
    List<String> list = values.get(name);
    if (list == null) {
      list = new ArrayList<>();
      values.put(name, list);
    }
    list.add(value);
  }

  /** Whether {@code word} is one of the declared flags ({@code --name} or {@code --name=...}), not a value. */
  private static boolean isFlag(String word, Map<String, Flag<?>> byName) {
    if (!word.startsWith("--") || word.length() == 2) {
      return false;
    }
    String name = word.substring(2);
    int eq = name.indexOf('=');
    return byName.containsKey(eq >= 0 ? name.substring(0, eq) : name);
  }

  /** The value of a declared flag: parsed, or its default (an empty list for an absent repeated flag). */
  public <T> T get(Flag<T> flag) {
    Flag<T> f = declaredAs(flag);
    known.add(f.name());
    return f.value(values.getOrDefault(f.name(), List.of()));
  }

  /** The value of a flag if it was given, else its default, else empty. */
  public <T> Optional<T> optional(Flag<T> flag) {
    Flag<T> f = declaredAs(flag);
    return has(f) ? Optional.of(get(f)) : Optional.ofNullable(f.defaultValue());
  }

  /** Whether {@code flag} was given on the command line (a default does not count). */
  public boolean has(Flag<?> flag) {
    declaredAs(flag);
    known.add(flag.name());
    return values.containsKey(flag.name());
  }

  /** The positional words, in order (without the subcommand's name). */
  public List<String> positional() {
    return positional;
  }

  /** The subcommand chosen ({@code smoke} in {@code sapling check smoke}); empty for a command without them. */
  public String subcommand() {
    return subcommand;
  }

  /** The flag as this command declared it (with its own default); an error when it did not declare it. */
  @SuppressWarnings("unchecked")
  private <T> Flag<T> declaredAs(Flag<T> flag) {
    if (declared == null) {
      return flag;
    }
    Flag<?> d = declared.get(flag.name());
    if (d == null || !d.sameMeaning(flag)) {
      throw new IllegalStateException(flag.flag() + " is read but not declared by this command"
          + (subcommand.isEmpty() ? "" : " " + subcommand) + "; add it to its Flags");
    }
    return (Flag<T>) d;
  }

  // ---- reading by name, beneath the declared reads (Args.parse(List, Set) and its tests) ----

  /** The last value of {@code --name}, if given. */
  Optional<String> string(String name) {
    List<String> v = strings(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /** Every value of a repeatable flag, in order. */
  List<String> strings(String name) {
    if (declared != null && !declared.containsKey(name)) {
      throw new IllegalStateException("--" + name + " is read but not declared by this command; add it to its Flags");
    }
    known.add(name);
    return values.getOrDefault(name, List.of());
  }

  boolean flag(String name) {
    return string(name).map(v -> Flag.parse(name, true, Flag.Type.BOOLEAN, v)).orElse(false);
  }

  int intValue(String name, int fallback) {
    return string(name).map(v -> Flag.parse(name, false, Flag.Type.INT, v)).orElse(fallback);
  }

  /** Parses a comma-separated list of integers such as {@code 1,450,2}. */
  int[] intList(String name) {
    String raw = string(name).orElseThrow(() -> new CliUsageException("missing required flag --" + name));
    return Flag.parse(name, false, Flag.Type.INT_LIST, raw);
  }

  /** Fails on any flag that no by-name read asked for, so a typo is never silently ignored. */
  void requireAllKnown() {
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new CliUsageException(unknown(name, known));
      }
    }
  }

  /**
   * "unknown flag --modle; did you mean --model?" when one known name is near (a prefix, or a typo or two away),
   * else "unknown flag --bench; known flags: --device, --dtypes, --only" (in alphabetical order).
   */
  static String unknown(String name, Collection<String> known) {
    if (known.isEmpty()) {
      return "unknown flag --" + name + "; this command takes no flags";
    }
    String near = nearest(name, known);
    return "unknown flag --" + name + (near != null ? "; did you mean --" + near + "?"
        : "; known flags: --" + String.join(", --", new java.util.TreeSet<>(known)));
  }

  /** The known name nearest to {@code name} if one is near enough to be meant: a prefix first, else fewest edits. */
  static String nearest(String name, Collection<String> known) {
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    for (String k : known) {
      boolean prefix = name.length() >= 2 && (k.startsWith(name) || name.startsWith(k));
      int edits = edits(name, k);
      if (!prefix && edits > Math.max(1, Math.min(name.length(), k.length()) / 3)) {
        continue;
      }
      int score = prefix ? Math.abs(k.length() - name.length()) - 1000 : edits;
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
