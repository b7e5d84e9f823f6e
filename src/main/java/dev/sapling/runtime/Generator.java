package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import dev.sapling.model.KvCache;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.StaticDecoder;
import dev.sapling.model.Transformer;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.device.AsyncReadback;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.DeviceTokenSelector;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.HostTokenSelector;
import dev.sapling.runtime.sampling.RecordedPlainSampler;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.runtime.sampling.SamplingState;
import dev.sapling.runtime.sampling.StopSequenceMatcher;
import dev.sapling.runtime.sampling.TokenSampler;
import dev.sapling.runtime.sampling.TokenSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
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
 *
 * <pre>{@code
 * Generator g = Generator.of(loadedModel);   // or new Generator(transformer, tokenizer)
 * List<Completion> out = g.generate(List.of("Once upon a time", "The cat"),
 *     SamplingParams.defaults().withTemperature(0.8).withN(4).withStop(List.of("\n\n")).withSeed(7));
 * }</pre>
 */
public final class Generator {
  /** Rows (prompts × samples) per batch unless {@link #withMaxBatchRows} says otherwise. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 32;
  /**
   * Finished rows leave the batch (one KV-cache copy) once they are at least 1/this of it; until then they are
   * carried along unsampled, so a batch is not copied every time a single row ends.
   */
  private static final int COMPACT_WHEN_FINISHED = 4;
  /** Prompt tokens decoded before a completion's own, so its first token decodes as it does in context. */
  private static final int CONTEXT_TOKENS = 4;

  private final Transformer transformer;
  private final Tokenizer tokenizer;
  private final int maxBatchRows;
  private final BitSet eosIds;
  private final OptionalInt bos;
  /** Whether greedy rows may be chosen on the device ({@link TokenSelector#forParams}); off only in tests. */
  private final boolean deviceSelection;
  /**
   * Whether decode steps run through {@link StaticDecoder} (recorded once as a CUDA graph, then replayed): by
   * default exactly when the transformer's kernels can record steps, i.e. on a GPU with Sapling's bridge.
   */
  private final boolean staticDecode;
  /**
   * Whether recorded-sampler decode steps run one ahead of the host ({@link RecordedDecoding}): step n+1 is launched
   * before step n's result is read. By default exactly when that read is asynchronous ({@link AsyncReadback}) on a GPU.
   */
  private final boolean pipelinedDecode;

  /** A generator with the model's EOS ids (config and tokenizer), BOS added when the tokenizer has one. */
  public Generator(Transformer transformer, Tokenizer tokenizer) {
    this(transformer, tokenizer, DEFAULT_MAX_BATCH_ROWS, defaultEos(transformer.config(), tokenizer),
        tokenizer.bosId(), true, transformer.ops().recorder().isPresent()
            && transformer.weights().embedding().getDevice().isGpu(),
        transformer.weights().embedding().getDevice().isGpu() && AsyncReadback.available()
            && !"off".equals(System.getenv("SAPLING_PIPELINED_DECODE")));
  }

  /** A generator for a loaded model: its EOS ids, and BOS before text prompts exactly when its manifest says so. */
  public static Generator of(LoadedModel model) {
    return new Generator(model.transformer(), model.tokenizer()).withBos(bosOf(model));
  }

  /** The BOS a loaded model's prompts start with, if any ({@link LoadedModel#promptIds}'s rule). */
  static OptionalInt bosOf(LoadedModel model) {
    return model.manifest().addBos() ? model.manifest().bosId() : OptionalInt.empty();
  }

  private Generator(Transformer transformer, Tokenizer tokenizer, int maxBatchRows, BitSet eosIds, OptionalInt bos,
      boolean deviceSelection, boolean staticDecode, boolean pipelinedDecode) {
    if (maxBatchRows < 1) {
      throw new SaplingException("generator: max batch rows is " + maxBatchRows + "; expected an integer >= 1");
    }
    this.transformer = transformer;
    this.tokenizer = tokenizer;
    this.maxBatchRows = maxBatchRows;
    this.eosIds = eosIds;
    this.bos = bos;
    this.deviceSelection = deviceSelection;
    this.staticDecode = staticDecode;
    this.pipelinedDecode = pipelinedDecode;
  }

  private static BitSet defaultEos(ModelConfig config, Tokenizer tokenizer) {
    BitSet eos = new BitSet();
    config.eosTokenIds().forEach(eos::set);
    tokenizer.eosId().ifPresent(eos::set);
    return eos;
  }

