package dev.sapling.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sapling.check.ThroughputBenchmark;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.ModelShapes;
import dev.sapling.model.RandomWeightSource;
import dev.sapling.model.Transformer;
import dev.sapling.model.WeightsBuilder;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.IdTokenizer;
import dev.sapling.model.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
 * ./sapling bench --model DIR --device gpu --batches 1,32,64 --prompt-tokens 128 --new-tokens 256 \
 *     --score-batch 32 --score-tokens 512 --json
 * }</pre>
 *
 * <p>With {@code --score-batch B --score-tokens L}, scoring runs once, at B rows of L tokens (one context id and
 * L - 1 scored ids), instead of at every sampling batch. {@code --greedy} decodes greedily instead of sampling at
 * temperature 1. {@code --json} prints one JSON object per result line
 * instead of the table.
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
        "                     [--score-batch B --score-tokens L] [--greedy] [--json]",
        "  --model: a loaded checkpoint; --shape: random-init models of that shape on the CPU (float32).",
        "  Default: both shapes. EOS is disabled, so every row runs the full length.",
        "  --score-batch/--score-tokens: score once, B rows of L tokens (1 context + L-1 scored), not at every batch.",
        "  --greedy: decode greedily (temperature 0; task 'greedy') instead of sampling at temperature 1.",
        "  --json: one JSON object per result (model, task, batch, tokens, seconds, tokens_per_s) instead of the table.",
        "  Set libtorch's threads with SAPLING_JAVA_OPTS=-Dai.djl.pytorch.num_threads=N.");
  }

  @Override
  public Set<String> switches() {
    return Set.of("json", "greedy");
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
    int scoreBatch = args.intValue("score-batch", 0);
    int scoreTokens = args.intValue("score-tokens", 0);
    boolean json = args.flag("json");
    boolean greedy = args.flag("greedy");
    if ((scoreBatch > 0) != (scoreTokens > 0) || scoreBatch < 0 || scoreTokens == 1 || scoreTokens < 0) {
      throw new CliUsageException("--score-batch and --score-tokens go together: a batch >= 1 and a length >= 2");
    }
    if (!loaded) {
      args.requireAllKnown(); // with --model, checked after ModelArgs has read its flags
    }
    for (String s : shapes) {
      config(s); // fail on a typo before any long run
    }
    if (promptTokens < 1 || newTokens < 1 || repeats < 1 || Arrays.stream(batches).anyMatch(b -> b < 1)) {
      throw new CliUsageException("--prompt-tokens, --new-tokens, --repeats and every --batches entry must be >= 1");
    }
    ThroughputBenchmark bench = new ThroughputBenchmark(promptTokens, newTokens, repeats, greedy);
    Plan plan = new Plan(bench, batches, scoreBatch, scoreTokens, json);
    if (!json) {
      out.println("| model | parameters | task | batch | tokens/s | tokens/CPU-s |");
      out.println("| --- | ---: | --- | ---: | ---: | ---: |");
    }
    if (loaded) {
      try (LoadedModel model = ModelArgs.load(args, err)) {
        args.requireAllKnown();
        String name = java.nio.file.Path.of(model.manifest().path()).getFileName().toString();
        report(out, err, name, model.config(), plan, model.transformer(), model.tokenizer());
      }
    }
    for (String shape : shapes) {
      ModelConfig config = config(shape);
      try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
        Transformer model = new Transformer(config,
            new WeightsBuilder(config, new RandomWeightSource(config, 0), manager, DataType.FLOAT32).build());
        report(out, err, shape + " (random init)", config, plan, model, new IdTokenizer(config.vocabSize()));
      }
    }
    return 0;
  }

  /** What to measure and how to print it. */
  private record Plan(ThroughputBenchmark bench, int[] batches, int scoreBatch, int scoreTokens, boolean json) {}

  private static void report(PrintStream out, PrintStream err, String name, ModelConfig config, Plan plan,
      Transformer model, Tokenizer tokenizer) {
    double millions = new RandomWeightSource(config, 0).parameterCount() / 1e6; // counts shapes; draws nothing
    err.printf("bench: %s, %.1fM parameters, batches %s%n", name, millions, Arrays.toString(plan.batches()));
    List<ThroughputBenchmark.Result> results;
    if (plan.scoreBatch() > 0) {
      results = new ArrayList<>();
      for (int batch : plan.batches()) {
        results.add(plan.bench().sample(model, tokenizer, batch, err));
      }
      results.add(plan.bench().score(model, tokenizer, plan.scoreBatch(), 1, plan.scoreTokens() - 1, err));
    } else {
      results = plan.bench().run(model, tokenizer, plan.batches(), err);
    }
    for (ThroughputBenchmark.Result r : results) {
      if (plan.json()) {
        out.printf(Locale.ROOT, "{\"model\": \"%s\", \"parameters\": %d, \"task\": \"%s\", \"batch\": %d, "
            + "\"tokens\": %d, \"seconds\": %.6f, \"tokens_per_s\": %.3f, \"dtype\": \"%s\"}%n",
            name.replace("\\", "\\\\").replace("\"", "\\\""), Math.round(millions * 1e6), r.task(), r.batch(),
            r.tokens(), r.medianNanos() / 1e9, r.tokensPerSecond(), model.computeType());
      } else {
        out.printf("| %s | %.1fM | %s | %d | %.1f | %.1f |%n", name, millions, r.task(), r.batch(),
            r.tokensPerSecond(), r.tokensPerCpuSecond());
      }
    }
  }

  /** The model shapes this command knows. */
  static ModelConfig config(String shape) {
    return switch (shape) {
      case "stories260k" -> ModelShapes.STORIES_260K;
      case "llama-100m" -> ModelShapes.LLAMA_100M;
      default -> throw new CliUsageException("--shape '" + shape + "' is unknown; expected stories260k or llama-100m");
    };
  }
}
