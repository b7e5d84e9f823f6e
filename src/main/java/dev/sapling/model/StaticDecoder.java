package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;

/**
 * Decode steps over one {@link KvCache} with fixed inputs on the device, so a {@link StepRecorder} can record the
 * step once and replay it for every token (CUDA graphs on the GPU: one launch instead of hundreds of kernels issued
 * from Java). Each step copies the rows' tokens and the cache slot to the device in one transfer; rotary positions
 * and the attention mask are computed from them on the device ({@code Transformer.decode}).
 *
 * <p>The first step runs eagerly (it also warms up the libraries); the second is recorded, then replayed. Without a
 * recorder, or if recording fails (reported once to stderr), every step runs eagerly: same results, more launches.
 * Logits are borrowed: valid until the next step or {@link #close}, never closed by the caller. With a
 * {@link StepTail} the step also chooses the next tokens on the device and feeds them back, so {@link #advance} needs
 * nothing from the host; a copy of its result queued on the device before the next {@link #advance} reads this step's
 * values, so the host may launch the next step before it reads this one (the device then runs a step ahead).
 *
 * <pre>{@code
 * try (StaticDecoder d = StaticDecoder.open(transformer, cache)) {   // after the prompt is prefilled into cache
 *   NDArray logits = d.step(lastTokens);                            // [batch, 1, vocab], float32
 * }
 * }</pre>
 */
public final class StaticDecoder implements AutoCloseable {
  private final Transformer transformer;
  private final KvCache cache;
  private final NDManager manager;
  private final NDArray packed;
  private final NDArray tokens;
  private final NDArray slot;
  private final NDArray padding;
  private final StepTail tail;
  private Optional<StepRecorder> recorder;
  private StepRecorder.Recording recording;
  private NDArray eagerOutput;
  private int steps;

  StaticDecoder(Transformer transformer, KvCache cache, Optional<StepRecorder> recorder, StepTail tail) {
    this.transformer = transformer;
    this.cache = cache;
    this.recorder = recorder;
    this.tail = tail;
    this.manager = cache.manager().newSubManager();
    int batch = cache.batchSize();
    this.packed = manager.zeros(new Shape(batch + 1), DataType.INT64);
    this.tokens = packed.get(new NDIndex("0:{}", batch)).reshape(batch, 1);
    this.slot = packed.get(new NDIndex("{}:", batch));
    long[] pad = new long[batch];
    int[] p = cache.padding();
    for (int b = 0; b < batch; b++) {
      pad[b] = p[b];
    }
    this.padding = manager.create(pad, new Shape(batch, 1));
  }

  /** A decoder over {@code cache}, recording its steps when the transformer's kernels can and the cache is on a GPU. */
  public static StaticDecoder open(Transformer transformer, KvCache cache) {
    return open(transformer, cache, null);
  }

  /**
   * A decoder whose steps end with {@code tail} (choosing the next tokens on the device, {@link #advance}), recorded
   * together with the model where the kernels can; {@code null}: steps return the logits.
   */
  public static StaticDecoder open(Transformer transformer, KvCache cache, StepTail tail) {
    boolean gpu = cache.manager().getDevice().isGpu();
    return new StaticDecoder(transformer, cache, gpu ? transformer.ops().recorder() : Optional.empty(), tail);
  }

  /** A decoder that runs every step eagerly (what a recorded step must match). */
  public static StaticDecoder eager(Transformer transformer, KvCache cache) {
    return new StaticDecoder(transformer, cache, Optional.empty(), null);
  }

  /** Whether steps now replay a recording. */
  public boolean recorded() {
    return recording != null;
  }

  /**
   * Feeds one token per row ({@code next.length == batch}) at the cache's next slot and advances the cache.
   * Returns float32 logits {@code [batch, 1, vocab]}, or the tail's result, borrowed until the next step.
   */
  public NDArray step(int[] next) {
    int batch = cache.batchSize();
    if (next.length != batch) {
      throw new IllegalArgumentException("step: " + next.length + " tokens for a cache of " + batch + " rows");
    }
    cache.checkRoom(1);
    long[] values = new long[batch + 1];
    for (int b = 0; b < batch; b++) {
      values[b] = next[b];
    }
    values[batch] = cache.length();
    // copied into the recorded tensor in place (NDArray.set(Buffer) may swap the storage under the views)
    try (NDArray fresh = manager.create(values)) {
      packed.set(new NDIndex("0:{}", batch + 1), fresh);
    }
    return run();
  }

  /**
   * One more step on the tokens the tail chose in the previous step (nothing crosses from the host); returns the
   * tail's result, borrowed until the next step.
   */
  public NDArray advance() {
    if (tail == null || steps == 0) {
      throw new IllegalStateException("advance needs a tail and a first step(tokens)");
    }
    cache.checkRoom(1);
    return run();
  }

  private NDArray run() {
    if (eagerOutput != null) {
      eagerOutput.close();
      eagerOutput = null;
    }
    if (recording == null && steps > 0 && recorder.isPresent()) {
      try {
        recording = recorder.get().record(manager.getDevice(), this::stepOnDevice);
      } catch (RuntimeException e) {
        System.err.println("sapling: decode steps run without CUDA graphs (recording failed: " + e.getMessage()
            + ")");
        recorder = Optional.empty();
      }
    }
    NDArray out;
    if (recording != null) {
      recording.replay();
      out = recording.output();
    } else {
      eagerOutput = stepOnDevice();
      out = eagerOutput;
    }
    cache.advance(1);
    steps++;
    return out;
  }

  /** The device work of one step: the model, then the tail if any. */
  private NDArray stepOnDevice() {
    if (tail == null) {
      return transformer.decode(tokens, slot, padding, cache, manager);
    }
    NDArray out;
    try (NDScope scope = new NDScope(); // the tail's temporaries; its result outlives the step
        NDArray logits = transformer.decode(tokens, slot, padding, cache, manager)) {
      out = tail.apply(logits, tokens, slot);
      NDScope.unregister(out);
    }
    out.attach(manager);
    return out;
  }

  @Override
  public void close() {
    try {
      if (recording != null) {
        StepRecorder.Recording r = recording;
        recording = null;
        r.close();
      }
    } finally {
      manager.close();
    }
  }
}
