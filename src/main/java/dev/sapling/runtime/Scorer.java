package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import dev.sapling.model.KvCache;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.Transformer;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.PromptEncoder;
import dev.sapling.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Log-probabilities of continuations given contexts, in batches. Each distinct context of a batch is prefilled once
 * and its KV cache rows copied to every continuation that follows it ({@link KvCache#select}), so scoring many
 * answers to one prompt costs one prompt prefill. The continuations then run through the transformer body once
 * ({@link Transformer#hidden}); the LM head and log-softmax follow in position chunks that keep the logits block within
 * the logits budget ({@link Transformer#logits}). Log-softmax runs in float32 on the device whatever the model's
 * compute dtype; only the chosen tokens' log-probs (and top-k alternatives when asked) leave it.
 *
 * <p>How it batches and chunks is its {@link ScorerOptions}: the device's best by default, changed with {@link #with}.
 *
 * <pre>{@code
 * Scorer scorer = Scorer.of(loadedModel);   // or Scorer.of(model, o -> o.withTopAlternatives(5))
 * ScoredText s = scorer.score("Q: 2+2?\nA:", " 4");
 * List<ScoredText> many = scorer.score("Q: 2+2?\nA:", List.of(" 4", " 5", " four"));
 * }</pre>
 */
public final class Scorer {
  /** A context and a continuation as token ids; the continuation is what gets scored. */
  public record Pair(int[] context, int[] continuation) {}

  /** Rows (continuations) per batch unless {@link ScorerOptions#maxBatchRows} says otherwise. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 32;
  /**
   * Largest logits block, in floats, materialised at once (128 MiB); the LM head runs over as many positions at a
   * time as fit (the body runs over all of them at once either way).
   */
  public static final long DEFAULT_LOGITS_BUDGET = 32L << 20;
  /**
   * The logits budget on a GPU (512 MiB of float32): 16 LM-head chunks instead of 64 for 32 × 512 positions of a
   * 128k vocabulary, each a large product.
   */
  public static final long DEFAULT_GPU_LOGITS_BUDGET = 128L << 20;

  /**
   * Rows × positions per body pass on the CPU. One pass over 8 × 511 positions of a 95M model ran 3× slower there
   * than 4 passes of 8 × 128 (large matmuls fall out of cache on one core; docs/runtime.md); a GPU runs them all at
   * once.
   */
  public static final long DEFAULT_CPU_BODY_TOKENS = 1024;

  private final Transformer transformer;
  private final Tokenizer tokenizer;
  private final ScorerOptions options;
  private final PromptEncoder contextIds;

  /** A scorer of {@code transformer} and {@code tokenizer} batching and chunking as {@code options} say. */
  public Scorer(Transformer transformer, Tokenizer tokenizer, ScorerOptions options) {
    if (options.topAlternatives() > transformer.config().vocabSize()) {
      throw new SaplingException("scorer: top alternatives is " + options.topAlternatives() + "; expected 0.."
          + transformer.config().vocabSize());
    }
    this.transformer = transformer;
    this.tokenizer = tokenizer;
    this.options = options;
    this.contextIds = new PromptEncoder(tokenizer, options.bos());
  }

  /** A scorer for a loaded model: BOS before text contexts exactly when its manifest says so. */
  public static Scorer of(LoadedModel model) {
    return new Scorer(model.transformer(), model.tokenizer(), ScorerOptions.defaults(model));
  }

  /** A scorer for a loaded model with the options {@code change} sets, e.g. {@code o -> o.withTopAlternatives(5)}. */
  public static Scorer of(LoadedModel model, UnaryOperator<ScorerOptions> change) {
    return of(model).with(change);
  }

  /** A scorer that prepends the tokenizer's BOS (when it has one) to text contexts, and reports no alternatives. */
  public static Scorer of(Transformer transformer, Tokenizer tokenizer) {
    return new Scorer(transformer, tokenizer, ScorerOptions.defaults(transformer, tokenizer));
  }

  /** The options this scorer runs with. */
  public ScorerOptions options() {
    return options;
  }

  /** The same scorer with the options {@code change} sets, e.g. {@code o -> o.withBodyTokens(512)}. */
  public Scorer with(UnaryOperator<ScorerOptions> change) {
    return new Scorer(transformer, tokenizer, change.apply(options));
  }

  /**
   * A text pair as token ids, tokenized as the model would see the whole text: the continuation is what
   * {@code encode(context + continuation)} has after {@code encode(context)} (as lm-evaluation-harness does), or the
   * continuation encoded on its own when the joined text does not tokenize the context the same way. The context
   * starts with BOS when the model adds one.
   */
  public Pair encode(String context, String continuation) {
    int[] ctx = tokenizer.encode(context);
    int[] whole = tokenizer.encode(context + continuation);
    int[] cont = whole.length >= ctx.length && Arrays.equals(ctx, Arrays.copyOf(whole, ctx.length))
        ? Arrays.copyOfRange(whole, ctx.length, whole.length) : tokenizer.encode(continuation);
    return new Pair(contextIds.withBos(ctx), cont);
  }

  public ScoredText score(String context, String continuation) {
    return score(List.of(encode(context, continuation))).get(0);
  }

  /** Scores several continuations of one context; the context is prefilled once per batch. */
  public List<ScoredText> score(String context, List<String> continuations) {
    return score(continuations.stream().map(c -> encode(context, c)).toList());
  }

  public List<ScoredText> score(List<Pair> pairs) {
    return score(pairs, ProgressListener.NONE);
  }

  /** Scores every pair; results in the order of {@code pairs}. */
  public List<ScoredText> score(List<Pair> pairs, ProgressListener progress) {
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      if (p.context().length == 0) {
        throw new SaplingException("pair " + i + ": the context has no tokens; the first continuation token needs "
            + "something to condition on (add BOS or some context text)");
      }
      transformer.config().requireTokenIds("pair " + i + " context", p.context());
      transformer.config().requireTokenIds("pair " + i + " continuation", p.continuation());
      int length = p.context().length + p.continuation().length;
      if (length > transformer.config().maxPositionEmbeddings()) {
        throw new SaplingException("pair " + i + ": context and continuation are " + length + " tokens; the model's "
            + "context is " + transformer.config().maxPositionEmbeddings() + " positions; shorten the pair");
      }
    }
    // identical contexts next to each other (so they share a prefill), short before long (little padding)
    Comparator<Integer> order = Comparator.<Integer>comparingInt(i -> pairs.get(i).context().length)
        .thenComparing((a, b) -> Arrays.compare(pairs.get(a).context(), pairs.get(b).context()))
        .thenComparingInt(i -> pairs.get(i).continuation().length);
    ScoredText[] out = new ScoredText[pairs.size()];
    long start = System.nanoTime();
    long tokens = 0;
    int done = 0;
    for (int[] batch : Batches.sorted(pairs.size(), order, options.maxBatchRows())) {
      ScoredText[] scored = scoreBatch(batch, pairs);
      for (int j = 0; j < batch.length; j++) {
        out[batch[j]] = scored[j];
        tokens += scored[j].tokens();
      }
      done += batch.length;
      progress.onProgress(new ProgressListener.Progress("score", done, pairs.size(), tokens,
          System.nanoTime() - start));
    }
    return List.of(out);
  }

  /** Scores the pairs at {@code batch} (sorted so equal contexts are adjacent); results in batch order. */
  private ScoredText[] scoreBatch(int[] batch, List<Pair> pairs) {
    ModelConfig config = transformer.config();
    int vocab = config.vocabSize();
    int k = options.topAlternatives();
    // distinct contexts and, for every row, the context it continues
    List<int[]> contexts = new ArrayList<>();
    int[] rowGroup = new int[batch.length];
    for (int r = 0; r < batch.length; r++) {
      int[] ctx = pairs.get(batch[r]).context();
      if (contexts.isEmpty() || !Arrays.equals(contexts.get(contexts.size() - 1), ctx)) {
        contexts.add(ctx);
      }
      rowGroup[r] = contexts.size() - 1;
    }
    int groups = contexts.size();
    int maxCtx = contexts.stream().mapToInt(c -> c.length).max().orElse(0);
    int maxCont = 0;
    int[][] cont = new int[batch.length][];
    for (int r = 0; r < batch.length; r++) {
      cont[r] = pairs.get(batch[r]).continuation();
      maxCont = Math.max(maxCont, cont[r].length);
    }
    float[][] logprobs = new float[batch.length][];
    int[][] altTokens = new int[batch.length][];
    float[][] altLogprobs = new float[batch.length][];
    for (int r = 0; r < batch.length; r++) {
      logprobs[r] = new float[cont[r].length];
      altTokens[r] = new int[cont[r].length * k];
      altLogprobs[r] = new float[cont[r].length * k];
    }
    int minCtx = contexts.stream().mapToInt(c -> c.length).min().orElse(0);
    boolean onePass = k == 0 && groups == batch.length && minCtx == maxCtx
        && (long) batch.length * (maxCtx + maxCont - 1) <= options.bodyTokens();
    if (maxCont > 0 && onePass) {
      scoreInOnePass(contexts, cont, maxCtx, maxCont, logprobs);
    } else if (maxCont > 0) {
      Batches.LeftPadded padded = Batches.LeftPadded.of(contexts);
      NDManager parent = transformer.weights().embedding().getManager();
      try (NDManager batchManager = parent.newSubManager()) {
        KvCache cache = KvCache.allocate(config, batchManager, transformer.computeType(), maxCtx + maxCont,
            padded.padding());
        try {
          // the last context position predicts every row's first continuation token
          int[] firstTargets = new int[batch.length];
          for (int r = 0; r < batch.length; r++) {
            firstTargets[r] = cont[r].length > 0 ? cont[r][0] : 0;
          }
          try (NDManager step = batchManager.newSubManager()) {
            NDArray hidden = transformer.hidden(step.create(padded.flat(), new Shape(groups, maxCtx)), cache);
            NDArray last = hidden.get(new NDIndex(":, -1:, :"));
            if (groups != batch.length) {
              last = last.get(new NDIndex("{}", step.create(Arrays.stream(rowGroup).asLongStream().toArray())));
            }
            gather(last, firstTargets, 0, cont, logprobs, altTokens, altLogprobs);
          }
          if (groups != batch.length) {
            KvCache rows = cache.select(rowGroup);
            cache.close();
            cache = rows;
          }
          // then continuation token j predicts token j+1: the body runs over as many positions at a time as the
          // body budget allows (all of them on a GPU), the LM head and log-softmax in position chunks within the
          // logits budget
          int feed = maxCont - 1;
          int bodyChunk = (int) Math.max(1, Math.min(feed, options.bodyTokens() / batch.length));
          int headChunk =
              (int) Math.max(1, Math.min(bodyChunk, options.logitsBudget() / ((long) batch.length * vocab)));
          for (int from = 0; from < feed; from += bodyChunk) {
            int count = Math.min(bodyChunk, feed - from);
            int[] tokens = new int[batch.length * count];
            for (int r = 0; r < batch.length; r++) {
              for (int j = 0; j < count; j++) {
                int at = from + j;
                tokens[r * count + j] = at < cont[r].length ? cont[r][at] : 0; // right padding is never attended to
              }
            }
            try (NDManager body = batchManager.newSubManager()) {
              NDArray hidden = transformer.hidden(body.create(tokens, new Shape(batch.length, count)), cache);
              if (k == 0) {
                chosenPass(hidden, from, count, headChunk, cont, logprobs);
              } else {
                for (int s = 0; s < count; s += headChunk) {
                  int c = Math.min(headChunk, count - s);
                  try (NDManager step = body.newSubManager()) {
                    NDArray positions = hidden.get(new NDIndex(":, {}:{}, :", s, s + c));
                    positions.attach(step);
                    gather(positions, targets(cont, from + s + 1, c), from + s + 1, cont, logprobs, altTokens,
                        altLogprobs);
                  }
                }
              }
            }
          }
        } finally {
          cache.close();
        }
      }
    }
    ScoredText[] out = new ScoredText[batch.length];
    for (int r = 0; r < batch.length; r++) {
      List<List<ScoredText.Alternative>> alternatives = new ArrayList<>();
      if (k > 0) {
        for (int j = 0; j < cont[r].length; j++) {
          List<ScoredText.Alternative> position = new ArrayList<>(k);
          for (int a = 0; a < k; a++) {
            position.add(new ScoredText.Alternative(altTokens[r][j * k + a], altLogprobs[r][j * k + a]));
          }
          alternatives.add(position);
        }
      }
      out[r] = new ScoredText(cont[r].clone(), logprobs[r], alternatives);
    }
    return out;
  }

  /**
   * Scores rows that share no context and whose contexts are equally long in one pass over context and
   * continuation: no padding and an empty cache, so attention is plain causal (the flash kernel on a GPU) and no
   * separate prefill runs. Hidden position {@code ctx - 1 + j} predicts continuation token {@code j}.
   */
  private void scoreInOnePass(List<int[]> contexts, int[][] cont, int ctx, int maxCont, float[][] logprobs) {
    int rows = cont.length;
    int length = ctx + maxCont - 1;
    int[] tokens = new int[rows * length];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(contexts.get(r), 0, tokens, r * length, ctx);
      System.arraycopy(cont[r], 0, tokens, r * length + ctx, Math.min(cont[r].length, maxCont - 1));
    }
    int vocab = transformer.config().vocabSize();
    int headChunk = (int) Math.max(1, Math.min(maxCont, options.logitsBudget() / ((long) rows * vocab)));
    NDManager parent = transformer.weights().embedding().getManager();
    try (NDManager batchManager = parent.newSubManager();
        KvCache cache = KvCache.allocate(transformer.config(), batchManager, transformer.computeType(), length,
            new int[rows])) {
      NDArray hidden = transformer.hidden(batchManager.create(tokens, new Shape(rows, length)), cache);
      chosenPass(hidden, ctx - 1, 0, maxCont, headChunk, cont, logprobs);
    }
  }

  /**
   * The chosen tokens' log-probs over one body pass ({@code hidden}, {@code [rows, count, hidden]}; position
   * {@code j} predicts continuation token {@code from + j + 1}): the LM head runs in chunks of {@code headChunk}
   * positions, each result stays on the device, and one copy brings them all to the host, so the GPU never waits for
   * Java between chunks.
   */
  private void chosenPass(NDArray hidden, int from, int count, int headChunk, int[][] cont, float[][] logprobs) {
    chosenPass(hidden, 0, from + 1, count, headChunk, cont, logprobs);
  }

  /** As above, hidden position {@code offset + j} predicting continuation token {@code first + j}. */
  private void chosenPass(NDArray hidden, int offset, int first, int count, int headChunk, int[][] cont,
      float[][] logprobs) {
    int rows = (int) hidden.getShape().get(0);
    float[] chosen;
    try (NDScope scope = new NDScope()) {
      long[] index = Arrays.stream(targets(cont, first, count)).asLongStream().toArray();
      NDArray all = hidden.getManager().create(index, new Shape(rows, count));
      NDList parts = new NDList();
      for (int s = 0; s < count; s += headChunk) {
        int e = Math.min(count, s + headChunk);
        parts.add(transformer.tokenLogProbs(hidden.get(new NDIndex(":, {}:{}, :", offset + s, offset + e)),
            all.get(new NDIndex(":, {}:{}", s, e))));
      }
      chosen = (parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1)).toFloatArray();
    }
    store(chosen, rows, count, first, cont, logprobs);
  }

  /** Continuation token {@code first + j} of every row ({@code [rows * count]}, 0 past a row's end). */
  private static int[] targets(int[][] cont, int first, int count) {
    int[] targets = new int[cont.length * count];
    for (int r = 0; r < cont.length; r++) {
      for (int j = 0; j < count; j++) {
        int at = first + j;
        targets[r * count + j] = at < cont[r].length ? cont[r][at] : 0;
      }
    }
    return targets;
  }

  /** Stores {@code chosen} ({@code [rows, outputs]}) at continuation positions {@code first + j} within each row. */
  private static void store(float[] chosen, int rows, int outputs, int first, int[][] cont, float[][] logprobs) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < outputs && first + j < cont[r].length; j++) {
        logprobs[r][first + j] = chosen[r * outputs + j];
      }
    }
  }

  /**
   * Applies the LM head to {@code hidden} ({@code [rows, outputs, hidden]}, one row per scored row), takes the
   * log-softmax in float32 and, for each row {@code r}, stores the log-prob of {@code targets[r * outputs + j]} (and
   * the top-k alternatives when asked) at continuation position {@code first + j}, skipping positions past the row's
   * continuation. Logits stay on the device, in {@code hidden}'s manager, which the caller closes.
   */
  private void gather(NDArray hidden, int[] targets, int first, int[][] cont, float[][] logprobs, int[][] altTokens,
      float[][] altLogprobs) {
    int rows = (int) hidden.getShape().get(0);
    int outputs = (int) hidden.getShape().get(1);
    int k = options.topAlternatives();
    float[] chosen;
    float[] altValues = null;
    long[] altIndices = null;
    try (NDScope scope = new NDScope()) {
      long[] targetIndex = Arrays.stream(targets).asLongStream().toArray();
      if (k == 0) { // only the chosen tokens' log-probs: no separate float32 copy of the logits
        NDArray index = hidden.getManager().create(targetIndex, new Shape(rows, outputs));
        chosen = transformer.tokenLogProbs(hidden, index).toFloatArray();
      } else {
        NDArray logSoftmax = transformer.logits(hidden).logSoftmax(2); // [rows, outputs, vocab], float32
        NDArray index = hidden.getManager().create(targetIndex, new Shape(rows, outputs, 1));
        chosen = logSoftmax.gather(index, 2).toFloatArray();
        NDList top = logSoftmax.topK(k, 2);
        altValues = top.get(0).toFloatArray();
        altIndices = top.get(1).toLongArray();
      }
    }
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < outputs; j++) {
        int position = first + j;
        if (position >= cont[r].length) {
          break;
        }
        logprobs[r][position] = chosen[r * outputs + j];
        for (int a = 0; a < k; a++) {
          altTokens[r][position * k + a] = (int) altIndices[(r * outputs + j) * k + a];
          altLogprobs[r][position * k + a] = altValues[(r * outputs + j) * k + a];
        }
      }
    }
  }
}
