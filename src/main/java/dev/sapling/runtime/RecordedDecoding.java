package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.sapling.model.KvCache;
import dev.sapling.model.StaticDecoder;
import dev.sapling.model.Transformer;
import dev.sapling.runtime.device.AsyncReadback;
import dev.sapling.runtime.sampling.DeviceTokenSelector;
import dev.sapling.runtime.sampling.RecordedPlainSampler;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.runtime.sampling.TokenSampler;
import dev.sapling.runtime.sampling.TokenSelector;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Decode steps through a {@link StaticDecoder} over one cache (until compaction replaces it), for {@link Generator}.
 * With greedy or plain-temperature params (and device selection on) the choice is recorded into the step
 * ({@link RecordedPlainSampler}): the chosen tokens stay on the device for the next step and one small copy per step
 * brings them to the host. Otherwise each step's logits go to the selector.
 *
 * <p>Pipelined (recorded choice only): the device runs one step ahead of the host. Step n+1 is launched before step
 * n's result is read ({@link AsyncReadback} waits for that result only), whenever the cache has room for it and some
 * unfinished row could still use its token; results are read strictly in order. A row that finishes at step n
 * ignores its output of step n+1, as it ignores every later step. Rows finished at step n leave the batch after
 * step n+1 ({@link #beforeCompaction}), pipelined or not.
 */
final class RecordedDecoding implements AutoCloseable {
  private final NDManager manager;
  private final StaticDecoder decoder;
  private final RecordedPlainSampler sampler;
  private final List<DecodeRow> rows;
  private final int[] lastTokens;
  private final KvCache cache;
  /** Results of launched steps not yet read, slot = step % 2; null unless pipelined. */
  private final AsyncReadback readback;
  private int launched;
  private int read;

  /**
   * Opens the decoder over {@code cache} for {@code rows}, whose last tokens are {@code lastTokens} (reused for the
   * host's tokens when the choice is not recorded); records the choice when {@code deviceSelection} allows it.
   */
  RecordedDecoding(Transformer transformer, KvCache cache, NDManager batchManager, SamplingParams params,
      List<DecodeRow> rows, int[] lastTokens, boolean deviceSelection, boolean pipelined) {
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
    for (DecodeRow row : rows) {
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
      DecodeRow row = rows.get(r);
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
      return choose(decoder.step(DecodeRow.lastTokens(rows, lastTokens)), selector);
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
    for (DecodeRow row : rows) {
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
      return DecodeRow.select(selector, result, rows, IntStream.range(0, rows.size()).toArray());
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
