package dev.sapling.check;

import dev.sapling.model.Transformer;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.ProgressListener;
import dev.sapling.runtime.Scorer;
import dev.sapling.runtime.sampling.SamplingParams;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tokens per second of {@link Generator} (sampling) and {@link Scorer} at several batch sizes, the method written
 * down so numbers can be compared: {@code batch} prompts of {@code promptTokens} random ids each; sampling draws
 * {@code newTokens} per prompt at temperature 1 (or greedily) with EOS disabled, so every row runs the full length; scoring scores
 * a continuation of {@code newTokens} random ids after each prompt. Each measurement follows one untimed warm-up run
 * of the same batch and is the median of {@code repeats} timed runs; wall time includes prefill, sampling in Java and
 * every transfer. Throughput counts generated (or scored continuation) tokens only.
 *
 * <pre>{@code
 * List<ThroughputBenchmark.Result> r = new ThroughputBenchmark(32, 64, 3)
 *     .run(model.transformer(), model.tokenizer(), new int[] {1, 8, 32}, System.err);
 * }</pre>
 */
public final class ThroughputBenchmark {
  /**
   * One measurement: {@code task} is {@code "sample"}, {@code "greedy"} or {@code "score"}; {@code medianCpuNanos} is the calling
   * thread's CPU time in the run of median wall time, which is where libtorch computes when it runs on one thread.
   */
  public record Result(String task, int batch, long tokens, long medianNanos, long medianCpuNanos) {
    public double tokensPerSecond() {
      return tokens / (medianNanos / 1e9);
    }

    /** Tokens per second of the calling thread's CPU time: steadier than wall time on a shared machine. */
    public double tokensPerCpuSecond() {
      return tokens / (medianCpuNanos / 1e9);
    }
  }

  private final int promptTokens;
  private final int newTokens;
  private final int repeats;
  private final boolean greedy;

  public ThroughputBenchmark(int promptTokens, int newTokens, int repeats) {
    this(promptTokens, newTokens, repeats, false);
  }

  /** With {@code greedy}, sampling is greedy decoding (temperature 0) and its results are named {@code "greedy"}. */
  public ThroughputBenchmark(int promptTokens, int newTokens, int repeats, boolean greedy) {
    this.promptTokens = promptTokens;
    this.newTokens = newTokens;
    this.repeats = repeats;
    this.greedy = greedy;
  }

  /** Measures sampling then scoring at each batch size; logs each result to {@code log} as it comes. */
  public List<Result> run(Transformer model, Tokenizer tokenizer, int[] batches, PrintStream log) {
    List<Result> results = new ArrayList<>();
    for (int batch : batches) {
      results.add(sample(model, tokenizer, batch, log));
      results.add(score(model, tokenizer, batch, promptTokens, newTokens, log));
    }
    return results;
  }

  /** Sampling at one batch size: {@code batch} random prompts, {@code newTokens} drawn per prompt, EOS off. */
  public Result sample(Transformer model, Tokenizer tokenizer, int batch, PrintStream log) {
    List<int[]> prompts = randomIds(batch, promptTokens, model.config().vocabSize(), 1);
    Generator generator = Generator.of(model, tokenizer).with(o -> o.withEosIds().withMaxBatchRows(batch));
    SamplingParams params = SamplingParams.defaults().withTemperature(greedy ? 0 : 1).withMaxNewTokens(newTokens)
        .withSeed(0);
    Result sample = measure(greedy ? "greedy" : "sample", batch, (long) batch * newTokens,
        () -> generator.generateIds(prompts, params, ProgressListener.NONE, c -> {}));
    log.println(describe(sample));
    return sample;
  }

  /**
   * Scoring (teacher-forced log-probs) at one shape: {@code batch} rows of {@code contextTokens} random context ids
   * followed by {@code continuationTokens} scored ids; throughput counts the scored ids.
   */
  public Result score(Transformer model, Tokenizer tokenizer, int batch, int contextTokens, int continuationTokens,
      PrintStream log) {
    int vocab = model.config().vocabSize();
    List<int[]> contexts = randomIds(batch, contextTokens, vocab, 1);
    List<int[]> continuations = randomIds(batch, continuationTokens, vocab, 2);
    Scorer scorer = Scorer.of(model, tokenizer).with(o -> o.withMaxBatchRows(batch));
    List<Scorer.Pair> pairs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      pairs.add(new Scorer.Pair(contexts.get(i), continuations.get(i)));
    }
    Result score = measure("score", batch, (long) batch * continuationTokens, () -> scorer.score(pairs));
    log.println(describe(score));
    return score;
  }

  /** One line per result: task, batch, tokens/s. */
  public static String describe(Result r) {
    return String.format("%-6s batch %3d: %10.1f tokens/s, %10.1f tokens/CPU-s (%d tokens in %.3f s, median)",
        r.task(), r.batch(), r.tokensPerSecond(), r.tokensPerCpuSecond(), r.tokens(), r.medianNanos() / 1e9);
  }

  private Result measure(String task, int batch, long tokens, Runnable work) {
    work.run(); // warm-up: JIT, libtorch's first-call setup, allocator pools
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[][] runs = new long[repeats][];
    for (int i = 0; i < repeats; i++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      work.run();
      runs[i] = new long[] {System.nanoTime() - t0, threads.getCurrentThreadCpuTime() - cpu0};
    }
    Arrays.sort(runs, Comparator.comparingLong(run -> run[0]));
    long[] median = runs[repeats / 2];
    return new Result(task, batch, tokens, median[0], median[1]);
  }

  private static List<int[]> randomIds(int rows, int length, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(r.ints(length, 0, vocab).toArray());
    }
    return out;
  }
}
