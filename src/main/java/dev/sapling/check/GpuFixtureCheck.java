package dev.sapling.check;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.model.TensorOps;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.device.DeviceSelector;
import dev.sapling.runtime.device.FusedOps;
import dev.sapling.runtime.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The foundation's correctness fixtures on a device, for hosts where the JUnit suite cannot run (the GPU bundle has no
 * test classpath): the transformers float64 reference logits of {@code src/test/resources/dev/sapling/parity}
 * (F32 within 1e-4; BF16 within a relative L2 of 0.03 and the same argmax at ≥ 90% of positions) and the llama2.c
 * greedy oracle of stories260K, byte for byte ({@code fixtures}); generation and scoring against full forwards on
 * stories260K and qwen2-tiny ({@code runtime}, {@link RuntimeChecks}); memory flatness over thousands of decode steps
 * and completions ({@code memory}, {@link MemoryChecks}); Sapling's small-batch decode kernels against the ATen ops
 * they replace ({@code kernels}, {@link DecodeKernelChecks}; a CPU build has none). On a GPU each runs in F32 and BF16, on the CPU in F32 unless
 * {@code --dtypes} says otherwise. The model runs on {@link FusedOps} wherever Sapling's bridge is loaded (also on
 * the CPU, as in CI through {@code scripts/cpu-bridge.sh}), else on composed DJL ops. Prints one PASS/FAIL line per check and exits non-zero if any fails.
 *
 * <pre>
 * java -cp 'sapling.jar:lib/*' dev.sapling.runtime.device.GpuFixtureCheck --device gpu   # from the repository root
 * java -cp 'sapling.jar:lib/*' dev.sapling.runtime.device.GpuFixtureCheck --device cpu --only runtime --dtypes bf16
 * </pre>
 */
public final class GpuFixtureCheck {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Path PARITY = Path.of("src/test/resources/dev/sapling/parity");
  private static final Path STORIES = Path.of("models/stories260K/stories260K.gguf");

  private static final List<String> SECTIONS = List.of("kernels", "fixtures", "runtime", "memory");
  private static final String USAGE = "usage: GpuFixtureCheck [--device gpu|cpu|auto] [--dtypes float32,bfloat16] "
      + "[--only kernels,fixtures,runtime,memory]";

  private GpuFixtureCheck() {}

