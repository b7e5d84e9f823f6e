package dev.sapling.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every flag of one command, declared once, in the groups {@code --help} shows them in: the command's own flags
 * (untitled) and shared groups such as {@link ModelArgs#FLAGS} or {@link SamplingArgs#FLAGS}. {@link #parse} reads a
 * command line against it (an unknown flag, a missing value, a bad value, a missing required flag or a stray word is a
 * {@link CliUsageException} naming it), and {@link #usage} renders the help text from the same declaration.
 *
 * <pre>{@code
 * static final Flag<int[]> IDS = Flag.of("ids", "LIST", Flag.Type.INT_LIST, "token ids, used as given").mandatory();
 * static final Flag<Boolean> ALL = Flag.toggle("all-positions", "logits of every position, not only the last");
 * static final Flags FLAGS = Flags.of(ModelArgs.FLAGS).with(IDS, ALL)
 *     .withNotes("Prints one JSON object: {\"ids\": [...], \"logits\": [[...], ...]}.");
 * Args args = FLAGS.parse(List.of("--model", "m.gguf", "--ids", "1,2"));   // args.get(IDS) -> {1, 2}
 * }</pre>
 *
 * @param groups the flags, in help order; names are unique across groups
 * @param synopsis what follows {@code usage: sapling NAME} (empty: built from the required flags)
 * @param positionals the label of the positional words the command takes (empty: it takes none, and a stray word
 *     is a usage error)
 * @param notes text after the flag list (what the command prints, caveats); may span lines
 */
public record Flags(List<Group> groups, String synopsis, String positionals, String notes) {
  private static final int HELP_WIDTH = 116;
  private static final int MAX_FLAG_COLUMN = 28;

  /**
   * Flags that belong together, under one title in {@code --help} (an empty title for a command's own flags).
   *
   * <pre>{@code
   * static final Flags.Group FLAGS = Flags.Group.of("model and device", MODEL, DEVICE);
   * }</pre>
   */
  public record Group(String title, List<Flag<?>> flags) {
    public Group {
      flags = List.copyOf(flags);
    }

    public static Group of(String title, Flag<?>... flags) {
      return new Group(title, Arrays.asList(flags));
    }

    /** This group with {@code flag} in place of the flag of the same name (e.g. an optional {@code --model}). */
    public Group replacing(Flag<?> flag) {
      List<Flag<?>> out = new ArrayList<>();
      boolean found = false;
      for (Flag<?> f : flags) {
        found |= f.name().equals(flag.name());
        out.add(f.name().equals(flag.name()) ? flag : f);
      }
      if (!found) {
        throw new IllegalArgumentException("group '" + title + "' has no flag " + flag.flag());
      }
      return new Group(title, out);
    }

    /** The help lines of this group's flags alone (no title), e.g. for a usage text still written by hand. */
    public String help() {
      StringBuilder b = new StringBuilder();
      appendFlags(b, flags, column(flags));
      return b.toString();
    }
  }

  public Flags {
    groups = List.copyOf(groups);
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
  }

  /** A command's own flags, untitled; add shared groups with {@link #with(Group...)}. */
  public static Flags of(Flag<?>... flags) {
    return new Flags(List.of(new Group("", Arrays.asList(flags))), "", "", "");
  }

  /** A command whose flags start with shared groups; add its own with {@link #with(Flag...)}. */
  public static Flags of(Group... groups) {
    return new Flags(Arrays.asList(groups), "", "", "");
  }

  /** These flags plus {@code more} in the command's own (untitled) group, created where it is not there yet. */
  public Flags with(Flag<?>... more) {
    List<Group> out = new ArrayList<>(groups);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).title().isEmpty()) {
        List<Flag<?>> flags = new ArrayList<>(out.get(i).flags());
        flags.addAll(Arrays.asList(more));
        out.set(i, new Group("", flags));
        return new Flags(out, synopsis, positionals, notes);
      }
    }
    out.add(new Group("", Arrays.asList(more)));
    return new Flags(out, synopsis, positionals, notes);
  }

  /** These flags plus shared groups, shown after the ones already declared. */
  public Flags with(Group... more) {
    List<Group> out = new ArrayList<>(groups);
    out.addAll(Arrays.asList(more));
    return new Flags(out, synopsis, positionals, notes);
  }

  /** The usage line after {@code usage: sapling NAME}, when the generated one ({@code --model PATH [options]}) is not enough. */
  public Flags withSynopsis(String text) {
    return new Flags(groups, text, positionals, notes);
  }

  /** Lets the command take positional words (shown in the synopsis as {@code label}). */
  public Flags withPositionals(String label) {
    return new Flags(groups, synopsis, label, notes);
  }

  /** Text after the flag list. */
  public Flags withNotes(String text) {
    return new Flags(groups, synopsis, positionals, text);
  }

  /** Every declared flag by name, in help order. */
  public Map<String, Flag<?>> byName() {
    Map<String, Flag<?>> out = new LinkedHashMap<>();
    for (Group g : groups) {
      for (Flag<?> f : g.flags()) {
        out.put(f.name(), f);
      }
    }
    return out;
  }

  /** The names of the switches, for {@link Args#parse(List, Set)} and {@link Command#switches()}. */
  public Set<String> switchNames() {
    Set<String> out = new LinkedHashSet<>();
    for (Flag<?> f : byName().values()) {
      if (f.kind() == Flag.Kind.SWITCH) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** Reads {@code argv} (the words after the command's name) against this declaration. */
  public Args parse(List<String> argv) {
    return Args.parse(argv, this);
  }

  /** The full {@code --help} text of command {@code name}, without a trailing newline. */
  public String usage(String name) {
    StringBuilder b = new StringBuilder("usage: sapling ").append(name);
    String line = synopsis.isEmpty() ? generatedSynopsis() : synopsis;
    if (!line.isEmpty()) {
      b.append(' ').append(line);
    }
    b.append('\n');
    List<Flag<?>> all = List.copyOf(byName().values());
    int column = column(all);
    for (Group g : groups) {
      if (g.flags().isEmpty()) {
        continue;
      }
      if (!g.title().isEmpty()) {
        b.append(g.title()).append(":\n");
      }
      appendFlags(b, g.flags(), column);
    }
    if (!notes.isEmpty()) {
      b.append(notes).append('\n');
    }
    return b.toString().stripTrailing();
  }

  private String generatedSynopsis() {
    List<String> parts = new ArrayList<>();
    boolean optional = false;
    for (Flag<?> f : byName().values()) {
      if (f.required()) {
        parts.add(term(f));
      } else {
        optional = true;
      }
    }
    if (!positionals.isEmpty()) {
      parts.add(positionals);
    }
    if (optional) {
      parts.add("[options]");
    }
    return String.join(" ", parts);
  }

  private static String term(Flag<?> f) {
    return f.label().isEmpty() ? f.flag() : f.flag() + " " + f.label();
  }

  private static int column(List<Flag<?>> flags) {
    int widest = 0;
    for (Flag<?> f : flags) {
      widest = Math.max(widest, term(f).length());
    }
    return 2 + Math.min(widest, MAX_FLAG_COLUMN) + 2;
  }

  private static void appendFlags(StringBuilder b, List<Flag<?>> flags, int column) {
    for (Flag<?> f : flags) {
      StringBuilder text = new StringBuilder(f.help());
      String dflt = f.defaultText();
      List<String> extras = new ArrayList<>();
      if (!dflt.isEmpty()) {
        extras.add("default " + dflt);
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
      String head = "  " + term(f);
      if (head.length() + 2 > column) {
        b.append(head).append('\n');
        head = "";
      }
      List<String> lines = wrap(text.toString(), HELP_WIDTH - column);
      for (int i = 0; i < lines.size(); i++) {
        String lead = i == 0 ? head : "";
        b.append(lead).append(" ".repeat(column - lead.length())).append(lines.get(i)).append('\n');
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
