package dev.sapling.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

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
   * How one value is read and shown. {@link #expected()} completes the sentence "--name expects ..." of a usage error.
   * The types are data, not lambdas: a declaration loads no classes of its own, so declaring every command's flags
   * adds next to nothing to the launcher's start-up (docs/cli.md). {@link #of} takes a function for a type of its own.
   *
   * <pre>{@code
   * Flag.Type<Integer> count = Flag.Type.INT.atLeast(1);                    // "an integer >= 1"
   * Flag.Type<Double> topP = Flag.Type.NUMBER.above(0).atMost(1);           // "a number in (0, 1]"
   * Flag.Type<String> device = Flag.Type.oneOf("cpu", "gpu");               // "one of cpu, gpu"
   * }</pre>
   *
   * @param <V> the Java type of one value
   */
  public static final class Type<V> {
    private enum Base { INT, LONG, NUMBER, TEXT, PATH, INT_LIST, NAME_VALUE, BOOLEAN, WORD, WORDS, CUSTOM }

    /** An integer such as {@code 256}. */
    public static final Type<Integer> INT = new Type<>(Base.INT, null, null);
    /** A 64-bit integer such as a seed. */
    public static final Type<Long> LONG = new Type<>(Base.LONG, null, null);
    /** A finite decimal number such as {@code 0.95}. */
    public static final Type<Double> NUMBER = new Type<>(Base.NUMBER, null, null);
    /** Any text, taken as given. */
    public static final Type<String> TEXT = new Type<>(Base.TEXT, null, null);
    /** A file or folder path (not checked for existence here: the command says what it needs). */
    public static final Type<Path> PATH = new Type<>(Base.PATH, null, null);
    /** Comma-separated integers such as {@code 1,450,2}. */
    public static final Type<int[]> INT_LIST = new Type<>(Base.INT_LIST, null, null);
    /** {@code NAME=VALUE} with a non-empty name, kept as the text given. */
    public static final Type<String> NAME_VALUE = new Type<>(Base.NAME_VALUE, null, null);
    static final Type<Boolean> BOOLEAN = new Type<>(Base.BOOLEAN, null, null);

    private final Base base;
    private final List<String> words;
    private final Function<String, V> custom;
    private final String expected;
    private final double min;
    private final boolean minIncluded;
    private final double max;
    private final boolean maxIncluded;
    private final boolean nonEmpty;
    private final boolean notBlank;

    private Type(Base base, List<String> words, Function<String, V> custom) {
      this(base, words, custom, null, Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true, false, false);
    }

    private Type(Base base, List<String> words, Function<String, V> custom, String expected, double min,
        boolean minIncluded, double max, boolean maxIncluded, boolean nonEmpty, boolean notBlank) {
      this.base = base;
      this.words = words;
      this.custom = custom;
      this.min = min;
      this.minIncluded = minIncluded;
      this.max = max;
      this.maxIncluded = maxIncluded;
      this.nonEmpty = nonEmpty;
      this.notBlank = notBlank;
      this.expected = expected != null ? expected : describe();
    }

    /** A type of its own: {@code parse} throws {@link IllegalArgumentException} or a {@link Problem} on a bad value. */
    public static <V> Type<V> of(String expected, Function<String, V> parse) {
      Objects.requireNonNull(parse, "parse");
      return new Type<>(Base.CUSTOM, null, parse, Objects.requireNonNull(expected, "expected"),
          Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true, false, false);
    }

    /** One of a fixed set of words, compared case-insensitively, returned in lower case. */
    public static Type<String> oneOf(String... words) {
      return new Type<>(Base.WORD, List.of(words), null);
    }

    /** Comma-separated words, each one of {@code allowed} (case-insensitive, returned in lower case). */
    public static Type<List<String>> someOf(List<String> allowed) {
      return new Type<>(Base.WORDS, List.copyOf(allowed), null);
    }

    /** This numeric type (or each item of {@link #INT_LIST}), accepting only values {@code >= bound}. */
    public Type<V> atLeast(double bound) {
      return bounded(bound, true, max, maxIncluded);
    }

    /** This numeric type, accepting only values {@code > bound}. */
    public Type<V> above(double bound) {
      return bounded(bound, false, max, maxIncluded);
    }

    /** This numeric type, accepting only values {@code <= bound}. */
    public Type<V> atMost(double bound) {
      return bounded(min, minIncluded, bound, true);
    }

    /** This text type, refusing the empty string. */
    public Type<V> nonEmpty() {
      requireText();
      return new Type<>(base, words, custom, null, min, minIncluded, max, maxIncluded, true, notBlank);
    }

    /** This text type, refusing text that is empty or only spaces. */
    public Type<V> notBlank() {
      requireText();
      return new Type<>(base, words, custom, null, min, minIncluded, max, maxIncluded, true, true);
    }

    private Type<V> bounded(double lo, boolean loIncluded, double hi, boolean hiIncluded) {
      if (base != Base.INT && base != Base.LONG && base != Base.NUMBER && base != Base.INT_LIST) {
        throw new IllegalStateException("only a numeric type has bounds; this one expects " + expected);
      }
      return new Type<>(base, words, custom, null, lo, loIncluded, hi, hiIncluded, nonEmpty, notBlank);
    }

    private void requireText() {
      if (base != Base.TEXT) {
        throw new IllegalStateException("only a text type can refuse empty text; this one expects " + expected);
      }
    }

    /** What a value must be, as a usage error says it: "an integer >= 1", "one of cpu, gpu". */
    public String expected() {
      return expected;
    }

    private String describe() {
      String noun = switch (base) {
        case INT, LONG -> "an integer";
        case NUMBER -> "a number";
        case TEXT -> notBlank ? "text that is not blank" : nonEmpty ? "non-empty text" : "text";
        case PATH -> "a path";
        case INT_LIST -> "comma-separated integers";
        case NAME_VALUE -> "NAME=VALUE";
        case BOOLEAN -> "no value (it is a switch)";
        case WORD -> "one of ".concat(String.join(", ", words));
        case WORDS -> "comma-separated words, some of ".concat(String.join(", ", words));
        case CUSTOM -> throw new IllegalStateException("a custom type says what it expects");
      };
      // StringBuilder, not +: every declaration runs this at start-up, and each + site would link a call site first
      StringBuilder b = new StringBuilder(noun);
      boolean lo = min != Double.NEGATIVE_INFINITY;
      boolean hi = max != Double.POSITIVE_INFINITY;
      if (lo && hi) {
        b.append(" in ").append(minIncluded ? '[' : '(').append(number(min)).append(", ").append(number(max))
            .append(maxIncluded ? ']' : ')');
      } else if (lo) {
        b.append(minIncluded ? " >= " : " > ").append(number(min));
      } else if (hi) {
        b.append(maxIncluded ? " <= " : " < ").append(number(max));
      } else if (base == Base.INT_LIST) {
        b.append(" such as 1,450,2");
      }
      return b.toString();
    }

    private static String number(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private boolean inRange(double v) {
      return (minIncluded ? v >= min : v > min) && (maxIncluded ? v <= max : v < max);
    }

    /** One raw value read as this type; {@link IllegalArgumentException} or a {@link Problem} when it is not one. */
    @SuppressWarnings("unchecked")
    V parse(String raw) {
      Object v;
      switch (base) {
        case INT -> v = checked(Integer.parseInt(raw.trim()));
        case LONG -> v = checked(Long.parseLong(raw.trim()));
        case NUMBER -> {
          double d = Double.parseDouble(raw.trim());
          if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("not finite");
          }
          v = checked(d);
        }
        case TEXT -> {
          if ((nonEmpty && raw.isEmpty()) || (notBlank && raw.isBlank())) {
            throw new IllegalArgumentException("empty");
          }
          v = raw;
        }
        case PATH -> v = Path.of(raw);
        case INT_LIST -> v = intList(raw);
        case NAME_VALUE -> {
          if (raw.indexOf('=') <= 0) {
            throw new IllegalArgumentException("no NAME= part");
          }
          v = raw;
        }
        case BOOLEAN -> {
          if (!raw.equals("true") && !raw.equals("false")) {
            throw new IllegalArgumentException("not true or false");
          }
          v = raw.equals("true");
        }
        case WORD -> v = word(raw, "one of");
        case WORDS -> {
          List<String> out = new ArrayList<>();
          for (String part : raw.split(",", -1)) {
            out.add(word(part.trim(), "some of"));
          }
          v = List.copyOf(out);
        }
        default -> v = custom.apply(raw);
      }
      return (V) v;
    }

    private <N extends Number> N checked(N value) {
      if (!inRange(value.doubleValue())) {
        throw new IllegalArgumentException("out of range");
      }
      return value;
    }

    private String word(String raw, String quantity) {
      String w = raw.trim().toLowerCase(Locale.ROOT);
      if (!words.contains(w)) {
        throw new Problem("unknown value '" + raw + "'; expected " + quantity + " " + String.join(", ", words));
      }
      return w;
    }

    private int[] intList(String raw) {
      String[] parts = raw.split(",", -1);
      int[] out = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          out[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new Problem("'" + parts[i] + "' in '" + raw + "' is not an integer; expected " + expected);
        }
        if (!inRange(out[i])) {
          throw new Problem("'" + parts[i].trim() + "' in '" + raw + "' is out of range; expected " + expected);
        }
      }
      return out;
    }

    /** A value as help shows it (a default). */
    String format(Object value) {
      if (value instanceof int[] ints) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ints.length; i++) {
          b.append(i == 0 ? "" : ",").append(ints[i]);
        }
        return b.toString();
      }
      if (value instanceof List<?> list) {
        StringBuilder b = new StringBuilder();
        for (Object o : list) {
          b.append(b.length() == 0 ? "" : ",").append(o);
        }
        return b.toString();
      }
      return String.valueOf(value);
    }

    @Override
    public String toString() {
      return expected;
    }
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
    if (!kebabCase(name)) {
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

  /** Lower-case letters, digits and inner dashes, as in {@code top-p} (checked without a regex: start-up time). */
  private static boolean kebabCase(String name) {
    if (name == null || name.isEmpty() || name.charAt(0) == '-') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') {
        return false;
      }
    }
    return true;
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
    return "--".concat(name);
  }

  /** {@code --name LABEL} (or {@code --name} for a switch), as the synopsis and help show it. */
  public String term() {
    return label.isEmpty() ? flag() : flag().concat(" ").concat(label);
  }

  /**
   * Whether {@code other} is this flag as far as users can tell: the same name, label, kind, type and help. Only the
   * default and whether it is required may differ (one command defaults {@code --model}, another requires it).
   */
  public boolean sameMeaning(Flag<?> other) {
    return name.equals(other.name) && label.equals(other.label) && kind == other.kind && type == other.type
        && help.equals(other.help);
  }

  /** Checks one raw value; a usage error naming the flag, the value and what was expected otherwise. */
  Object parseOne(String raw) {
    return parse(name, kind == Kind.SWITCH, type, raw);
  }

  /** {@code raw} read as {@code type} for flag {@code --name}; a usage error naming both otherwise. */
  static <V> V parse(String name, boolean isSwitch, Type<V> type, String raw) {
    try {
      return type.parse(raw);
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
  String defaultText() {
    return kind != Kind.VALUE || defaultValue == null ? "" : type.format(defaultValue);
  }
}
