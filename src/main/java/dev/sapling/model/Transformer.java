package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The decoder-only transformer forward pass (Llama, Mistral, Qwen2, Qwen3) on DJL NDArrays, one step per line as in
 * llama3.java: embeddings, RMSNorm, q/k/v, RoPE (rotate-half), GQA attention over the KV cache with causal and padding
 * masks, SwiGLU MLP, final norm, LM head.
 *
 * <p>RMSNorm, RoPE, SwiGLU and attention go through {@link TensorOps}: composed DJL ops by default, fused natives on
 * the GPU when the caller passes them.
 *
 * <p>Every temporary lives in an {@link NDScope} per layer, so only the layer's output survives it and memory stays
 * flat over thousands of steps. Callers wrap a whole step in their own scope and keep only what they need.
 * {@link #forward} is {@link #hidden} (every block and the final norm) followed by {@link #logits} (the LM head); the
 * split lets a scorer run the body once and the large-vocabulary LM head a few positions at a time.
 *
 * <pre>{@code
 * Transformer t = new Transformer(config, weights);
 * NDArray logits = t.forward(tokenIds, cache, true);   // [batch, 1, vocab], float32
 * NDArray h = t.hidden(tokenIds, cache);                // [batch, count, hidden], normed, compute dtype
 * NDArray some = t.logits(h.get(new NDIndex(":, 0:8, :"))); // LM head over the first 8 positions only
 * }</pre>
 */
public final class Transformer {
  private final ModelConfig config;
  private final Weights weights;
  private final NDArray inverseFrequencies;
  private final DataType computeType;
  private final TensorOps ops;

  public Transformer(ModelConfig config, Weights weights) {
    this(config, weights, TensorOps.composed());
  }

  /** A transformer whose fusible steps run through {@code ops}. */
  public Transformer(ModelConfig config, Weights weights, TensorOps ops) {
    this.config = config;
    this.ops = ops;
    this.weights = weights;
    this.computeType = weights.embedding().getDataType();
    double[] inv = config.ropeScaling().apply(
        RopeScaling.baseInverseFrequencies(config.headDim(), config.ropeTheta()));
    float[] invF = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      invF[i] = (float) inv[i];
    }
    this.inverseFrequencies = weights.embedding().getManager().create(invF);
    NDScope.unregister(inverseFrequencies);
  }

  public ModelConfig config() {
    return config;
  }

  public Weights weights() {
    return weights;
  }

  /** The tensor ops the fusible steps run through. */
  public TensorOps ops() {
    return ops;
  }

  /** The dtype activations and the KV cache use. */
  public DataType computeType() {
    return computeType;
  }

  /**
   * Runs {@code tokens} ({@code [batch, count]}, int) through the model, appending their keys and values to
   * {@code cache}. Returns float32 logits {@code [batch, count, vocab]}, or {@code [batch, 1, vocab]} for the last
   * position only when {@code lastOnly}, attached to {@code tokens}' manager (so a per-step manager frees them).
   * The same as {@code logits(hidden(tokens, cache))}, without norming the positions {@code lastOnly} drops.
   */
  public NDArray forward(NDArray tokens, KvCache cache, boolean lastOnly) {
    NDArray logits;
    try (NDScope scope = new NDScope()) {
      NDArray x = body(tokens, cache);
      if (lastOnly) {
        x = x.get(new NDIndex(":, -1:, :"));
      }
      logits = ops.normLogits(x, weights.finalNorm(), config.rmsNormEps(), weights.lmHead(), computeType);
      NDScope.unregister(logits);
    }
    logits.attach(tokens.getManager()); // owned by the caller's manager (the tokens'), not by the weights' one
    return logits;
  }

  /**
   * Runs {@code tokens} ({@code [batch, count]}, int) through every block and the final norm, appending their keys
   * and values to {@code cache}. Returns the normed hidden states {@code [batch, count, hidden]} in the compute
   * dtype, attached to {@code tokens}' manager; {@link #logits} turns any slice of them into logits, so a caller can
   * run the body once and the LM head over a few positions at a time.
   *
   * <pre>{@code
   * NDArray h = t.hidden(tokenIds, cache);                              // [batch, count, hidden]
   * NDArray chunk = t.logits(h.get(new NDIndex(":, 0:8, :")));          // [batch, 8, vocab], float32
   * }</pre>
   */
  public NDArray hidden(NDArray tokens, KvCache cache) {
    NDArray normed;
    try (NDScope scope = new NDScope()) {
      normed = rmsNorm(body(tokens, cache), weights.finalNorm());
      NDScope.unregister(normed);
    }
    normed.attach(tokens.getManager());
    return normed;
  }

  /**
   * The LM head over normed hidden states ({@code [batch, count, hidden]}, from {@link #hidden}): float32 logits
   * {@code [batch, count, vocab]}, attached to {@code hidden}'s manager.
   */
  public NDArray logits(NDArray hidden) {
    NDArray logits;
    try (NDScope scope = new NDScope()) {
      logits = lmHead(hidden);
      NDScope.unregister(logits);
    }
    logits.attach(hidden.getManager());
    return logits;
  }

  /**
   * Log-probabilities (float32, {@code [batch, count]}) of {@code targets} ({@code [batch, count]} int64) under the LM
   * head over normed hidden states ({@code [batch, count, hidden]}, from {@link #hidden}): the scorer's path. The
   * logits stay in the compute dtype; the log-softmax (float32) reads them directly, with no separate float32 copy.
   * Attached to {@code hidden}'s manager.
   */
  public NDArray tokenLogProbs(NDArray hidden, NDArray targets) {
    NDArray logProbs;
    try (NDScope scope = new NDScope()) {
      Shape s = hidden.getShape();
      NDArray logits = hidden.reshape(-1, s.get(2)).matMul(weights.lmHead());      // [b * t, vocab], compute dtype
      logProbs = ops.logSoftmaxGather(logits, targets.reshape(-1)).reshape(s.get(0), s.get(1));
      NDScope.unregister(logProbs);
    }
    logProbs.attach(hidden.getManager());
    return logProbs;
  }

  /**
   * One decode step for a recording ({@link StepRecorder}): one token per row ({@code tokens}, {@code [batch, 1]}
   * int64) written at cache slot {@code slot} ({@code [1]} int64), rows left-padded by {@code padding}
   * ({@code [batch, 1]} int64). Unlike {@link #forward}, every changing input is a device tensor and attention runs
   * over the cache's whole capacity (slots past {@code slot} are masked), so the same ops serve every step. Does
   * not advance the cache (the caller does, after the step ran). Returns float32 logits {@code [batch, 1, vocab]}
   * attached to {@code out}.
   */
  NDArray decode(NDArray tokens, NDArray slot, NDArray padding, KvCache cache, NDManager out) {
    NDArray logits;
    try (NDScope scope = new NDScope()) {
      NDManager m = tokens.getManager();
      NDArray positions = slot.sub(padding);                                    // [b, 1]
      NDArray keyIndex = m.arange(0, cache.capacity(), 1, DataType.INT64);      // [capacity]
      NDArray visible = keyIndex.gte(padding).logicalAnd(keyIndex.lte(slot));  // [b, capacity]
      if (config.slidingWindow() > 0) {
        NDArray window = m.full(new Shape(1), config.slidingWindow(), DataType.INT64);
        visible = visible.logicalAnd(keyIndex.gt(slot.sub(window)));
      }
      NDArray mask = AttentionMasks.additive(visible, computeType)
          .reshape(cache.batchSize(), 1, 1, 1, cache.capacity());
      StepInputs step = new StepInputs(rotary(positions), ops.attentionMask(mask, groups(), computeType), slot,
          padding);
      NDArray x = layers(tokens, cache, step);
      logits = ops.normLogits(x, weights.finalNorm(), config.rmsNormEps(), weights.lmHead(), computeType);
      NDScope.unregister(logits);
    }
    logits.attach(out);
    return logits;
  }

  /**
   * Embeddings and every block over {@code tokens}, advancing {@code cache}: the residual stream before the final
   * norm, {@code [batch, count, hidden]}, registered in the caller's {@link NDScope}.
   */
  private NDArray body(NDArray tokens, KvCache cache) {
    int batch = (int) tokens.getShape().get(0);
    int count = (int) tokens.getShape().get(1);
    if (batch != cache.batchSize()) {
      throw new IllegalArgumentException("tokens have " + batch + " rows, cache has " + cache.batchSize());
    }
    cache.checkRoom(count);
    NDManager m = tokens.getManager();
    // rotary angles and attention mask for the new positions, shared by every layer; none (plain causal) when the
    // cache is empty and unpadded and no sliding window cuts in
    boolean aligned = cache.length() == 0 && Arrays.stream(cache.padding()).allMatch(p -> p == 0)
        && (config.slidingWindow() == 0 || count <= config.slidingWindow());
    NDArray mask = aligned ? null : cache.mask(m, count, config.slidingWindow(), computeType);
    StepInputs step = new StepInputs(rotary(cache.positions(m, count)),
        ops.attentionMask(mask, groups(), computeType), null, null);
    NDArray x = layers(tokens, cache, step);
    cache.advance(count);
    return x;
  }

  /**
   * What every layer of one pass shares: rotary tables, the prepared mask, and for a decode step the write slot and
   * the rows' padding (device tensors).
   */
  private record StepInputs(NDArray[] cosSin, NDArray mask, NDArray slot, NDArray padding) {}

  /** Token embeddings, then every block. */
  private NDArray layers(NDArray tokens, KvCache cache, StepInputs step) {
    NDArray x = weights.embedding().get(new NDIndex("{}", tokens.toType(DataType.INT64, false)));
    for (int layer = 0; layer < weights.layers().size(); layer++) {
      x = block(layer, x, cache, step);
    }
    return x;
  }

  /** Query heads per key/value head. */
  private int groups() {
    return config.numHeads() / config.numKeyValueHeads();
  }

  /**
   * LM head in float32: {@code normed} times the output embedding, as one 2-D product over every row and position
   * (a slice of positions is made contiguous first: as a batched product, cuBLAS picks a kernel 20x slower).
   */
  private NDArray lmHead(NDArray normed) {
    Shape s = normed.getShape();
    NDArray rows = normed.reshape(-1, s.get(2));
    return rows.matMul(weights.lmHead()).toType(DataType.FLOAT32, false).reshape(s.get(0), s.get(1), -1);
  }

  /** One transformer block: attention then MLP, each with a pre-norm and a residual connection. */
  private NDArray block(int layer, NDArray x, KvCache cache, StepInputs step) {
    LayerWeights w = weights.layers().get(layer);
    int batch = (int) x.getShape().get(0);
    int count = (int) x.getShape().get(1);
    int heads = config.numHeads();
    int kvHeads = config.numKeyValueHeads();
    int hd = config.headDim();
    NDArray out;
    try (NDScope scope = new NDScope()) {
      // attention rmsnorm and the qkv matmul (one fused product, plus bias for Qwen2)
      NDArray qkv = ops.normProduct(x, w.attentionNorm(), config.rmsNormEps(), w.qkv(), w.qkvBias(),
          computeType);
      NDArray q;
      NDArray keys;
      NDArray values;
      if (w.queryNorm() == null && step.slot() != null) {
        // a decode step: RoPE over the query and key heads and the cache write of keys and values at the device slot
        keys = cache.allKeys(layer);
        values = cache.allValues(layer);
        q = ops.ropeStore(qkv, heads, kvHeads, step.cosSin()[0], step.cosSin()[1], keys, values, step.slot());
      } else {
        NDArray k;
        if (w.queryNorm() == null) {
          // RoPE (rotate-half) over the query and key heads together: they are adjacent in the qkv product
          NDArray qk = rope(qkv.get(new NDIndex(":, :, :{}", (heads + kvHeads) * hd))
              .reshape(batch, count, heads + kvHeads, hd), step.cosSin());
          q = qk.get(new NDIndex(":, :, :{}", heads));
          k = qk.get(new NDIndex(":, :, {}:", heads));
        } else {
          // per-head q/k norm (Qwen3), then RoPE
          q = rope(rmsNorm(qkv.get(new NDIndex(":, :, :{}", heads * hd)).reshape(batch, count, heads, hd),
              w.queryNorm()), step.cosSin());
          k = rope(rmsNorm(qkv.get(new NDIndex(":, :, {}:{}", heads * hd, (heads + kvHeads) * hd))
              .reshape(batch, count, kvHeads, hd), w.keyNorm()), step.cosSin());
        }
        NDArray v = qkv.get(new NDIndex(":, :, {}:", (heads + kvHeads) * hd)).reshape(batch, count, kvHeads, hd);

        // save key, value to the cache ([batch, kvHeads, count, hd]); attend over what it holds
        if (step.slot() == null) {
          cache.write(layer, k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3));
          keys = cache.keys(layer, count);
          values = cache.values(layer, count);
        } else {
          cache.writeAt(layer, step.slot(), k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3));
          keys = cache.allKeys(layer);
          values = cache.allValues(layer);
        }
      }

      // multihead attention: query heads grouped by the key/value head they share
      NDArray attended = step.slot() == null                                          // [b, t, heads * hd]
          ? ops.attention(q, keys, values, step.mask(), computeType)
          : ops.decodeAttention(q, keys, values, step.slot(), step.padding(), config.slidingWindow(), step.mask(),
              computeType);

      // output projection and residual
      NDArray afterAttention = ops.addProduct(x, attended, w.output());

      // ffn rmsnorm, SwiGLU MLP (gate and up projections, down projection) and residual
      out = ops.normSwiGluMlp(afterAttention, w.mlpNorm(), config.rmsNormEps(), w.gateUp(), w.down(),
          computeType);
      NDScope.unregister(out);
    }
    NDScope.register(out); // owned by the caller's scope (forward's), or it would outlive the step
    return out;
  }

  /** RMSNorm over the last axis, computed in float32 as Hugging Face does, then scaled by {@code weight}. */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    return ops.rmsNorm(x, weight, config.rmsNormEps(), computeType);
  }

  /**
   * cos and sin of position × frequency, {@code [batch, count, 1, headDim]} each (the half-dimension angles
   * repeated, as Hugging Face lays them out), in the compute dtype.
   */
  private NDArray[] rotary(NDArray positions) {
    Shape s = positions.getShape();
    NDArray half = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(inverseFrequencies)
        .reshape(s.get(0), s.get(1), 1, inverseFrequencies.size());
    NDArray angles = half.concat(half, 3);
    return new NDArray[] {angles.cos().toType(computeType, false), angles.sin().toType(computeType, false)};
  }

  /** Rotate-half RoPE with the shared angles. */
  private NDArray rope(NDArray x, NDArray[] cosSin) {
    return ops.rope(x, cosSin[0], cosSin[1]);
  }
}