  /** The same generator with at most {@code rows} rows (prompts × samples) per batch. */
  public Generator withMaxBatchRows(int rows) {
    return new Generator(transformer, tokenizer, rows, eosIds, bos, deviceSelection, staticDecode, pipelinedDecode);
  }

  /** The same generator ending completions on exactly these token ids (e.g. a chat model's end-of-turn token). */
  public Generator withEosIds(int... ids) {
    BitSet eos = new BitSet();
    for (int id : ids) {
      eos.set(id);
    }
    return new Generator(transformer, tokenizer, maxBatchRows, eos, bos, deviceSelection, staticDecode,
        pipelinedDecode);
  }

  /** The same generator starting text prompts with {@code bosId}, or with nothing when empty. */
  public Generator withBos(OptionalInt bosId) {
    return new Generator(transformer, tokenizer, maxBatchRows, eosIds, bosId, deviceSelection, staticDecode,
        pipelinedDecode);
  }

  /** The same generator choosing every token in Java, greedy ones included: what the device path must match. */
  Generator withHostSelection() {
    return new Generator(transformer, tokenizer, maxBatchRows, eosIds, bos, false, staticDecode, pipelinedDecode);
  }

  /**
   * The same generator decoding through {@link StaticDecoder} (fixed device inputs, attention over the whole cache;
   * recorded as a CUDA graph where the kernels can) when {@code on}, or through the plain forward pass.
   */
  public Generator withStaticDecode(boolean on) {
    return new Generator(transformer, tokenizer, maxBatchRows, eosIds, bos, deviceSelection, on, pipelinedDecode);
  }

  /**
   * The same generator launching each static decode step before reading the previous one's result when {@code on}
   * (greedy and plain-temperature params, whose tokens are chosen on the device), so the device never waits for the
   * host between steps; or reading every result before the next launch. The completions are the same either way.
   */
  public Generator withPipelinedDecode(boolean on) {
    return new Generator(transformer, tokenizer, maxBatchRows, eosIds, bos, deviceSelection, staticDecode, on);
  }

