package dev.sapling.cli;

import dev.sapling.check.AdamWParityCheck;
import dev.sapling.check.GpuFixtureCheck;
import dev.sapling.check.GpuSmoke;
import dev.sapling.check.SamplingBench;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code sapling check NAME [flags]}: runs one of the device checks and benchmarks of {@code dev.sapling.check}
 * (the GPU bundle has no test classpath, so these are how a GPU host runs the assertions of the unit tests). Each
 * check declares its flags once, in {@link #checks()}: parsing, {@code --help} and the unknown-flag error come from
 * that declaration. A check prints its PASS/FAIL lines (or its table) to stdout and exits 1 when a check fails.
 *
 * <pre>{@code
 * ./sapling check smoke --device gpu --bench
 * ./sapling check fixtures --device cpu --only runtime,memory
 * }</pre>
 */
public final class CheckCommand implements Command {
  /**
   * One flag of a check: {@code value} names its argument ({@code null} for a switch), {@code fallback} is its
   * default ({@code null}: none, the check decides), {@code choices} (for a comma-separated list) what each item
   * may be.
   */
  record Flag(String name, String value, String fallback, List<String> choices, String help) {
    static Flag onOff(String name, String help) {
      return new Flag(name, null, null, List.of(), help);
    }

    static Flag value(String name, String value, String fallback, String help) {
      return new Flag(name, value, fallback, List.of(), help);
    }

    static Flag list(String name, List<String> choices, String fallback, String help) {
      return new Flag(name, "LIST", fallback, choices, help);
    }

    boolean isSwitch() {
      return value == null;
    }

    String usage() {
      String choiceText = choices.isEmpty() ? "" : " (comma-separated: " + String.join(", ", choices) + ")";
      String fallbackText = fallback == null ? "" : " (default " + fallback + ")";
      return String.format("      --%-30s %s%s%s", name + (isSwitch() ? "" : " " + value), help, choiceText,
          fallbackText);
    }
  }

  /** The values of one check's declared flags, each read through its {@link Flag}. */
  static final class Values {
    private final Args args;

    Values(Args args) {
      this.args = args;
    }

    String string(Flag f) {
      return optional(f).orElseThrow(() -> new CliUsageException("missing required flag --" + f.name()));
    }

    Optional<String> optional(Flag f) {
      return args.string(f.name()).or(() -> Optional.ofNullable(f.fallback()));
    }

    boolean on(Flag f) {
      return args.flag(f.name());
    }

    int integer(Flag f) {
      return args.intValue(f.name(), Integer.parseInt(f.fallback()));
    }

    /** The comma-separated items of a list flag, each one of its choices; empty when neither given nor defaulted. */
    List<String> list(Flag f) {
      Optional<String> raw = optional(f);
      if (raw.isEmpty()) {
        return List.of();
      }
      List<String> items = Arrays.stream(raw.get().split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
      for (String item : items) {
        if (!f.choices().contains(item)) {
          throw new CliUsageException("--" + f.name() + ": unknown value '" + item + "'; expected some of "
              + String.join(", ", f.choices()));
        }
      }
      return items;
    }
  }

  /** How a check runs once its flags are read; returns the exit code. */
  interface Body {
    int run(Values values, PrintStream out, PrintStream err) throws Exception;
  }

  /** One check: the word after {@code sapling check}, one line for the list, its flags and its body. */
  record Check(String name, String summary, List<Flag> flags, Body body) {}

  private static final Flag DEVICE = Flag.value("device", "cpu|gpu|auto", "gpu",
      "the device; gpu never falls back to the CPU");

  /** Every check, in the order {@code --help} lists them. Add a new check here. */
  static List<Check> checks() {
    Flag bench = Flag.onOff("bench", "then time op overhead, copies, a BF16 4096^3 matMul and 1B-shaped decode");
    Flag profile = Flag.value("profile", "TRACE.json", null,
        "write PyTorch traces of four 1B-shaped decode steps (one file per variant)");
    Flag profileScore = Flag.value("profile-score", "TRACE.json", null, "time 1B-shaped scoring, trace one run");
    Flag profileGenerate = Flag.value("profile-generate", "TRACE.json", null,
        "time 1B-shaped batch-1 sampling, trace one run");
    Flag dtypes = Flag.list("dtypes", List.of("float32", "bfloat16", "f32", "bf16"), null,
        "compute types; default float32 and bfloat16 on a GPU, float32 on the CPU");
    Flag only = Flag.list("only", GpuFixtureCheck.SECTIONS, String.join(",", GpuFixtureCheck.SECTIONS),
        "the sections to run");
    Flag steps = Flag.value("steps", "N", "30", "timed steps per cell");
    return List.of(
        new Check("smoke", "the engine on Sapling's bridge, BF16, the forward pass and CUDA-graph decode: device "
            + "vs CPU (GpuSmoke)", List.of(DEVICE, bench, profile, profileScore, profileGenerate),
            (v, out, err) -> GpuSmoke.run(new GpuSmoke.Options(v.string(DEVICE), v.on(bench), v.optional(profile),
                v.optional(profileScore), v.optional(profileGenerate)), out)),
        new Check("fixtures", "parity fixtures, the llama2.c oracle, generation and scoring, memory flatness and "
            + "the decode kernels on a device (GpuFixtureCheck; run from the repository root)",
            List.of(DEVICE, dtypes, only),
            (v, out, err) -> GpuFixtureCheck.run(new GpuFixtureCheck.Options(v.string(DEVICE), v.list(dtypes),
                v.list(only)), out)),
        new Check("adamw", "the fused AdamW update against the composed one (AdamWParityCheck)", List.of(DEVICE),
            (v, out, err) -> AdamWParityCheck.checkAll(v.string(DEVICE), out)),
        new Check("sampling", "time of one step's token choice, host vs composed vs native, and their agreement "
            + "(SamplingBench)", List.of(DEVICE, steps),
            (v, out, err) -> SamplingBench.run(v.string(DEVICE), v.integer(steps), out, err)));
  }

  @Override
  public String name() {
    return "check";
  }

  @Override
  public String summary() {
    return "run a device check or benchmark (smoke, fixtures, adamw, sampling)";
  }

  @Override
  public String usage() {
    List<String> lines = new ArrayList<>(List.of("usage: sapling check NAME [flags]",
        "  Checks and benchmarks for a device; stdout gets one PASS/FAIL line per check (or a table), the exit code "
            + "is 1 on a failure."));
    for (Check c : checks()) {
      lines.add("  " + c.name() + ": " + c.summary());
      c.flags().forEach(f -> lines.add(f.usage()));
    }
    return String.join("\n", lines);
  }

  /** Every switch of every check: {@link Args#parse} must know them before the check is known. */
  @Override
  public Set<String> switches() {
    Set<String> out = new LinkedHashSet<>();
    checks().forEach(c -> c.flags().stream().filter(Flag::isSwitch).map(Flag::name).forEach(out::add));
    return out;
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    Map<String, Check> byName = new LinkedHashMap<>();
    checks().forEach(c -> byName.put(c.name(), c));
    if (args.positional().size() != 1) {
      throw new CliUsageException("expected one check name (" + String.join(", ", byName.keySet()) + "); got "
          + args.positional());
    }
    Check check = byName.get(args.positional().get(0));
    if (check == null) {
      throw new CliUsageException("unknown check '" + args.positional().get(0) + "'; known: "
          + String.join(", ", byName.keySet()));
    }
    Values values = new Values(args);
    check.flags().forEach(f -> args.string(f.name())); // every declared flag is known to this check, no other
    args.requireAllKnown();
    return check.body().run(values, out, err);
  }
}
