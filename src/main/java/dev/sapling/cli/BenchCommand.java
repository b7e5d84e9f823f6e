package dev.sapling.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sapling.model.Architecture;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.RandomWeightSource;
import dev.sapling.model.RopeScaling;
import dev.sapling.model.Transformer;
import dev.sapling.model.WeightsBuilder;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.IdTokenizer;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.ThroughputBenchmark;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code sapling bench}: tokens per second of sampling and scoring on the CPU at several batch sizes, for
 * random-init models of two Llama shapes: {@code stories260k} (the embedded model's shape: dim 64, 5 layers, 8 heads
 * over 4 KV heads, vocab 512) and {@code llama-100m} (hidden 768, 10 layers, 12 heads, FFN 2048, vocab 32000, tied;
 * 95M parameters), or for a checkpoint given with {@code --model}. Throughput does not depend on the weights' values,
 * and EOS is disabled, so every row runs the full length. The method is {@link ThroughputBenchmark}'s. Prints a
 * Markdown table to stdout; progress to stderr.
 *
 * <pre>{@code
 * ./sapling bench --shape stories260k --shape llama-100m --batches 1,8,32 --prompt-tokens 32 --new-tokens 64
 * ./sapling bench --model models/stories260K/stories260K.gguf --shape llama-100m
 * }</pre>
 */
public final class BenchCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "measure sampling and scoring tokens/s at several batch sizes";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: sapling bench [--model PATH [--device cpu|gpu]] [--shape stories260k|llama-100m]...",
        "                     [--batches 1,8,32] [--prompt-tokens 32] [--new-tokens 64] [--repeats 3]",
        "  --model: a loaded checkpoint; --shape: random-init models of that shape on the CPU (float32).",
        "  Default: both shapes. EOS is disabled, so every row runs the full length.",
        "  Set libtorch's threads with SAPLING_JAVA_OPTS=-Dai.djl.pytorch.num_threads=N.");
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) {
    List<String> shapes = args.strings("shape");
    boolean loaded = args.string("model").isPresent();
    if (shapes.isEmpty() && !loaded) {
      shapes = List.of("stories260k", "llama-100m");
    }
    int[] batches = args.string("batches").isPresent() ? args.intList("batches") : new int[] {1, 8, 32};
    int promptTokens = args.intValue("prompt-tokens", 32);
    int newTokens = args.intValue("new-tokens", 64);
    int repeats = args.intValue("repeats", 3);
    if (!loaded) {
      args.requireAllKnown(); // with --model, checked after ModelArgs has read its flags
    }
    for (String s : shapes) {
      config(s); // fail on a typo before any long run
    }
    if (promptTokens < 1 || newTokens < 1 || repeats < 1 || Arrays.stream(batches).anyMatch(b -> b < 1)) {
      throw new CliUsageException("--prompt-tokens, --new-tokens, --repeats and every --batches entry must be >= 1");
    }
    ThroughputBenchmark bench = new ThroughputBenchmark(promptTokens, newTokens, repeats);
    out.println("| model | parameters | task | batch | tokens/s | tokens/CPU-s |");
    out.println("| --- | ---: | --- | ---: | ---: | ---: |");
    if (loaded) {
      try (LoadedModel model = ModelArgs.load(args, err)) {
        args.requireAllKnown();
        String name = java.nio.file.Path.of(model.manifest().path()).getFileName().toString();
        report(out, err, name, model.config(), bench, model.transformer(), model.tokenizer(), batches);
      }
    }
    for (String shape : shapes) {
      ModelConfig config = config(shape);
      try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
        Transformer model = new Transformer(config,
            new WeightsBuilder(config, new RandomWeightSource(config, 0), manager, DataType.FLOAT32).build());
        report(out, err, shape + " (random init)", config, bench, model, new IdTokenizer(config.vocabSize()), batches);
      }
    }
    return 0;
  }

  private static void report(PrintStream out, PrintStream err, String name, ModelConfig config,
      ThroughputBenchmark bench, Transformer model, Tokenizer tokenizer, int[] batches) {
    double millions = new RandomWeightSource(config, 0).parameterCount() / 1e6; // counts shapes; draws nothing
    err.printf("bench: %s, %.1fM parameters, batches %s%n", name, millions, Arrays.toString(batches));
    for (ThroughputBenchmark.Result r : bench.run(model, tokenizer, batches, err)) {
      out.printf("| %s | %.1fM | %s | %d | %.1f | %.1f |%n", name, millions, r.task(), r.batch(), r.tokensPerSecond(),
          r.tokensPerCpuSecond());
    }
  }

  /** The model shapes this command knows. */
  static ModelConfig config(String shape) {
    switch (shape) {
      case "stories260k":
        return new ModelConfig(Architecture.LLAMA, 512, 64, 172, 5, 8, 4, 8, 1e-5, 10000.0, RopeScaling.none(), 512,
            true, false, false, 0, OptionalInt.of(1), List.of(2));
      case "llama-100m":
        return new ModelConfig(Architecture.LLAMA, 32000, 768, 2048, 10, 12, 12, 64, 1e-5, 10000.0,
            RopeScaling.none(), 2048, true, false, false, 0, OptionalInt.of(1), List.of(2));
      default:
        throw new CliUsageException("--shape '" + shape + "' is unknown; expected stories260k or llama-100m");
    }
  }
}
