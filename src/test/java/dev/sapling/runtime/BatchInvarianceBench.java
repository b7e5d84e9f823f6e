package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sapling.data.JsonLines;
import dev.sapling.model.Architecture;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.RandomWeightSource;
import dev.sapling.model.Transformer;
import dev.sapling.model.Weights;
import dev.sapling.model.WeightsBuilder;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Counts how often a sampled token changes when only the batch size changes: the same request list generated with
 * at most 1, 3 and 8 rows per batch, greedy and at T 0.7 / top-p 0.9, on stories260K and on a larger random-weight
 * model; prints tokens compared, tokens differing and the first divergence, then a timing of the same generations
 * (docs/runtime.md, "Batch invariance"). The prompts are Self-Instruct-style: a numbered list of seed instructions
 * (instruction generation) and single instructions (responses).
 *
 * <pre>{@code
 * java -cp target/test-classes:target/classes:$(cat cp) dev.sapling.runtime.BatchInvarianceBench \
 *     [--seeds /work/shared/data/self-instruct/seed_tasks.jsonl] [--prompts 12] [--new-tokens 48] [--dims 64,512]
 * }</pre>
 */
public final class BatchInvarianceBench {
  static final Path DEFAULT_SEEDS = Path.of("/work/shared/data/self-instruct/seed_tasks.jsonl");
  static final Path STORIES = Path.of("models/stories260K/stories260K.gguf");
  static final int[] ROWS = {1, 3, 8};

  private BatchInvarianceBench() {}

  /** Differences of one setting between a reference run and another batch size. */
  record Count(long compared, long differing, int firstPrompt, int firstPosition, int promptsDiverged,
      double maxLogprobDiff) {
    @Override
    public String toString() {
      return "compared " + compared + " differing " + differing + " prompts_diverged " + promptsDiverged
          + String.format(" max_logprob_diff %.3g", maxLogprobDiff)
          + (firstPrompt < 0 ? "" : " first_divergence prompt " + firstPrompt + " position " + firstPosition);
    }
  }

  /**
   * Token-by-token comparison of two generations of the same request, ordered by (prompt, sample): every position
   * both have, and a length difference counts as that many differing tokens; log-probs are compared up to each
   * sample's first divergence.
   */
  static Count compare(List<Completion> reference, List<Completion> other) {
    long compared = 0;
    long differing = 0;
    int firstPrompt = -1;
    int firstPosition = -1;
    int diverged = 0;
    double maxDiff = 0;
    for (int i = 0; i < reference.size(); i++) {
      int[] a = reference.get(i).tokenIds();
      int[] b = other.get(i).tokenIds();
      int n = Math.min(a.length, b.length);
      int first = -1;
      for (int t = 0; t < n; t++) {
        compared++;
        if (a[t] != b[t]) {
          differing++;
          first = first < 0 ? t : first;
        } else if (first < 0) {
          maxDiff = Math.max(maxDiff,
              Math.abs(reference.get(i).logprobs()[t] - other.get(i).logprobs()[t]));
        }
      }
      int extra = Math.abs(a.length - b.length);
      compared += extra;
      differing += extra;
      if (first < 0 && extra > 0) {
        first = n;
      }
      if (first >= 0) {
        diverged++;
        if (firstPrompt < 0) {
          firstPrompt = i;
          firstPosition = first;
        }
      }
    }
    return new Count(compared, differing, firstPrompt, firstPosition, diverged, maxDiff);
  }

