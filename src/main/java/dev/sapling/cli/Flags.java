package dev.sapling.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one command accepts, declared once: its flags, in the groups {@code --help} shows them in (the
 * command's own, untitled, then shared groups such as {@link ModelArgs#GROUP} or {@link SamplingArgs#GROUP}), its
 * positional words, and for a command such as {@code check} or {@code kernel} its subcommands, each with flags of
 * its own. {@link #parse} reads a command line against it (an unknown flag, a missing value, a bad value, a missing
 * required flag or a stray word is a {@link CliUsageException} that names it) and {@link #usage} renders the help
 * text from the same declaration.
 *
 * <pre>{@code
 * static final Flag<int[]> IDS = Flag.of("ids", "LIST", Flag.Type.INT_LIST, "token ids, used as given").mandatory();
 * static final Flag<Boolean> ALL = Flag.toggle("all-positions", "logits of every position, not only the last");
 * static final Flags FLAGS = Flags.of(IDS, ALL).with(ModelArgs.GROUP)
 *     .withNotes("Prints one JSON object: {\"ids\": [...], \"logits\": [[...], ...]}.");
 * Args args = FLAGS.parse(List.of("--model", "m.gguf", "--ids", "1,2"));   // args.get(IDS) -> {1, 2}
 * }</pre>
 *
 * @param groups the flags, in help order (the untitled group first); names are unique across groups
 * @param positionals the words the command takes besides flags, exactly these many (none: a stray word is an error)
 * @param notes text after the flag list (what the command prints, caveats); may span lines
 * @param noun what a subcommand is called in errors ({@code check}: "unknown check 'smok'"); empty without them
 * @param subcommands the subcommands, chosen by the first positional word; each has its own flags and positionals
 */
public record Flags(List<Group> groups, List<Positional> positionals, String notes, String noun,
    List<Subcommand> subcommands) {
  private static final int HELP_WIDTH = 116;
  private static final int MAX_FLAG_COLUMN = 30;

  /**
   * Flags that belong together, under one title in {@code --help} (an empty title for a command's own flags). A shared
   * group is declared once and used as it is, or with {@link #only}, {@link #requiring}, {@link #optional} and
   * {@link #defaulting}, which change which of its flags a command has, and their defaults, but never their meaning.
   *
   * <pre>{@code
   * static final Flags.Group GROUP = Flags.Group.of("model and device", MODEL, DEVICE);
   * Flags.of(COUNT).with(GROUP.defaulting(MODEL, Models.DEFAULT));   // pilot: --model is optional there
   * }</pre>
   */
  public record Group(String title, List<Flag<?>> flags) {
    public Group {
      flags = List.copyOf(flags);
    }

    public static Group of(String title, Flag<?>... flags) {
      return new Group(title, Arrays.asList(flags));
    }

    /** This group with only {@code kept}, in the group's order (a command with {@code --json} but no {@code --out}). */
    public Group only(Flag<?>... kept) {
      List<Flag<?>> out = new ArrayList<>();
      for (Flag<?> k : kept) {
        find(k);
      }
      for (Flag<?> f : flags) {
        for (Flag<?> k : kept) {
          if (k.name().equals(f.name())) {
            out.add(f);
          }
        }
      }
      return new Group(title, out);
    }

    /** This group with {@code flag} required. */
    public Group requiring(Flag<?> flag) {
      return replace(find(flag).mandatory());
    }

    /** This group with {@code flag} neither required nor defaulted. */
    public Group optional(Flag<?> flag) {
      return replace(find(flag).optional());
    }

    /** This group with {@code value} as the default of {@code flag}. */
    @SuppressWarnings("unchecked")
    public <T> Group defaulting(Flag<T> flag, T value) {
      return replace(((Flag<T>) find(flag)).withDefault(value));
    }

    private Flag<?> find(Flag<?> flag) {
      for (Flag<?> f : flags) {
        if (f.name().equals(flag.name())) {
          return f;
        }
      }
      throw new IllegalArgumentException("group '" + title + "' has no flag " + flag.flag());
    }

    private Group replace(Flag<?> flag) {
      List<Flag<?>> out = new ArrayList<>();
      for (Flag<?> f : flags) {
        out.add(f.name().equals(flag.name()) ? flag : f);
      }
      return new Group(title, out);
    }
  }

  /**
   * A word the command takes besides its flags, such as the run folder of {@code sapling qc RUN_DIR}.
   *
   * <pre>{@code
   * Flags.of(JSON).withPositionals(new Flags.Positional("RUN_DIR", "a run folder written by ./sapling pilot"));
   * }</pre>
   */
  public record Positional(String label, String help) {}

  /**
   * A subcommand: the word after the command ({@code sapling check smoke}), one line for help, and its own flags.
   *
   * <pre>{@code
   * new Flags.Subcommand("startup", "print the startup imports, for jshell --startup", Flags.of())
   * }</pre>
   */
  public record Subcommand(String name, String summary, Flags flags) {}

  public Flags {
    positionals = List.copyOf(positionals);
    subcommands = List.copyOf(subcommands);
    List<Group> ordered = new ArrayList<>();
    for (Group g : groups) {
      if (g.title().isEmpty()) {
        ordered.add(g);
      }
    }
    for (Group g : groups) {
      if (!g.title().isEmpty()) {
        ordered.add(g);
      }
    }
    groups = List.copyOf(ordered);
    Set<String> names = new LinkedHashSet<>();
    for (Group g : groups) {
      for (Flag<?> f : g.flags()) {
        if (!names.add(f.name())) {
          throw new IllegalArgumentException("flag " + f.flag() + " is declared twice");
        }
        if (f.name().equals("help")) {
          throw new IllegalArgumentException("--help is every command's own; do not declare it");
        }
      }
    }
    if (!subcommands.isEmpty()) {
      if (!names.isEmpty() || !positionals.isEmpty() || noun.isEmpty()) {
        throw new IllegalArgumentException("a command with subcommands names them (noun) and declares its flags and "
            + "words in each subcommand, none of its own");
      }
      // the subcommand is found before its flags are known: a name must take a value in every subcommand or in none
      Map<String, Flag.Kind> kinds = new LinkedHashMap<>();
      for (Subcommand s : subcommands) {
        for (Flag<?> f : s.flags().byName().values()) {
          Flag.Kind before = kinds.putIfAbsent(f.name(), f.kind());
          if (before != null && (before == Flag.Kind.SWITCH) != (f.kind() == Flag.Kind.SWITCH)) {
            throw new IllegalArgumentException(f.flag() + " is a switch in one subcommand and takes a value in "
                + "another");
          }
        }
      }
    }
  }

  /** A command's own flags, untitled; add shared groups with {@link #with(Group...)}. */
  public static Flags of(Flag<?>... flags) {
    return new Flags(List.of(new Group("", Arrays.asList(flags))), List.of(), "", "", List.of());
  }

  /** A command made of subcommands, e.g. {@code ofSubcommands("check", smoke, fixtures)}. */
  public static Flags ofSubcommands(String noun, List<Subcommand> subcommands) {
    return new Flags(List.of(), List.of(), "", noun, subcommands);
  }

  /** These flags plus shared groups, shown after the command's own flags. */
  public Flags with(Group... more) {
    List<Group> out = new ArrayList<>(groups);
    out.addAll(Arrays.asList(more));
    return new Flags(out, positionals, notes, noun, subcommands);
  }

  /** Lets the command take exactly these positional words. */
  public Flags withPositionals(Positional... words) {
    return new Flags(groups, Arrays.asList(words), notes, noun, subcommands);
  }

  /** Text after the flag list. */
  public Flags withNotes(String text) {
    return new Flags(groups, positionals, text, noun, subcommands);
  }

  /** Every flag declared here (not in subcommands) by name, in help order. */
  public Map<String, Flag<?>> byName() {
    Map<String, Flag<?>> out = new LinkedHashMap<>();
    for (Group g : groups) {
      for (Flag<?> f : g.flags()) {
        out.put(f.name(), f);
      }
    }
    return out;
  }

  /** The names of the switches here and in every subcommand, for {@link Args#parse(List, Set)}. */
  public Set<String> switchNames() {
    Set<String> out = new LinkedHashSet<>();
    for (Flag<?> f : byName().values()) {
      if (f.kind() == Flag.Kind.SWITCH) {
        out.add(f.name());
      }
    }
    for (Subcommand s : subcommands) {
      out.addAll(s.flags().switchNames());
    }
    return out;
  }

  /** The subcommand named {@code word}, if there is one. */
  public Optional<Subcommand> subcommand(String word) {
    for (Subcommand s : subcommands) {
      if (s.name().equals(word)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Reads {@code argv} (the words after the command's name) against this declaration. */
  public Args parse(List<String> argv) {
    return Args.parse(argv, this);
  }

  /**
   * The index in {@code argv} of the first positional word, skipping flags and their values (a name is a switch when
   * it is one here or in any subcommand); -1 when there is none. For a command with subcommands, that word names one.
   */
  int firstWord(List<String> argv) {
    Set<String> switches = switchNames();
    for (int i = 0; i < argv.size(); i++) {
      String word = argv.get(i);
      if (word.equals("--")) {
        return i + 1 < argv.size() ? i + 1 : -1;
      }
      if (!word.startsWith("--") || word.length() == 2) {
        return i;
      }
      if (!word.contains("=") && !switches.contains(word.substring(2))) {
        i++; // its value
      }
    }
    return -1;
  }

  /**
   * The declaration that applies to {@code argv}, with the name help shows for it: the subcommand's when {@code argv}
   * names one ({@code check smoke}), else this one under {@code name}.
   */
  public Named resolve(String name, List<String> argv) {
    int at = subcommands.isEmpty() ? -1 : firstWord(argv);
    Optional<Subcommand> sub = at < 0 ? Optional.empty() : subcommand(argv.get(at));
    return sub.isPresent() ? new Named(name.concat(" ").concat(sub.get().name()), sub.get().flags())
        : new Named(name, this);
  }

  /** A declaration and the words that name it after {@code sapling} ({@code check smoke}). */
  public record Named(String name, Flags flags) {
    /** The full {@code --help} text. */
    public String usage() {
      return flags.usage(name);
    }
  }

  /** The full {@code --help} text of command {@code name}, without a trailing newline. */
  public String usage(String name) {
    StringBuilder b = new StringBuilder(synopsis(name)).append('\n');
    if (!subcommands.isEmpty()) {
      for (Subcommand s : subcommands) {
        StringBuilder head = new StringBuilder(s.name());
        for (Positional p : s.flags().positionals()) {
          head.append(' ').append(p.label());
        }
        List<String> summary = wrap(head.append(": ").append(s.summary()).toString(), HELP_WIDTH - 4);
        for (int i = 0; i < summary.size(); i++) {
          b.append(i == 0 ? "  " : "    ").append(summary.get(i)).append('\n');
        }
        List<Help> lines = s.flags().helpLines(true);
        append(b, lines, 4, column(lines, 4));
      }
    } else {
      int column = column(helpLines(true), 2);
      append(b, helpLines(false), 2, column);
      for (Group g : groups) {
        if (!g.title().isEmpty() && !g.flags().isEmpty()) {
          b.append(g.title()).append(":\n");
          List<Help> lines = new ArrayList<>();
          for (Flag<?> f : g.flags()) {
            lines.add(help(f));
          }
          append(b, lines, 2, column);
        }
      }
    }
    if (!notes.isEmpty()) {
      for (String line : wrap(notes, HELP_WIDTH)) {
        b.append(line).append('\n');
      }
    }
    return b.toString().stripTrailing();
  }

  /** {@code usage: sapling NAME REQUIRED-FLAGS WORDS [options]}: the first line of help and of a usage error. */
  public String synopsis(String name) {
    List<String> parts = new ArrayList<>(List.of("usage: sapling ".concat(name)));
    if (!subcommands.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (Subcommand s : subcommands) {
        names.add(s.name());
      }
      parts.add(String.join("|", names));
      parts.add("[options]");
      return String.join(" ", parts);
    }
    boolean optional = false;
    for (Flag<?> f : byName().values()) {
      if (f.required()) {
        parts.add(f.term());
      } else {
        optional = true;
      }
    }
    for (Positional p : positionals) {
      parts.add(p.label());
    }
    if (optional) {
      parts.add("[options]");
    }
    return String.join(" ", parts);
  }

  /** The help lines of the positional words and the flags: all of them, or only the command's own (untitled). */
  private List<Help> helpLines(boolean all) {
    List<Help> lines = new ArrayList<>();
    for (Positional p : positionals) {
      lines.add(new Help(p.label(), p.help()));
    }
    for (Group g : groups) {
      if (all || g.title().isEmpty()) {
        for (Flag<?> f : g.flags()) {
          lines.add(help(f));
        }
      }
    }
    return lines;
  }

  /** One line of help: what is typed, and what it does. */
  private record Help(String term, String text) {}

  private static Help help(Flag<?> f) {
    StringBuilder text = new StringBuilder(f.help());
    List<String> extras = new ArrayList<>();
    String dflt = f.defaultText();
    if (!dflt.isEmpty()) {
      extras.add("default ".concat(dflt));
    }
    if (f.kind() == Flag.Kind.REPEATED) {
      extras.add("repeatable");
    }
    if (f.required()) {
      extras.add("required");
    }
    if (!extras.isEmpty()) {
      text.append(text.length() == 0 ? "" : " ").append('(').append(String.join("; ", extras)).append(')');
    }
    return new Help(f.term(), text.toString());
  }

  /** Where the help texts start: after the widest term (up to a limit; a wider one gets a line of its own). */
  private static int column(List<Help> lines, int indent) {
    int widest = 0;
    for (Help h : lines) {
      widest = Math.max(widest, h.term().length());
    }
    return indent + Math.min(widest, MAX_FLAG_COLUMN) + 2;
  }

  private static void append(StringBuilder b, List<Help> lines, int indent, int column) {
    for (Help h : lines) {
      String head = " ".repeat(indent) + h.term();
      if (head.length() + 2 > column) {
        b.append(head).append('\n');
        head = "";
      }
      List<String> wrapped = wrap(h.text(), HELP_WIDTH - column);
      for (int i = 0; i < wrapped.size(); i++) {
        String lead = i == 0 ? head : "";
        b.append(lead).append(" ".repeat(column - lead.length())).append(wrapped.get(i)).append('\n');
      }
    }
  }

  /** Word-wraps {@code text} to {@code width} columns, keeping its own line breaks. */
  static List<String> wrap(String text, int width) {
    List<String> out = new ArrayList<>();
    for (String paragraph : text.split("\n", -1)) {
      StringBuilder line = new StringBuilder();
      for (String word : paragraph.split(" ")) {
        if (line.length() > 0 && line.length() + 1 + word.length() > width) {
          out.add(line.toString());
          line.setLength(0);
        }
        if (line.length() > 0) {
          line.append(' ');
        }
        line.append(word);
      }
      out.add(line.toString());
    }
    return out;
  }
}
