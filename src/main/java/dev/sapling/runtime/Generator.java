package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import dev.sapling.model.KvCache;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.Transformer;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.PromptEncoder;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.HostTokenSelector;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.runtime.sampling.SamplingState;
import dev.sapling.runtime.sampling.TokenSampler;
import dev.sapling.runtime.sampling.TokenSelector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Samples completions from a model in batches over the KV cache. Prompts of different lengths share a batch,
 * left-padded; the {@code n} samples of a prompt share its prefill ({@link KvCache#select}); a row that finishes (EOS,
 * stop sequence, {@code max_new_tokens}) is no longer sampled and leaves the batch once finished rows are a quarter of
 * it (one step later when tokens are chosen inside static decode steps), while the others run on. Each decode step
 * runs inside its own child {@code NDManager}, so native memory stays flat however many completions are drawn.
 *
 * <p>Prompts are batched shortest first to waste little padding; results come back in request order. Every sample
 * draws from its own generator seeded by (seed, prompt index, sample index): the same request gives the same output.
 * How it batches and decodes is its {@link GeneratorOptions}: the device's best by default, changed with
 * {@link #with}.
 *
 * <pre>{@code
 * Generator g = Generator.of(loadedModel, o -> o.withMaxBatchRows(8));   // or Generator.of(transformer, tokenizer)
 * List<Completion> out = g.generate(List.of("Once upon a time", "The cat"),
 *     SamplingParams.defaults().withTemperature(0.8).withN(4).withStop(List.of("\n\n")).withSeed(7));
 * }</pre>
 */
public final class Generator {
  /** Rows (prompts × samples) per batch unless {@link GeneratorOptions#maxBatchRows} says otherwise. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 32;
  /**
   * Finished rows leave the batch (one KV-cache copy) once they are at least 1/this of it; until then they are
   * carried along unsampled, so a batch is not copied every time a single row ends.
   */
  private static final int COMPACT_WHEN_FINISHED = 4;

  private final Transformer transformer;
  private final Tokenizer tokenizer;
  private final GeneratorOptions options;
  private final BitSet eosIds;
  private final PromptEncoder prompts;

  /** A generator of {@code transformer} and {@code tokenizer} batching and decoding as {@code options} say. */
  public Generator(Transformer transformer, Tokenizer tokenizer, GeneratorOptions options) {
    this.transformer = transformer;
    this.tokenizer = tokenizer;
    this.options = options;
    this.eosIds = new BitSet();
    options.eosIds().forEach(eosIds::set);
    this.prompts = new PromptEncoder(tokenizer, options.bos());
  }

  /** A generator for a loaded model: its EOS ids, BOS before text prompts exactly when its manifest says so. */
  public static Generator of(LoadedModel model) {
    return new Generator(model.transformer(), model.tokenizer(), GeneratorOptions.defaults(model));
  }

  /** A generator for a loaded model with the options {@code change} sets, e.g. {@code o -> o.withMaxBatchRows(8)}. */
  public static Generator of(LoadedModel model, UnaryOperator<GeneratorOptions> change) {
    return of(model).with(change);
  }

  /** A generator with the model's EOS ids (config and tokenizer), BOS added when the tokenizer has one. */
  public static Generator of(Transformer transformer, Tokenizer tokenizer) {
    return new Generator(transformer, tokenizer, GeneratorOptions.defaults(transformer, tokenizer));
  }

  /** The options this generator runs with. */
  public GeneratorOptions options() {
    return options;
  }

  /** The same generator with the options {@code change} sets, e.g. {@code o -> o.withStaticDecode(false)}. */
  public Generator with(UnaryOperator<GeneratorOptions> change) {
    return new Generator(transformer, tokenizer, change.apply(options));
  }

  /** Token ids of a text prompt as this generator feeds it: BOS (when added) then the text's tokens. */
  public int[] encodePrompt(String prompt) {
    return prompts.encode(prompt);
  }

  /** Completions of text prompts, ordered by (prompt, sample). */
  public List<Completion> generate(List<String> prompts, SamplingParams params) {
    return generateIds(prompts.stream().map(this::encodePrompt).toList(), params);
  }

  /** Completions of text prompts, each handed to {@code sink} as soon as it finishes (not in request order). */
  public void generate(List<String> prompts, SamplingParams params, ProgressListener progress,
      Consumer<Completion> sink) {
    generateIds(prompts.stream().map(this::encodePrompt).toList(), params, progress, sink);
  }

  /** Completions of prompts given as token ids (used as they are: no BOS is added), ordered by (prompt, sample). */
  public List<Completion> generateIds(List<int[]> prompts, SamplingParams params) {
    List<Completion> out = new ArrayList<>();
    generateIds(prompts, params, ProgressListener.NONE, out::add);
    out.sort(Comparator.comparingInt(Completion::promptIndex).thenComparingInt(Completion::sampleIndex));
    return out;
  }

  /**
   * Completions of prompts given as token ids, each handed to {@code sink} as soon as it finishes; {@code progress}
   * hears after every batch. Memory does not grow with the number of prompts beyond the prompts themselves.
   */
  public void generateIds(List<int[]> prompts, SamplingParams params, ProgressListener progress,
      Consumer<Completion> sink) {
    generateIds(prompts, null, params, progress, sink);
  }

  /**
   * As {@link #generateIds(List, SamplingParams, ProgressListener, Consumer)}, but prompt {@code i}'s samples draw
   * from generators seeded by ({@code promptSeeds[i]}, sample index) instead of (request seed, {@code i}, sample
   * index), so a prompt gives the same samples wherever it sits in the request. Pipelines that plan their own batches
   * use it to make each record's random stream independent of its position.
   */
  public void generateIds(List<int[]> prompts, long[] promptSeeds, SamplingParams params, ProgressListener progress,
      Consumer<Completion> sink) {
    if (promptSeeds != null && promptSeeds.length != prompts.size()) {
      throw new SaplingException("generator: " + promptSeeds.length + " prompt seeds for " + prompts.size()
          + " prompts; give one seed per prompt");
    }
    for (int i = 0; i < prompts.size(); i++) {
      checkPrompt(i, prompts.get(i));
    }
    int perBatch = Math.max(1, options.maxBatchRows() / params.n());
    int total = prompts.size() * params.n();
    long start = System.nanoTime();
    int done = 0;
    long tokens = 0;
    for (int[] batch : Batches.sorted(prompts.size(), Comparator.comparingInt(i -> prompts.get(i).length), perBatch)) {
      List<Completion> finished = new ArrayList<>();
      runBatch(batch, prompts, promptSeeds, params, finished::add);
      for (Completion c : finished) {
        sink.accept(c);
        tokens += c.tokenIds().length;
      }
      done += finished.size();
      progress.onProgress(new ProgressListener.Progress("generate", done, total, tokens, System.nanoTime() - start));
    }
  }

  private void checkPrompt(int index, int[] ids) {
    if (ids.length == 0) {
      throw new SaplingException("prompt " + index + " has no tokens; give it some text, or a BOS id, so the model "
          + "has something to condition on");
    }
    int context = transformer.config().maxPositionEmbeddings();
    if (ids.length >= context) {
      throw new SaplingException("prompt " + index + " has " + ids.length + " tokens; the model's context is "
          + context + " positions, so nothing could be generated; shorten the prompt");
    }
    transformer.config().requireTokenIds("prompt " + index, ids);
  }

  /** Prefills the prompts at {@code batch}, then decodes all their samples until every row has finished. */
  private void runBatch(int[] batch, List<int[]> prompts, long[] promptSeeds, SamplingParams params,
      Consumer<Completion> sink) {
    ModelConfig config = transformer.config();
    int vocab = config.vocabSize();
    int n = params.n();
    List<int[]> batchPrompts = new ArrayList<>(batch.length);
    for (int p : batch) {
      batchPrompts.add(prompts.get(p));
    }
    Batches.LeftPadded padded = Batches.LeftPadded.of(batchPrompts);
    int maxLen = padded.width();
    List<DecodeRow> rows = new ArrayList<>(); // in KV-cache order; finished rows stay until compaction
    int[] rowToPrompt = new int[batch.length * n];
    for (int b = 0; b < batch.length; b++) {
      for (int s = 0; s < n; s++) {
        rowToPrompt[rows.size()] = b;
        SamplingState state = promptSeeds == null
            ? SamplingState.forSample(params.seed(), batch[b], s, prompts.get(batch[b]))
            : SamplingState.forSample(promptSeeds[batch[b]], 0, s, prompts.get(batch[b]));
        rows.add(new DecodeRow(batch[b], s, prompts.get(batch[b]), params, state, config.maxPositionEmbeddings(),
            eosIds, tokenizer));
      }
    }
    TokenSelector selector =
        options.deviceSelection() ? TokenSelector.forParams(params, vocab) : new HostTokenSelector(params, vocab);
    NDManager parent = transformer.weights().embedding().getManager();
    try (NDManager batchManager = parent.newSubManager()) {
      int newSlots = rows.stream().mapToInt(r -> r.limit).max().orElse(0);
      KvCache cache = KvCache.allocate(config, batchManager, transformer.computeType(), maxLen + newSlots,
          padded.padding());
      RecordedDecoding decoder = null;
      try {
        long t0 = System.nanoTime();
        TokenSampler.Draw[] draws =
            step(padded.flat(), batch.length, maxLen, cache, batchManager, selector, rows, rowToPrompt);
        if (n > 1) {
          cache = replace(cache, cache.select(rowToPrompt));
        }
        long decodeStart = System.nanoTime();
        long prefillNanos = decodeStart - t0;
        while (true) {
          int alive = 0;
          for (int i = 0; i < rows.size(); i++) {
            DecodeRow row = rows.get(i);
            if (row.finish != null) {
              continue;
            }
            row.accept(draws[i]);
            if (row.finish == null) {
              alive++;
            } else {
              row.finishedAt = System.nanoTime();
              sink.accept(row.toCompletion(prefillNanos, decodeStart));
            }
          }
          if (alive == 0) {
            break;
          }
          if ((rows.size() - alive) * COMPACT_WHEN_FINISHED >= rows.size()) {
            int[] keep = new int[alive];
            List<DecodeRow> next = new ArrayList<>(alive);
            for (int i = 0; i < rows.size(); i++) {
              if (rows.get(i).finish == null) {
                keep[next.size()] = i;
                next.add(rows.get(i));
              }
            }
            TokenSampler.Draw[] inFlight = null;
            if (decoder != null) {
              inFlight = decoder.beforeCompaction(selector); // its KV is in the cache, its draws the kept rows'
              decoder.close();
              decoder = null;
            }
            cache = replace(cache, cache.select(keep));
            rows = next;
            if (inFlight != null) {
              draws = new TokenSampler.Draw[keep.length];
              for (int j = 0; j < keep.length; j++) {
                draws[j] = inFlight[keep[j]];
              }
              continue;
            }
          }
          int[] lastTokens = DecodeRow.lastTokens(rows, new int[rows.size()]);
          if (decoder == null && options.staticDecode()) {
            decoder = new RecordedDecoding(transformer, cache, batchManager, params, rows, lastTokens,
                options.deviceSelection(), options.pipelinedDecode());
            draws = decoder.first(selector);
          } else if (decoder != null) {
            draws = decoder.next(selector);
          } else {
            draws = step(lastTokens, rows.size(), 1, cache, batchManager, selector, rows,
                IntStream.range(0, rows.size()).toArray());
          }
        }
      } finally {
        if (decoder != null) {
          decoder.close();
        }
        cache.close();
      }
    }
  }

  private static KvCache replace(KvCache old, KvCache replacement) {
    old.close();
    return replacement;
  }

  /**
   * One forward pass over {@code tokens} ({@code [batchRows, count]}), then the next token of every unfinished row,
   * row {@code i} choosing from the last position's logits of batch row {@code logitRow[i]}; {@code null} for
   * finished rows. The logits stay in the step's manager: only what {@code selector} copies reaches the host.
   */
  private TokenSampler.Draw[] step(int[] tokens, int batchRows, int count, KvCache cache, NDManager batchManager,
      TokenSelector selector, List<DecodeRow> rows, int[] logitRow) {
    try (NDManager step = batchManager.newSubManager()) {
      NDArray logits = transformer.forward(step.create(tokens, new Shape(batchRows, count)), cache, true);
      try {
        return DecodeRow.select(selector, logits, rows, logitRow);
      } finally {
        logits.close();
      }
    }
  }
}