  public static void main(String[] args) throws Exception {
    String deviceFlag = "gpu";
    String dtypesFlag = null;
    Set<String> sections = new LinkedHashSet<>(SECTIONS);
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--device" -> deviceFlag = value;
        case "--dtypes" -> dtypesFlag = value;
        case "--only" -> sections = new LinkedHashSet<>(Arrays.asList(value.split(",")));
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
      }
    }
    if (!SECTIONS.containsAll(sections)) {
      throw new IllegalArgumentException("--only " + sections + ": expected some of " + SECTIONS + "; " + USAGE);
    }
    Device device = DeviceSelector.standard().select(deviceFlag);
    Optional<TensorOps> fused = FusedOps.load(); // the bridge's natives, also on the CPU where it is loaded
    TensorOps kernels = fused.orElse(TensorOps.composed());
    List<DataType> dtypes = dtypesFlag != null ? Arrays.stream(dtypesFlag.split(",")).map(GpuFixtureCheck::dtype)
        .toList() : device.isGpu() ? List.of(DataType.FLOAT32, DataType.BFLOAT16) : List.of(DataType.FLOAT32);
    System.out.println("GpuFixtureCheck on " + device + ", " + dtypes + ", " + kernels.getClass().getSimpleName()
        + ", checks " + sections);
    CheckLog log = new CheckLog(System.out);
    long start = System.nanoTime();
    if (System.getenv("SAPLING_REQUIRE_BRIDGE") != null) {
      log.report(fused.isPresent(), "Sapling bridge loaded (SAPLING_REQUIRE_BRIDGE is set)",
          "engine features " + JniUtils.getFeatures());
    }
    if (sections.contains("kernels") && fused.isPresent()) {
      new DecodeKernelChecks(fused.get(), device, log).runAll();
    }
    for (DataType dtype : dtypes) {
      LoadOptions options = LoadOptions.defaults().withDevice(device).withComputeType(dtype).withOps(kernels);
      if (sections.contains("fixtures")) {
        check(log, options, PARITY.resolve("qwen2-tiny"), "qwen2-tiny.logits.json");
        check(log, options, PARITY.resolve("llama3-tiny"), "llama3-tiny.logits.json");
        check(log, options, STORIES, "stories260K-hf.logits.json");
        if (dtype == DataType.FLOAT32) {
          greedyOracle(log, options);
        }
      }
      for (Path model : List.of(STORIES, PARITY.resolve("qwen2-tiny"))) {
        if (sections.contains("runtime") || sections.contains("memory") && model == STORIES) {
          try (LoadedModel loaded = new CleanModelLoader(options).load(model)) {
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
    System.out.printf("%s in %.1f s%n", log.failures().isEmpty() ? "ALL PASS" : "FAILED: " + log.failures(),
        (System.nanoTime() - start) / 1e9);
    System.exit(log.failures().isEmpty() ? 0 : 1);
  }

  private static void greedyOracle(CheckLog log, LoadOptions options) throws Exception {
    try (LoadedModel model = new CleanModelLoader(options).load(STORIES)) {
      String text = Generator.of(model)
          .generate(List.of(""), SamplingParams.greedy().withMaxNewTokens(200)).get(0).text();
      boolean ok = text.equals(expectedGreedyText());
      log.report(ok, "stories260K greedy 200 tokens on " + options.device() + " equals llama2.c", ok ? "identical"
          : "differs at char " + firstDifference(text, expectedGreedyText()));
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
    JsonNode ref = MAPPER.readTree(PARITY.resolve(fixture).toFile());
    int[] ids = MAPPER.convertValue(ref.get("ids"), int[].class);
    try (LoadedModel loaded = new CleanModelLoader(options).load(model)) {
      float[] ours = loaded.logits(ids, true);
      int vocab = loaded.config().vocabSize();
      double maxDiff = 0;
      double diffSq = 0;
      double refSq = 0;
      int sameArgmax = 0;
      for (int pos = 0; pos < ids.length; pos++) {
        JsonNode row = ref.get("logits").get(pos);
        int ourBest = 0;
        int refBest = 0;
        for (int v = 0; v < vocab; v++) {
          double r = row.get(v).asDouble();
          double d = ours[pos * vocab + v] - r;
          maxDiff = Math.max(maxDiff, Math.abs(d));
          diffSq += d * d;
          refSq += r * r;
          ourBest = ours[pos * vocab + v] > ours[pos * vocab + ourBest] ? v : ourBest;
          refBest = r > row.get(refBest).asDouble() ? v : refBest;
        }
        sameArgmax += ourBest == refBest ? 1 : 0;
      }
      double relL2 = Math.sqrt(diffSq / refSq);
      boolean f32 = options.computeType().orElseThrow() == DataType.FLOAT32;
      boolean ok = f32 ? maxDiff <= 1e-4 : relL2 <= 0.03 && sameArgmax >= 0.9 * ids.length;
      log.report(ok, fixture.replace(".logits.json", "") + " " + options.computeType().orElseThrow() + " on "
          + options.device(), String.format("max abs diff %.3g, rel L2 %.3g, argmax %d/%d", maxDiff, relL2,
          sameArgmax, ids.length));
    }
  }

  private static String expectedGreedyText() throws Exception {
    for (JsonNode c : MAPPER.readTree(Path.of("models/stories260K/llama2c-expected-outputs.json").toFile())
        .get("cases")) {
      if (c.get("args_llama2zig").asText().startsWith("--temperature 0")) {
        return c.get("expected_text").asText();
      }
    }
    throw new IllegalStateException("no temperature-0 case in llama2c-expected-outputs.json");
  }

  private static int firstDifference(String a, String b) {
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }
}
