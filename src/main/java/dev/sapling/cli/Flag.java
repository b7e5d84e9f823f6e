package dev.sapling.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One command-line flag, declared once: its name, the label of its value, its type, its default and its help line.
 * {@link Flags} gathers a command's flags; parsing, {@code --help} and every usage error come from this declaration.
 * A flag is a switch ({@code --greedy}), takes one value ({@code --max-tokens 256}; given twice, the last one wins),
 * or collects every value it is given ({@code --stop a --stop b}).
 *
 * <pre>{@code
 * static final Flag<Integer> MAX_TOKENS = Flag.of("max-tokens", "N", Flag.Type.INT.atLeast(1),
 *     "new tokens at most").withDefault(256);
 * static final Flag<Boolean> GREEDY = Flag.toggle("greedy", "argmax decoding (same as --temperature 0)");
 * static final Flag<List<String>> STOP = Flag.of("stop", "STR", Flag.Type.TEXT, "stop sequence").repeatable();
 * static final Flag<Path> MODEL = Flag.of("model", "PATH", Flag.Type.PATH, "a .gguf file").mandatory();
 * int max = args.get(MAX_TOKENS);              // 256 unless --max-tokens was given
 * }</pre>
 *
 * @param name the flag without its leading {@code --}, in kebab-case ({@code top-p})
 * @param label what the value is, as help shows it ({@code N}, {@code PATH}); empty for a switch
 * @param help one sentence for {@code --help}; the default is appended from {@code defaultValue}
 * @param kind switch, single value or repeated values
 * @param type how one value is parsed and shown (for a repeated flag: one of its values)
 * @param defaultValue the value when the flag is absent, or null when there is none
 * @param required whether the command refuses to run without it
 * @param <T> the value's Java type ({@code List<E>} for a repeated flag)
 */
