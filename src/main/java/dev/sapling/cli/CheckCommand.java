package dev.sapling.cli;

import dev.sapling.check.AdamWParityCheck;
import dev.sapling.check.GpuFixtureCheck;
import dev.sapling.check.GpuSmoke;
import dev.sapling.check.SamplingBench;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code sapling check NAME [flags]}: runs one of the device checks and benchmarks of {@code dev.sapling.check}
 * (the GPU bundle has no test classpath, so these are how a GPU host runs the assertions of the unit tests). Each
 * check is a subcommand declaring its flags once, in {@link #checks()}: parsing, {@code --help} and every usage error
 * come from that declaration. A check prints its PASS/FAIL lines (or its table) to stdout and exits 1 when a check
 * fails.
 *
 * <pre>{@code
 * ./sapling check smoke --device gpu --bench
 * ./sapling check fixtures --device cpu --only runtime,memory
 * }</pre>
 */
public final class CheckCommand extends Command {
  /** How a check runs once its flags are read; returns the exit code. */
  interface Body {
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
  }

  /** One check: the word after {@code sapling check}, one line for the list, its flags and its body. */
  record Check(String name, String summary, Flags flags, Body body) {}

  /** The shared --device, defaulting to the GPU: these checks exist for a device. */
  private static final Flags.Group DEVICE = ModelArgs.GROUP.only(ModelArgs.DEVICE).defaulting(ModelArgs.DEVICE, "gpu");
  private static final Flag<Boolean> BENCH = Flag.toggle("bench",
      "then time op overhead, copies, a BF16 4096^3 matMul and 1B-shaped decode");
  private static final Flag<String> PROFILE = Flag.of("profile", "TRACE.json", Flag.Type.TEXT,
      "write PyTorch traces of four 1B-shaped decode steps (one file per variant)");
  private static final Flag<String> PROFILE_SCORE = Flag.of("profile-score", "TRACE.json", Flag.Type.TEXT,
      "time 1B-shaped scoring, trace one run");
  private static final Flag<String> PROFILE_GENERATE = Flag.of("profile-generate", "TRACE.json", Flag.Type.TEXT,
      "time 1B-shaped batch-1 sampling, trace one run");
  private static final Flag<List<String>> DTYPES = Flag.of("dtypes", "LIST",
      Flag.Type.someOf(List.of("float32", "bfloat16", "f32", "bf16")),
      "compute types; default float32 and bfloat16 on a GPU, float32 on the CPU");
  private static final Flag<Integer> STEPS = Flag.of("steps", "N", Flag.Type.INT.atLeast(1), "timed steps per cell")
      .withDefault(30);

  /**
   * The checks and their declaration, built when {@code check} runs, not when {@code ./sapling --help} lists the
   * commands: a check class's static state (a JSON mapper, fixtures' paths) would otherwise load with every command.
   */
  private static final class Declared {
    static final Flag<List<String>> ONLY = Flag.of("only", "LIST", Flag.Type.someOf(GpuFixtureCheck.SECTIONS),
        "the sections to run").withDefault(GpuFixtureCheck.SECTIONS);

    /** Every check, in the order {@code --help} lists them. Add a new check here. */
    static final List<Check> CHECKS = List.of(
        new Check("smoke", "the engine on Sapling's bridge, BF16, the forward pass and CUDA-graph decode: device "
            + "vs CPU (GpuSmoke)", Flags.of(BENCH, PROFILE, PROFILE_SCORE, PROFILE_GENERATE).with(DEVICE),
            (a, out, err) -> GpuSmoke.run(new GpuSmoke.Options(a.get(ModelArgs.DEVICE), a.get(BENCH),
                a.optional(PROFILE), a.optional(PROFILE_SCORE), a.optional(PROFILE_GENERATE)), out)),
        new Check("fixtures", "parity fixtures, the llama2.c oracle, generation and scoring, memory flatness and "
            + "the decode kernels on a device (GpuFixtureCheck; run from the repository root)",
            Flags.of(DTYPES, ONLY).with(DEVICE),
            (a, out, err) -> GpuFixtureCheck.run(new GpuFixtureCheck.Options(a.get(ModelArgs.DEVICE),
                a.optional(DTYPES).orElse(List.of()), a.get(ONLY)), out)),
        new Check("adamw", "the fused AdamW update against the composed one (AdamWParityCheck)",
            Flags.of().with(DEVICE),
            (a, out, err) -> AdamWParityCheck.checkAll(a.get(ModelArgs.DEVICE), out)),
        new Check("sampling", "time of one step's token choice, host vs composed vs native, and their agreement "
            + "(SamplingBench)", Flags.of(STEPS).with(DEVICE),
            (a, out, err) -> SamplingBench.run(a.get(ModelArgs.DEVICE), a.get(STEPS), out, err)));

    static final Flags FLAGS = Flags.ofSubcommands("check",
            CHECKS.stream().map(c -> new Flags.Subcommand(c.name(), c.summary(), c.flags())).toList())
        .withNotes("Checks and benchmarks for a device; stdout gets one PASS/FAIL line per check (or a table), the "
            + "exit code is 1 on a failure.");
  }

  /** Every check, in the order {@code --help} lists them. */
  static List<Check> checks() {
    return Declared.CHECKS;
  }

  CheckCommand() {
    super();
  }

  @Override
  public Flags flags() {
    return Declared.FLAGS;
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    for (Check c : checks()) {
      if (c.name().equals(args.subcommand())) {
        return c.body().run(args, out, err);
      }
    }
    throw new IllegalStateException("no check '" + args.subcommand() + "'; parse against CheckCommand.FLAGS first");
  }
}
