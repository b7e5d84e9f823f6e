package dev.sapling.check;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.model.TensorOps;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.device.DeviceSelector;
import dev.sapling.model.FusedOps;
import dev.sapling.runtime.sampling.SamplingParams;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The foundation's correctness fixtures on a device, for hosts where the JUnit suite cannot run (the GPU bundle has no
 * test classpath): the transformers float64 reference logits of {@code src/test/resources/dev/sapling/parity}
 * ({@link ParityFixtures}: F32 within 1e-4; BF16 within a relative L2 of 0.03 and the same argmax at ≥ 90% of
 * positions) and the llama2.c greedy oracle of stories260K, byte for byte ({@code fixtures}); generation and scoring
 * against full forwards on stories260K and qwen2-tiny ({@code runtime}, {@link RuntimeChecks}); memory flatness over
 * thousands of decode steps and completions ({@code memory}, {@link MemoryChecks}); Sapling's small-batch decode
 * kernels against the ATen ops they replace ({@code kernels}, {@link DecodeKernelChecks}; a CPU build has none). On a
 * GPU each runs in F32 and BF16, on the CPU in F32 unless {@code --dtypes} says otherwise. The model runs on
 * {@link FusedOps} wherever Sapling's bridge is loaded (also on the CPU, as in CI through
 * {@code scripts/cpu-bridge.sh}), else on composed DJL ops. Prints one PASS/FAIL line per check and exits non-zero
 * if any fails.
 *
 * <pre>
 * ./sapling check fixtures --device gpu   # from the repository root
 * ./sapling check fixtures --device cpu --only runtime --dtypes bf16
 * </pre>
 */
public final class GpuFixtureCheck {
  private static final Path PARITY = ParityFixtures.DIR;
  private static final Path STORIES = ParityFixtures.STORIES;

  /** The sections {@code --only} picks from, in the order they run. */
  public static final List<String> SECTIONS = List.of("kernels", "fixtures", "runtime", "memory");

  private GpuFixtureCheck() {}

  /**
   * Which checks run where.
   *
   * @param device {@code cpu}, {@code gpu} or {@code auto}, as {@link DeviceSelector} reads it
   * @param dtypes compute types ({@code float32}/{@code f32}, {@code bfloat16}/{@code bf16}); empty: float32 and
   *     bfloat16 on a GPU, float32 on the CPU
   * @param sections some of {@link #SECTIONS}
   */
  public record Options(String device, List<String> dtypes, List<String> sections) {
    public Options {
      if (!SECTIONS.containsAll(sections)) {
        throw new IllegalArgumentException("--only " + sections + ": expected some of " + SECTIONS);
      }
      dtypes = List.copyOf(dtypes);
      sections = List.copyOf(sections);
    }
  }

  /** Runs the chosen sections, one PASS/FAIL line per check on {@code out}; returns the exit code, 1 on a failure. */
  public static int run(Options options, PrintStream out) throws Exception {
    Set<String> sections = new LinkedHashSet<>(options.sections());
    Device device = DeviceSelector.standard().select(options.device());
    Optional<TensorOps> fused = FusedOps.load(); // the bridge's natives, also on the CPU where it is loaded
    TensorOps kernels = fused.orElse(TensorOps.composed());
    List<DataType> dtypes = !options.dtypes().isEmpty() ? options.dtypes().stream().map(GpuFixtureCheck::dtype)
        .toList() : device.isGpu() ? List.of(DataType.FLOAT32, DataType.BFLOAT16) : List.of(DataType.FLOAT32);
    out.println("GpuFixtureCheck on " + device + ", " + dtypes + ", " + kernels.getClass().getSimpleName()
        + ", checks " + sections);
    CheckLog log = new CheckLog(out);
    long start = System.nanoTime();
    if (System.getenv("SAPLING_REQUIRE_BRIDGE") != null) {
      log.report(fused.isPresent(), "Sapling bridge loaded (SAPLING_REQUIRE_BRIDGE is set)",
          "engine features " + JniUtils.getFeatures());
    }
    if (sections.contains("kernels") && fused.isPresent()) {
      new DecodeKernelChecks(fused.get(), device, log).runAll();
    }
    for (DataType dtype : dtypes) {
      LoadOptions loadOptions = LoadOptions.defaults().withDevice(device).withComputeType(dtype).withOps(kernels);
      if (sections.contains("fixtures")) {
        check(log, loadOptions, PARITY.resolve("qwen2-tiny"), "qwen2-tiny.logits.json");
        check(log, loadOptions, PARITY.resolve("llama3-tiny"), "llama3-tiny.logits.json");
        check(log, loadOptions, STORIES, "stories260K-hf.logits.json");
        if (dtype == DataType.FLOAT32) {
          greedyOracle(log, loadOptions);
        }
      }
      for (Path model : List.of(STORIES, PARITY.resolve("qwen2-tiny"))) {
        if (sections.contains("runtime") || sections.contains("memory") && model == STORIES) {
          try (LoadedModel loaded = new CleanModelLoader(loadOptions).load(model)) {
            String name = model == STORIES ? "stories260K" : model.getFileName().toString();
            if (sections.contains("runtime")) {
              new RuntimeChecks(loaded, name, log).runAll();
            }
            if (sections.contains("memory") && model == STORIES) {
              new MemoryChecks(loaded, name, log).runAll();
            }
          }
        }
      }
    }
    out.printf("%s in %.1f s%n", log.failures().isEmpty() ? "ALL PASS" : "FAILED: " + log.failures(),
        (System.nanoTime() - start) / 1e9);
    return log.failures().isEmpty() ? 0 : 1;
  }

  private static void greedyOracle(CheckLog log, LoadOptions options) throws Exception {
    try (LoadedModel model = new CleanModelLoader(options).load(STORIES)) {
      String text = Generator.of(model)
          .generate(List.of(""), SamplingParams.greedy().withMaxNewTokens(200)).get(0).text();
      String expected = ParityFixtures.llama2cGreedyText();
      boolean ok = text.equals(expected);
      log.report(ok, "stories260K greedy 200 tokens on " + options.device() + " equals llama2.c", ok ? "identical"
          : "differs at char " + firstDifference(text, expected));
    }
  }

  private static DataType dtype(String name) {
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "float32", "f32" -> DataType.FLOAT32;
      case "bfloat16", "bf16" -> DataType.BFLOAT16;
      default -> throw new IllegalArgumentException("--dtypes: unknown compute type '" + name
          + "'; expected float32 or bfloat16");
    };
  }

  private static void check(CheckLog log, LoadOptions options, Path model, String fixture) throws Exception {
    try (LoadedModel loaded = new CleanModelLoader(options).load(model)) {
      ParityFixtures.LogitParity parity = ParityFixtures.compare(loaded, fixture);
      DataType dtype = options.computeType().orElseThrow();
      log.report(parity.passes(dtype), fixture.replace(".logits.json", "") + " " + dtype + " on " + options.device(),
          parity.toString());
    }
  }

  private static int firstDifference(String a, String b) {
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }
}