  /** Pilot-like prompts from seed instructions: a numbered list of four (generate stage), or one (respond stage). */
  static List<String> prompts(Path seeds, int count) throws IOException {
    List<String> instructions = new ArrayList<>();
    for (JsonLines.Line line : JsonLines.read(seeds)) {
      instructions.add(JsonLines.text(seeds, line, "instruction"));
    }
    List<String> out = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      if (p % 2 == 0) {
        StringBuilder list = new StringBuilder("Come up with a series of tasks:\n");
        for (int j = 0; j < 4; j++) {
          list.append(j + 1).append(". ").append(instructions.get((p * 7 + j * 13) % instructions.size()))
              .append('\n');
        }
        out.add(list.append("5.").toString());
      } else {
        out.add(instructions.get((p * 11) % instructions.size()) + "\n");
      }
    }
    return out;
  }

  /** A random-weight Llama shape of hidden size {@code dim} (4 layers, head 64, GQA 2:1) over a 512-token vocabulary. */
  static ModelConfig randomShape(int dim) {
    int heads = dim / 64;
    return ModelConfig.builder(Architecture.LLAMA).vocabSize(512).hiddenSize(dim).intermediateSize(dim * 8 / 3 / 64 * 64)
        .numLayers(4).numHeads(heads).numKeyValueHeads(Math.max(1, heads / 2)).headDim(64).build();
  }

  /** The counts and a timing for one model: batch rows 1 vs 3 vs 8, greedy and T 0.7 / top-p 0.9. */
  static void measure(String name, Generator generator, List<String> prompts, int newTokens, int repeats) {
    for (SamplingParams params : List.of(SamplingParams.greedy().withMaxNewTokens(newTokens),
        SamplingParams.defaults().withTemperature(0.7).withTopP(0.9).withMaxNewTokens(newTokens).withSeed(7))) {
      String setting = params.isGreedy() ? "greedy" : "T0.7/top-p0.9";
      List<List<Completion>> runs = new ArrayList<>();
      for (int rows : ROWS) {
        runs.add(generator.with(o -> o.withMaxBatchRows(rows)).generate(prompts, params));
      }
      for (int r = 1; r < ROWS.length; r++) {
        System.out.println(name + " " + setting + " rows 1 vs " + ROWS[r] + ": " + compare(runs.get(0), runs.get(r)));
      }
    }
    if (repeats > 0) {
      SamplingParams params = SamplingParams.greedy().withMaxNewTokens(newTokens);
      for (int rows : ROWS) {
        long[] nanos = new long[repeats];
        long tokens = 0;
        for (int i = 0; i < repeats; i++) {
          long t0 = System.nanoTime();
          List<Completion> out = generator.with(o -> o.withEosIds().withMaxBatchRows(rows)).generate(prompts, params);
          nanos[i] = System.nanoTime() - t0;
          tokens = out.stream().mapToLong(c -> c.tokenIds().length).sum();
        }
        Arrays.sort(nanos);
        double median = nanos[repeats / 2] / 1e9;
        System.out.printf("%s timing rows %d: %d tokens, median %.3f s of %d, %.1f tokens/s%n", name, rows, tokens,
            median, repeats, tokens / median);
      }
    }
  }


  /** Largest absolute difference between row 0 of {@code batched} and {@code alone} (same shapes after row 0). */
  static double rowDiff(NDArray alone, NDArray batched) {
    NDArray a = alone.get("0");
    NDArray b = batched.get("0");
    return a.sub(b).abs().max().getFloat();
  }

  /**
   * Op by op, one row computed alone against the same row computed beside others (products at batch rows M = 1 vs 3
   * vs 8, as 2-D and as [b, t, d]; softmax and the attention-weighted sum over a left-padded key axis).
   */
  static void probeOps(int dim) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      for (int[] kn : new int[][] {{dim, dim * 2}, {dim, dim * 16 / 3 / 64 * 64}, {dim * 8 / 3 / 64 * 64, dim},
          {dim, 512}, {dim, 32000}}) {
        NDArray w = m.randomNormal(0, 0.02f, new ai.djl.ndarray.types.Shape(kn[0], kn[1]), DataType.FLOAT32);
        NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(64, kn[0]));
        NDArray reference = x.matMul(w);
        StringBuilder line = new StringBuilder();
        for (int rows = 1; rows <= 33; rows++) {
          NDArray some = x.get("0:" + rows).matMul(w);
          float d = some.sub(reference.get("0:" + rows)).abs().max().getFloat();
          line.append(d == 0 ? " ." : " " + rows);
        }
        System.out.printf("ops d%d matMul [M,%d]x[%d,%d], M = 1..33 with rows unlike M=64's:%s%n", dim, kn[0],
            kn[0], kn[1], line);
      }
      int n = dim * 3;
      NDArray w = m.randomNormal(0, 0.02f, new ai.djl.ndarray.types.Shape(dim, n), DataType.FLOAT32);
      NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(32, dim));
      // a prefill of t positions: [1, t, d] alone vs [8, t, d]
      NDArray seq = m.randomNormal(new ai.djl.ndarray.types.Shape(8, 21, dim));
      NDArray seqOne = seq.get("0:1").matMul(w);
      System.out.printf("ops d%d matMul prefill [8,21,d] row 0 vs [1,21,d]: %.3g%n", dim,
          rowDiff(seqOne, seq.matMul(w)));
      // softmax over s keys vs the same keys after p masked (-1e9) slots
      NDArray scores = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 237));
      for (int pad : new int[] {1, 3, 5, 8, 13, 100}) {
        NDArray padded = m.full(new ai.djl.ndarray.types.Shape(1, pad), -1e9f).concat(scores, 1);
        NDArray sm = padded.softmax(-1).get(":, " + pad + ":");
        NDArray values = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 237, 64));
        NDArray paddedValues = m.zeros(new ai.djl.ndarray.types.Shape(1, pad, 64)).concat(values, 1);
        NDArray probs = scores.softmax(-1);
        NDArray attended = probs.reshape(1, 1, 237).matMul(values);
        NDArray attendedPadded = padded.softmax(-1).reshape(1, 1, 237 + pad).matMul(paddedValues);
        System.out.printf("ops softmax 237 keys vs %d masked + 237: %.3g; probs x values: %.3g%n", pad,
            rowDiff(probs, sm), rowDiff(attended, attendedPadded));
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Path seeds = DEFAULT_SEEDS;
    int promptCount = 12;
    int newTokens = 48;
    int repeats = 0;
    int[] dims = {512};
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--seeds" -> seeds = Path.of(args[i + 1]);
        case "--prompts" -> promptCount = Integer.parseInt(args[i + 1]);
        case "--new-tokens" -> newTokens = Integer.parseInt(args[i + 1]);
        case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
        case "--dims" -> dims = Arrays.stream(args[i + 1].split(",")).filter(s -> !s.isBlank())
            .mapToInt(Integer::parseInt).toArray();
        default -> {
          System.err.println("usage: BatchInvarianceBench [--seeds FILE] [--prompts N] [--new-tokens N] "
              + "[--repeats N] [--dims 256,512]; unknown " + args[i]);
          System.exit(2);
        }
      }
    }
    for (int dim : dims) {
      probeOps(dim);
    }
    List<String> prompts = prompts(seeds, promptCount);
    try (LoadedModel model = new CleanModelLoader().load(STORIES)) {
      measure("stories260K", Generator.of(model), prompts, newTokens, repeats);
      Tokenizer tokenizer = model.tokenizer();
      for (int dim : dims) {
        ModelConfig c = randomShape(dim);
        try (NDManager m = NDManager.newBaseManager()) {
          Weights w = new WeightsBuilder(c, new RandomWeightSource(c, 1), m, DataType.FLOAT32).build();
          Generator g = Generator.of(new Transformer(c, w), tokenizer).with(o -> o.withBos(OptionalInt.of(1)));
          measure("random-d" + dim, g, prompts, newTokens, repeats);
        }
      }
    }
  }
}