  /** Token ids of a text prompt as this generator feeds it: BOS (when added) then the text's tokens. */
  public int[] encodePrompt(String prompt) {
    int[] ids = tokenizer.encode(prompt);
    if (bos.isEmpty()) {
      return ids;
    }
    int[] withBos = new int[ids.length + 1];
    withBos[0] = bos.getAsInt();
    System.arraycopy(ids, 0, withBos, 1, ids.length);
    return withBos;
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
    Integer[] order = IntStream.range(0, prompts.size()).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> prompts.get(i).length)); // stable: ties keep request order
    int perBatch = Math.max(1, maxBatchRows / params.n());
    int total = prompts.size() * params.n();
    long start = System.nanoTime();
    int done = 0;
    long tokens = 0;
    for (int from = 0; from < order.length; from += perBatch) {
      int[] batch = new int[Math.min(perBatch, order.length - from)];
      for (int j = 0; j < batch.length; j++) {
        batch[j] = order[from + j];
      }
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
    int vocab = transformer.config().vocabSize();
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        throw new SaplingException("prompt " + index + " contains token id " + id + "; expected ids in [0, " + vocab
            + ")");
      }
    }
  }

  /** One sampled completion in progress. */
  private final class Row {
    final int promptIndex;
    final int sampleIndex;
    final int[] prompt;
    final SamplingState state;
    final StopSequenceMatcher stops;
    /** New tokens this row may have: max_new_tokens, or fewer where the model's context ends first. */
    final int limit;
    int[] tokens;
    float[] logprobs;
    int count;
    /** Uniforms drawn ahead for recorded sampling: {@code ahead[i]} is the one for token {@code aheadFrom + i}. */
    double[] ahead;
    int aheadFrom;
    FinishReason finish;
    long finishedAt;
    int[] tail;
    String head;

    Row(int promptIndex, int sampleIndex, int[] prompt, SamplingParams params, long[] promptSeeds) {
      this.promptIndex = promptIndex;
      this.sampleIndex = sampleIndex;
      this.prompt = prompt;
      this.state = promptSeeds == null
          ? SamplingState.forSample(params.seed(), promptIndex, sampleIndex, prompt)
          : SamplingState.forSample(promptSeeds[promptIndex], 0, sampleIndex, prompt);
      this.stops = params.stop().isEmpty() ? null : new StopSequenceMatcher(params.stop());
      this.limit = Math.min(params.maxNewTokens(), transformer.config().maxPositionEmbeddings() - prompt.length);
      int initial = Math.min(limit, 64);
      this.tokens = new int[initial];
      this.logprobs = new float[initial];
    }

    /** Appends a drawn token and decides whether the row is done. */
    void accept(TokenSampler.Draw draw) {
      if (count == tokens.length) {
        tokens = Arrays.copyOf(tokens, Math.min(limit, tokens.length * 2));
        logprobs = Arrays.copyOf(logprobs, tokens.length);
      }
      tokens[count] = draw.token();
      logprobs[count] = draw.logprob();
      count++;
      if (eosIds.get(draw.token())) {
        finish = FinishReason.EOS;
      } else if (stops != null && stops.update(text(count))) {
        finish = FinishReason.STOP;
      } else if (count == limit) {
        finish = FinishReason.LENGTH;
      }
    }

    /**
     * The text the first {@code n} new tokens add after the prompt. Decoded together with the prompt's last few
     * tokens and then cut after them, because tokenizers decode a word-initial token differently at the start of a
     * text (SentencePiece drops its leading space) and may join bytes across the boundary.
     */
    String text(int n) {
      if (head == null) {
        tail = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - CONTEXT_TOKENS), prompt.length);
        head = tokenizer.decode(tail);
      }
      int[] ids = Arrays.copyOf(tail, tail.length + n);
      System.arraycopy(tokens, 0, ids, tail.length, n);
      String full = tokenizer.decode(ids);
      return full.startsWith(head) ? full.substring(head.length()) : tokenizer.decode(Arrays.copyOf(tokens, n));
    }

    Completion toCompletion(long prefillNanos, long decodeStart) {
      String text = finish == FinishReason.STOP ? stops.text() : text(finish == FinishReason.EOS ? count - 1 : count);
      return new Completion(promptIndex, sampleIndex, prompt.clone(), text, Arrays.copyOf(tokens, count),
          Arrays.copyOf(logprobs, count), finish, new Completion.Timing(prefillNanos, finishedAt - decodeStart));
    }
  }

  /** Prefills the prompts at {@code batch}, then decodes all their samples until every row has finished. */
  private void runBatch(int[] batch, List<int[]> prompts, long[] promptSeeds, SamplingParams params,
      Consumer<Completion> sink) {
    ModelConfig config = transformer.config();
    int vocab = config.vocabSize();
    int n = params.n();
    int maxLen = 0;
    for (int p : batch) {
      maxLen = Math.max(maxLen, prompts.get(p).length);
    }
    int[] padding = new int[batch.length];
    int[] flat = new int[batch.length * maxLen];
    for (int b = 0; b < batch.length; b++) {
      int[] ids = prompts.get(batch[b]);
      padding[b] = maxLen - ids.length;
      System.arraycopy(ids, 0, flat, b * maxLen + padding[b], ids.length);
    }
    List<Row> rows = new ArrayList<>(); // in KV-cache order; finished rows stay until compaction
    int[] rowToPrompt = new int[batch.length * n];
    for (int b = 0; b < batch.length; b++) {
      for (int s = 0; s < n; s++) {
        rowToPrompt[rows.size()] = b;
        rows.add(new Row(batch[b], s, prompts.get(batch[b]), params, promptSeeds));
      }
    }
    TokenSelector selector =
        deviceSelection ? TokenSelector.forParams(params, vocab) : new HostTokenSelector(params, vocab);
    NDManager parent = transformer.weights().embedding().getManager();
    try (NDManager batchManager = parent.newSubManager()) {
      int newSlots = rows.stream().mapToInt(r -> r.limit).max().orElse(0);
      KvCache cache = KvCache.allocate(config, batchManager, transformer.computeType(), maxLen + newSlots, padding);
      RecordedDecoding decoder = null;
      try {
        long t0 = System.nanoTime();
        TokenSampler.Draw[] draws = step(flat, batch.length, maxLen, cache, batchManager, selector, rows, rowToPrompt);
        if (n > 1) {
          cache = replace(cache, cache.select(rowToPrompt));
        }
        long decodeStart = System.nanoTime();
        long prefillNanos = decodeStart - t0;
        while (true) {
          int alive = 0;
          for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
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
            List<Row> next = new ArrayList<>(alive);
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
          int[] lastTokens = lastTokens(rows, new int[rows.size()]);
          if (decoder == null && staticDecode) {
            decoder = new RecordedDecoding(cache, batchManager, params, rows, lastTokens, pipelinedDecode);
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

  /**
   * Decode steps through a {@link StaticDecoder} over one cache (until compaction replaces it). With greedy or
   * plain-temperature params the choice is recorded into the step ({@link RecordedPlainSampler}): the chosen tokens
   * stay on the device for the next step and one small copy per step brings them to the host. Otherwise each step's
   * logits go to the selector.
   *
   * <p>Pipelined (recorded choice only): the device runs one step ahead of the host. Step n+1 is launched before step
   * n's result is read ({@link AsyncReadback} waits for that result only), whenever the cache has room for it and some
   * unfinished row could still use its token; results are read strictly in order. A row that finishes at step n
   * ignores its output of step n+1, as it ignores every later step. Rows finished at step n leave the batch after
   * step n+1 ({@link #beforeCompaction}), pipelined or not.
   */
  private final class RecordedDecoding implements AutoCloseable {
    private final NDManager manager;
    private final StaticDecoder decoder;
    private final RecordedPlainSampler sampler;
    private final List<Row> rows;
    private final int[] lastTokens;
    private final KvCache cache;
    /** Results of launched steps not yet read, slot = step % 2; null unless pipelined. */
    private final AsyncReadback readback;
    private int launched;
    private int read;

    RecordedDecoding(KvCache cache, NDManager batchManager, SamplingParams params, List<Row> rows, int[] lastTokens,
        boolean pipelined) {
      this.manager = batchManager.newSubManager();
      this.rows = rows;
      this.lastTokens = lastTokens;
      this.cache = cache;
      if (deviceSelection && DeviceTokenSelector.isPlain(params)) {
        this.sampler = new RecordedPlainSampler(manager, params, uniformsAhead(params), rows.size(),
            transformer.config().vocabSize());
        this.decoder = StaticDecoder.open(transformer, cache, sampler);
      } else {
        this.sampler = null;
        this.decoder = StaticDecoder.open(transformer, cache);
      }
      this.readback = pipelined && sampler != null ? AsyncReadback.open(2) : null;
    }

    /**
     * Row {@code r}'s uniform for each step it may still take ({@code [steps][rows]}), drawn from its state once
     * and kept in the row, so a later decoding (after compaction) continues the same sequence.
     */
    private double[][] uniformsAhead(SamplingParams params) {
      int steps = 0;
      for (Row row : rows) {
        int left = row.limit - row.count;
        if (row.ahead == null) {
          row.ahead = new double[Math.max(0, left)];
          row.aheadFrom = row.count;
          for (int i = 0; i < row.ahead.length; i++) {
            row.ahead[i] = params.isGreedy() ? 0 : row.state.nextUniform();
          }
        }
        steps = Math.max(steps, left);
      }
      double[][] u = new double[steps][rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        for (int s = 0; s < steps; s++) {
          int i = row.count - row.aheadFrom + s;
          u[s][r] = i < row.ahead.length ? row.ahead[i] : 0;
        }
      }
      return u;
    }

    /** The first step, on the rows' last tokens from the host. */
    TokenSampler.Draw[] first(TokenSelector selector) {
      if (readback != null) {
        launch(decoder.step(lastTokens));
        return collect();
      }
      return choose(decoder.step(lastTokens), selector);
    }

    /** A later step: the recorded choice feeds itself; without it, the host's last tokens again. */
    TokenSampler.Draw[] next(TokenSelector selector) {
      if (sampler == null) {
        return choose(decoder.step(lastTokens(rows, lastTokens)), selector);
      }
      if (readback != null) {
        if (launched == read) { // nothing ran ahead (no row could use it then): launch the step now
          launch(decoder.advance());
        }
        return collect();
      }
      return choose(decoder.advance(), selector);
    }

    /**
     * The draws of one more step on the batch as it is, finished rows included ({@code null} for those), accepted
     * into the unfinished rows' states. Compaction comes after that step. Pipelined, it is the step already in flight,
     * which has written its KV and advanced the cache; so that the completions depend neither on pipelining nor on
     * where tokens are chosen (a step's numbers may depend on the batch's size), the step is run here when not
     * pipelined and with the choice made by {@code selector} as well.
     */
    TokenSampler.Draw[] beforeCompaction(TokenSelector selector) {
      if (sampler == null) {
        return next(selector);
      }
      if (readback == null) {
        return choose(decoder.advance(), null);
      }
      if (launched == read) { // defensive: a step was launched ahead for every row still unfinished
        launch(decoder.advance());
      }
      return readNext();
    }

    /** Queues the copy of a just-launched step's result; the step's output may be rewritten by the next launch. */
    private void launch(NDArray result) {
      readback.enqueue(launched % 2, result);
      launched++;
    }

    /** Launches the step after the one in flight when it can be of use, then reads the one in flight. */
    private TokenSampler.Draw[] collect() {
      if (launched == read + 1 && worthAnotherStep()) {
        launch(decoder.advance());
      }
      return readNext();
    }

    /**
     * Whether a step after the one in flight fits in the cache and could give some unfinished row a token within its
     * limit: the one in flight gives row {@code r} its token {@code count}, the next one its token {@code count + 1}.
     */
    private boolean worthAnotherStep() {
      if (cache.length() + 1 > cache.capacity()) {
        return false;
      }
      for (Row row : rows) {
        if (row.finish == null && row.count + 1 < row.limit) {
          return true;
        }
      }
      return false;
    }

    private TokenSampler.Draw[] readNext() {
      float[] values = readback.await(read % 2);
      read++;
      return accepted(sampler.draws(values));
    }

    /** The next token of every unfinished row ({@code null} for finished rows) from one step's borrowed result. */
    private TokenSampler.Draw[] choose(NDArray result, TokenSelector selector) {
      if (sampler != null) {
        return accepted(sampler.draws(result));
      }
      try (NDScope scope = new NDScope()) { // the selector's arrays; the logits themselves are borrowed
        return select(selector, result, rows, IntStream.range(0, rows.size()).toArray());
      }
    }

    /** The draws of the unfinished rows, accepted into their states; {@code null} for finished rows. */
    private TokenSampler.Draw[] accepted(TokenSampler.Draw[] all) {
      TokenSampler.Draw[] draws = new TokenSampler.Draw[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).finish == null) {
          draws[i] = all[i];
          rows.get(i).state.accept(all[i].token());
        }
      }
      return draws;
    }

    /** Waits for a step still in flight (its output is unused), then frees the decoder and its arrays. */
    @Override
    public void close() {
      try {
        if (readback != null) {
          try {
            for (int slot = 0; slot < 2; slot++) {
              if (readback.pending(slot)) {
                readback.await(slot); // the device is done with the step's tensors before they are freed
              }
            }
          } finally {
            readback.close();
          }
        }
      } finally {
        try {
          decoder.close();
        } finally {
          manager.close();
        }
      }
    }
  }

  /** Each row's last token into {@code out} (0 for a finished row, whose output is unused); returns {@code out}. */
  private static int[] lastTokens(List<Row> rows, int[] out) {
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      out[i] = row.finish == null ? row.tokens[row.count - 1] : 0;
    }
    return out;
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
      TokenSelector selector, List<Row> rows, int[] logitRow) {
    try (NDManager step = batchManager.newSubManager()) {
      NDArray logits = transformer.forward(step.create(tokens, new Shape(batchRows, count)), cache, true);
      try {
        return select(selector, logits, rows, logitRow);
      } finally {
        logits.close();
      }
    }
  }

  /**
   * The next token of every unfinished row, row {@code i} choosing from the last position's logits of batch row
   * {@code logitRow[i]}; {@code null} for finished rows. Only what {@code selector} copies reaches the host.
   */
  private static TokenSampler.Draw[] select(TokenSelector selector, NDArray logits, List<Row> rows, int[] logitRow) {
    int[] live = IntStream.range(0, rows.size()).filter(i -> rows.get(i).finish == null).toArray();
    int[] from = new int[live.length];
    SamplingState[] states = new SamplingState[live.length];
    for (int j = 0; j < live.length; j++) {
      from[j] = logitRow[live[j]];
      states[j] = rows.get(live[j]).state;
    }
    TokenSampler.Draw[] chosen = selector.select(logits, from, states);
    TokenSampler.Draw[] draws = new TokenSampler.Draw[rows.size()];
    for (int j = 0; j < live.length; j++) {
      draws[live[j]] = chosen[j];
    }
    return draws;
  }
}
