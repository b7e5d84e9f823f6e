package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import java.util.Arrays;

/**
 * Keys and values of every layer for a batch of rows, preallocated to a fixed capacity so decode steps write in place
 * (the static layout CUDA graphs need). Rows are left-padded: row {@code b} starts at slot {@code padding[b]}, and
 * every row has the same number of filled slots, {@link #length()}.
 *
 * <p>Owns its arrays in its own {@code NDManager}; close it when the batch is done.
 *
 * <pre>{@code
 * try (KvCache cache = KvCache.allocate(model.config(), manager, DataType.FLOAT32, 8, 512, padding)) {
 *   NDArray logits = transformer.forward(promptIds, cache, true);
 * }
 * }</pre>
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int capacity;
  private int[] padding;
  private int length;

  private KvCache(NDManager manager, NDArray[] keys, NDArray[] values, int capacity, int[] padding, int length) {
    this.manager = manager;
    this.keys = keys;
    this.values = values;
    this.capacity = capacity;
    this.padding = padding;
    this.length = length;
  }

  /** A cache for {@code padding.length} rows and {@code capacity} positions; {@code padding[b]} leading pad slots. */
  public static KvCache allocate(ModelConfig config, NDManager parent, DataType dtype, int capacity, int[] padding) {
    NDManager m = parent.newSubManager();
    int layers = config.numLayers();
    NDArray[] k = new NDArray[layers];
    NDArray[] v = new NDArray[layers];
    Shape shape = new Shape(padding.length, config.numKeyValueHeads(), capacity, config.headDim());
    for (int i = 0; i < layers; i++) {
      k[i] = m.zeros(shape, dtype);
      v[i] = m.zeros(shape, dtype);
      NDScope.unregister(k[i], v[i]); // outlives any step scope the caller has open
    }
    return new KvCache(m, k, v, capacity, padding.clone(), 0);
  }

  /** Rows in the batch. */
  public int batchSize() {
    return padding.length;
  }

  /** Filled slots (padding included), the same for every row. */
  public int length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  /** Leading pad slots of each row. */
  public int[] padding() {
    return padding.clone();
  }

  /** Fails early, with numbers, when {@code newTokens} more positions would not fit. */
  public void checkRoom(int newTokens) {
    if (length + newTokens > capacity) {
      throw new SaplingException("KV cache full: " + length + " positions used + " + newTokens + " new > capacity "
          + capacity + "; allocate a larger cache (prompt length + max new tokens)");
    }
  }

  /**
   * Rotary positions of {@code count} new tokens, {@code [batch, count]}: slot index minus the row's padding, so a
   * row's first real token is position 0 whatever its padding (pad slots get position 0).
   */
  NDArray positions(NDManager m, int count) {
    long[] pos = new long[padding.length * count];
    for (int b = 0; b < padding.length; b++) {
      for (int t = 0; t < count; t++) {
        pos[b * count + t] = Math.max(0, length + t - padding[b]);
      }
    }
    return m.create(pos, new Shape(padding.length, count));
  }

  /**
   * Additive attention mask {@code [batch, 1, 1, count, length + count]}: 0 where a query may see a key (causal,
   * not padding, within the sliding window), a large negative number elsewhere. A pad query sees itself only, so
   * no softmax row is empty and no NaN can arise. Built on the device from index ranges (only the padding is copied
   * there): a 32 × 512 scoring pass would otherwise copy 8 million floats from the host.
   */
  NDArray mask(NDManager m, int count, int slidingWindow, DataType dtype) {
    int keysLen = length + count;
    long[] pad = new long[padding.length];
    for (int b = 0; b < pad.length; b++) {
      pad[b] = padding[b];
    }
    NDArray keys = m.arange(0, keysLen, 1, DataType.INT64).reshape(1, 1, keysLen);            // [1, 1, s]
    NDArray queries = m.arange(length, keysLen, 1, DataType.INT64).reshape(1, count, 1);      // [1, t, 1]
    NDArray visible = keys.lte(queries).logicalAnd(keys.gte(m.create(pad, new Shape(pad.length, 1, 1))));
    if (slidingWindow > 0) {
      NDArray windowStart = m.arange(length - slidingWindow + 1, keysLen - slidingWindow + 1, 1, DataType.INT64)
          .reshape(1, count, 1);
      visible = visible.logicalAnd(keys.gte(windowStart));
    }
    visible = visible.logicalOr(keys.eq(queries));                                             // [b, t, s]
    return AttentionMasks.additive(visible, dtype).reshape(padding.length, 1, 1, count, keysLen);
  }

  /** Writes {@code k}, {@code v} ({@code [batch, kvHeads, count, headDim]}) of one layer at the current end. */
  void write(int layer, NDArray k, NDArray v) {
    NDIndex slots = new NDIndex(":, :, {}:{}", length, length + k.getShape().get(2));
    keys[layer].set(slots, k);
    values[layer].set(slots, v);
  }

  /**
   * Writes {@code k}, {@code v} ({@code [batch, kvHeads, 1, headDim]}) of one layer at the slot a device tensor holds
   * ({@code [1]} int64): the decode step a recording replays, where the slot changes but the kernels do not.
   */
  void writeAt(int layer, NDArray slot, NDArray k, NDArray v) {
    NDIndex at = new NDIndex(":, :, {}", slot);
    keys[layer].set(at, k);
    values[layer].set(at, v);
  }

  /** Keys of one layer over every slot, filled or not, {@code [batch, kvHeads, capacity, hd]}. */
  NDArray allKeys(int layer) {
    return keys[layer];
  }

  /** Values of one layer over every slot, {@code [batch, kvHeads, capacity, hd]}. */
  NDArray allValues(int layer) {
    return values[layer];
  }

  /** The manager that owns this cache's arrays (closed with it). */
  NDManager manager() {
    return manager;
  }

  /** Keys of one layer over the filled slots plus {@code pending} just written, {@code [batch, kvHeads, n, hd]}. */
  NDArray keys(int layer, int pending) {
    return keys[layer].get(new NDIndex(":, :, :{}", length + pending));
  }

  NDArray values(int layer, int pending) {
    return values[layer].get(new NDIndex(":, :, :{}", length + pending));
  }

  /** Marks {@code count} new slots as filled (after every layer wrote them). */
  void advance(int count) {
    length += count;
  }

  /**
   * A new cache whose row {@code i} is a copy of this cache's row {@code rows[i]}: shares a prompt's prefill among
   * its {@code n} samples (repeated indices), or drops finished rows from a batch.
   */
  public KvCache select(int[] rows) {
    NDManager m = manager.getParentManager().newSubManager();
    NDArray[] k = new NDArray[keys.length];
    NDArray[] v = new NDArray[keys.length];
    try (NDManager temp = manager.newSubManager()) {
      long[] longRows = Arrays.stream(rows).asLongStream().toArray();
      NDArray index = temp.create(longRows);
      for (int i = 0; i < keys.length; i++) {
        k[i] = keys[i].get(new NDIndex("{}", index));
        k[i].attach(m);
        v[i] = values[i].get(new NDIndex("{}", index));
        v[i].attach(m);
        NDScope.unregister(k[i], v[i]);
      }
    }
    int[] pad = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      pad[i] = padding[rows[i]];
    }
    return new KvCache(m, k, v, capacity, pad, length);
  }

  @Override
  public void close() {
    manager.close();
  }
}