public record Flag<T>(String name, String label, String help, Kind kind, Type<?> type, T defaultValue,
    boolean required) {

  /** How a flag takes its value. */
  public enum Kind {
    /** No value: present means true ({@code --name=false} also works). */
    SWITCH,
    /** One value: {@code --name VALUE} or {@code --name=VALUE}; given twice, the last one wins. */
    VALUE,
    /** Any number of values, each after its own {@code --name}, kept in order. */
    REPEATED
  }

  /**
   * How one value is read and shown: {@code expected} completes the sentence "--name expects ..." of a usage error,
   * {@code parse} throws {@link IllegalArgumentException} (a {@link NumberFormatException} included) on a bad value,
   * or a {@link Problem} when it can say better what is wrong.
   *
   * <pre>{@code
   * Flag.Type<Integer> port = Flag.Type.of("an integer", s -> Integer.parseInt(s.trim()));
   * Flag.Type<Double> topP = Flag.Type.NUMBER.where(p -> p > 0 && p <= 1, "a number in (0, 1]");
   * }</pre>
   */
  public record Type<V>(String expected, Function<String, V> parse, Function<V, String> format) {
    /** An integer such as {@code 256}. */
    public static final Type<Integer> INT = of("an integer", s -> Integer.parseInt(s.trim()));
    /** A 64-bit integer such as a seed. */
    public static final Type<Long> LONG = of("an integer", s -> Long.parseLong(s.trim()));
    /** A decimal number such as {@code 0.95}. */
    public static final Type<Double> NUMBER = of("a number", s -> Double.parseDouble(s.trim()));
    /** Any text, taken as given. */
    public static final Type<String> TEXT = of("text", s -> s);
    /** A file or folder path (not checked for existence here: the command says what it needs). */
    public static final Type<Path> PATH = of("a path", Path::of);
    /** Comma-separated integers such as {@code 1,450,2}. */
    public static final Type<int[]> INT_LIST = new Type<>("comma-separated integers such as 1,450,2",
        Type::intList, v -> Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    /** {@code NAME=VALUE} with a non-empty name, kept as the text given. */
    public static final Type<String> NAME_VALUE = of("NAME=VALUE", s -> {
      if (s.indexOf('=') <= 0) {
        throw new IllegalArgumentException("no NAME= part");
      }
      return s;
    });
    static final Type<Boolean> BOOLEAN = of("no value (it is a switch)", s -> switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not true or false");
    });

    public Type {
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(parse, "parse");
      Objects.requireNonNull(format, "format");
    }

    /** A type shown with {@link String#valueOf}. */
    public static <V> Type<V> of(String expected, Function<String, V> parse) {
      return new Type<>(expected, parse, String::valueOf);
    }

    /** One of a fixed set of words, compared case-insensitively, returned in lower case. */
    public static Type<String> oneOf(String... words) {
      List<String> allowed = List.of(words);
      return of("one of " + String.join(", ", allowed), s -> {
        String w = s.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(w)) {
          throw new Problem("unknown value '" + s + "'; expected one of " + String.join(", ", allowed));
        }
        return w;
      });
    }

    /** Comma-separated words, each one of {@code allowed} (case-insensitive, returned in lower case). */
    public static Type<List<String>> someOf(List<String> allowed) {
      return new Type<>("comma-separated words, some of " + String.join(", ", allowed), s -> {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",", -1)) {
          String w = part.trim().toLowerCase(Locale.ROOT);
          if (!allowed.contains(w)) {
            throw new Problem("unknown value '" + part.trim() + "'; expected some of " + String.join(", ", allowed));
          }
          out.add(w);
        }
        return List.copyOf(out);
      }, v -> String.join(",", v));
    }

    /** This type, accepting only values that pass {@code test}; {@code expected} says which ("an integer >= 1"). */
    public Type<V> where(Predicate<V> test, String expected) {
      Function<String, V> inner = parse;
      return new Type<>(expected, s -> {
        V v = inner.apply(s);
        if (!test.test(v)) {
          throw new IllegalArgumentException("out of range");
        }
        return v;
      }, format);
    }

    private static int[] intList(String raw) {
      String[] parts = raw.split(",", -1);
      int[] out = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          out[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new Problem("'" + parts[i] + "' in '" + raw + "' is not an integer; expected comma-separated "
              + "integers such as 1,450,2");
        }
      }
      return out;
    }
  }

  /** An integer type of at least {@code min}, e.g. {@code atLeast(1)} for a count. */
  public static Type<Integer> atLeast(int min) {
    return Type.INT.where(v -> v >= min, "an integer >= " + min);
  }

  /**
   * A bad value whose message says exactly what is wrong with it; the usage error is then {@code --name: MESSAGE}
   * instead of the generic {@code --name expects ...; got '...'}.
   */
  public static final class Problem extends IllegalArgumentException {
    public Problem(String message) {
      super(message);
    }
  }

  public Flag {
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("flag name '" + name + "' must be kebab-case without the leading --");
    }
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(help, "help");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(type, "type");
    if (kind == Kind.SWITCH != label.isEmpty()) {
      throw new IllegalArgumentException("--" + name + ": a switch has no value label, every other flag has one");
    }
  }

  /** An optional flag of one value, without a default; see {@link #withDefault} and {@link #mandatory}. */
  public static <T> Flag<T> of(String name, String label, Type<T> type, String help) {
    return new Flag<>(name, label, help, Kind.VALUE, type, null, false);
  }

  /** A switch: false unless given. */
  public static Flag<Boolean> toggle(String name, String help) {
    return new Flag<>(name, "", help, Kind.SWITCH, Type.BOOLEAN, false, false);
  }

  /** This flag with a default, shown in help as {@code (default VALUE)}; a flag with a default is never required. */
  public Flag<T> withDefault(T value) {
    if (kind != Kind.VALUE) {
      throw new IllegalStateException("--" + name + ": only a single-value flag takes a default");
    }
    return new Flag<>(name, label, help, kind, type, Objects.requireNonNull(value, "default"), false);
  }

  /** This flag, required: parsing fails with "missing required flag --NAME" without it. */
  public Flag<T> mandatory() {
    if (kind == Kind.SWITCH) {
      throw new IllegalStateException("--" + name + " is a switch, so it cannot be required");
    }
    return new Flag<>(name, label, help, kind, type, kind == Kind.VALUE ? null : defaultValue, true);
  }

  /** This flag, neither required nor defaulted (for a command that shares a group but can run without it). */
  public Flag<T> optional() {
    return new Flag<>(name, label, help, kind, type, kind == Kind.VALUE ? null : defaultValue, false);
  }

  /** This flag, collecting every value it is given, in order (empty when absent). */
  @SuppressWarnings("unchecked")
  public <E> Flag<List<E>> repeatable() {
    if (kind != Kind.VALUE || defaultValue != null) {
      throw new IllegalStateException("--" + name + ": only a single-value flag without a default can be repeatable");
    }
    return new Flag<>(name, label, help, Kind.REPEATED, type, (List<E>) List.of(), required);
  }

  /** {@code --name}, as users type it. */
  public String flag() {
    return "--" + name;
  }

  /** {@code --name LABEL} (or {@code --name} for a switch), as the synopsis and help show it. */
  public String term() {
    return label.isEmpty() ? flag() : flag() + " " + label;
  }

  /**
   * Whether {@code other} is this flag as far as users can tell: the same name, label, kind, type and help. Only the
   * default and whether it is required may differ (one command defaults {@code --model}, another requires it).
   */
  public boolean sameMeaning(Flag<?> other) {
    return name.equals(other.name) && label.equals(other.label) && kind == other.kind && type.equals(other.type)
        && help.equals(other.help);
  }

  /** Checks one raw value; a usage error naming the flag, the value and what was expected otherwise. */
  Object parseOne(String raw) {
    return parse(name, kind == Kind.SWITCH, type, raw);
  }

  /** {@code raw} read as {@code type} for flag {@code --name}; a usage error naming both otherwise. */
  static <V> V parse(String name, boolean isSwitch, Type<V> type, String raw) {
    try {
      return type.parse().apply(raw);
    } catch (Problem e) {
      throw new CliUsageException("--" + name + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      if (isSwitch) {
        throw new CliUsageException("--" + name + " is a switch and takes no value; got '" + raw
            + "' (write --" + name + " alone, or --" + name + "=false)");
      }
      throw new CliUsageException("--" + name + " expects " + type.expected() + "; got '" + raw + "'");
    }
  }

  /** The value of this flag given its raw occurrences (empty when absent): parsed, or the default. */
  @SuppressWarnings("unchecked")
  T value(List<String> raws) {
    if (kind == Kind.REPEATED) {
      List<Object> out = new ArrayList<>();
      for (String raw : raws) {
        out.add(parseOne(raw));
      }
      return (T) List.copyOf(out);
    }
    if (raws.isEmpty()) {
      if (defaultValue == null) {
        throw new IllegalStateException(flag() + " has no default and was not given; read it with Args.optional");
      }
      return defaultValue;
    }
    return (T) parseOne(raws.get(raws.size() - 1));
  }

  /** The default as help shows it, or empty when there is none worth showing. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  String defaultText() {
    if (kind != Kind.VALUE || defaultValue == null) {
      return "";
    }
    return ((Function) type.format()).apply(defaultValue).toString();
  }
}
