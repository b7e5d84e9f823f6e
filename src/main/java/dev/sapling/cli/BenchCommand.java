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
public final class BenchCommand extends Command {
  static final Flag<List<String>> SHAPE = Flag.of("shape", "NAME", Flag.Type.oneOf("stories260k", "llama-100m"),
      "a random-init model of this shape on the CPU, float32 (default: both, unless --model is given)").repeatable();
  static final Flag<int[]> BATCHES = Flag.of("batches", "LIST",
      Flag.Type.INT_LIST.atLeast(1),
      "sampling batch sizes").withDefault(new int[] {1, 8, 32});
  static final Flag<Integer> PROMPT_TOKENS = Flag.of("prompt-tokens", "N", Flag.Type.INT.atLeast(1),
      "prompt length").withDefault(32);
  static final Flag<Integer> NEW_TOKENS = Flag.of("new-tokens", "N", Flag.Type.INT.atLeast(1),
      "tokens generated per row").withDefault(64);
  static final Flag<Integer> REPEATS = Flag.of("repeats", "N", Flag.Type.INT.atLeast(1),
      "timed runs per cell (the median is reported)").withDefault(3);
  static final Flag<Integer> SCORE_BATCH = Flag.of("score-batch", "B", Flag.Type.INT.atLeast(0),
      "with --score-tokens: score once, B rows, instead of at every sampling batch; 0 = off").withDefault(0);
  static final Flag<Integer> SCORE_TOKENS = Flag.of("score-tokens", "L", Flag.Type.INT.atLeast(0),
      "with --score-batch: rows of L tokens (1 context + L-1 scored), L >= 2; 0 = off").withDefault(0);
  static final Flags FLAGS = Flags.of(SHAPE, BATCHES, PROMPT_TOKENS, NEW_TOKENS, REPEATS, SCORE_BATCH, SCORE_TOKENS)
      .with(ModelArgs.GROUP.optional(ModelArgs.MODEL), SamplingArgs.GROUP.only(SamplingArgs.GREEDY),
          OutputArgs.GROUP.only(OutputArgs.JSON))
      .withNotes("--model: a loaded checkpoint (--device applies to it); --shape: random-init models. EOS is "
          + "disabled, so every row runs the full length. Sampling is at temperature 1 (task 'sample'), or greedy "
          + "(task 'greedy') with --greedy.\n"
          + "With --json: one JSON object per result (model, parameters, task, batch, tokens, seconds, tokens_per_s, "
          + "dtype) instead of the table.\n"
          + "Set libtorch's threads with SAPLING_JAVA_OPTS=-Dai.djl.pytorch.num_threads=N.");

  BenchCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) {
    List<String> shapes = args.get(SHAPE);
    boolean loaded = args.has(ModelArgs.MODEL);
    if (shapes.isEmpty() && !loaded) {
      shapes = List.of("stories260k", "llama-100m");
    }
    int[] batches = args.get(BATCHES);
    int promptTokens = args.get(PROMPT_TOKENS);
    int newTokens = args.get(NEW_TOKENS);
    int repeats = args.get(REPEATS);
    int scoreBatch = args.get(SCORE_BATCH);
    int scoreTokens = args.get(SCORE_TOKENS);
    boolean json = args.get(OutputArgs.JSON);
    boolean greedy = args.get(SamplingArgs.GREEDY);
    if ((scoreBatch > 0) != (scoreTokens > 0) || scoreTokens == 1) {
      throw new CliUsageException("--score-batch and --score-tokens go together: a batch >= 1 and a length >= 2");
    }
    if (!loaded && args.has(ModelArgs.DEVICE)) {
      throw new CliUsageException("--device applies to --model; the random-init shapes run on the CPU");
    }
    ThroughputBenchmark bench = new ThroughputBenchmark(promptTokens, newTokens, repeats, greedy);
    Plan plan = new Plan(bench, batches, scoreBatch, scoreTokens, json);
    if (!json) {
      out.println("| model | parameters | task | batch | tokens/s | tokens/CPU-s |");
      out.println("| --- | ---: | --- | ---: | ---: | ---: |");
    }
    if (loaded) {
      try (LoadedModel model = ModelArgs.load(args, err)) {
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
