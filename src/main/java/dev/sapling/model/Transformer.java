package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The decoder-only transformer forward pass (Llama, Mistral, Qwen2, Qwen3) on DJL NDArrays, one step per line as in
 * llama3.java: embeddings, RMSNorm, q/k/v, RoPE (rotate-half), GQA attention over the KV cache with causal and padding
 * masks, SwiGLU MLP, final norm, LM head.
 *
 * <p>Every temporary lives in an {@link NDScope} per layer, so only the layer's output survives it and memory stays
 * flat over thousands of steps. Callers wrap a whole step in their own scope and keep only what they need.
 *
 * <pre>{@code
 * Transformer t = new Transformer(config, weights);
 * NDArray logits = t.forward(tokenIds, cache, true);   // [batch, 1, vocab], float32
 * }</pre>
 */
public final class Transformer {
  private final ModelConfig config;
  private final Weights weights;
  private final NDArray inverseFrequencies;
  private final DataType computeType;

  public Transformer(ModelConfig config, Weights weights) {
    this.config = config;
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

  /** The dtype activations and the KV cache use. */
  public DataType computeType() {
    return computeType;
  }

  /**
   * Runs {@code tokens} ({@code [batch, count]}, int) through the model, appending their keys and values to
   * {@code cache}. Returns float32 logits {@code [batch, count, vocab]}, or {@code [batch, 1, vocab]} for the last
   * position only when {@code lastOnly}, attached to {@code tokens}' manager (so a per-step manager frees them).
   */
  public NDArray forward(NDArray tokens, KvCache cache, boolean lastOnly) {
    int batch = (int) tokens.getShape().get(0);
    int count = (int) tokens.getShape().get(1);
    if (batch != cache.batchSize()) {
      throw new IllegalArgumentException("tokens have " + batch + " rows, cache has " + cache.batchSize());
    }
    cache.checkRoom(count);
    NDManager m = tokens.getManager();
    NDArray x;
    NDArray logits;
    try (NDScope scope = new NDScope()) {
      // rotary angles and attention mask for the new positions, shared by every layer
      NDArray[] cosSin = rotary(cache.positions(m, count));
      NDArray mask = cache.mask(m, count, config.slidingWindow(), computeType);

      // token embeddings
      x = weights.embedding().get(new NDIndex("{}", tokens.toType(DataType.INT64, false)));
      for (int layer = 0; layer < weights.layers().size(); layer++) {
        x = block(layer, x, cache, cosSin, mask);
      }
      cache.advance(count);

      // final norm and LM head, in float32
      if (lastOnly) {
        x = x.get(new NDIndex(":, -1:, :"));
      }
      logits = rmsNorm(x, weights.finalNorm()).matMul(weights.lmHead()).toType(DataType.FLOAT32, false);
      NDScope.unregister(logits);
    }
    logits.attach(m); // owned by the caller's manager (the tokens'), not by the weights' long-lived one
    return logits;
  }

  /** One transformer block: attention then MLP, each with a pre-norm and a residual connection. */
  private NDArray block(int layer, NDArray x, KvCache cache, NDArray[] cosSin, NDArray mask) {
    LayerWeights w = weights.layers().get(layer);
    int batch = (int) x.getShape().get(0);
    int count = (int) x.getShape().get(1);
    int heads = config.numHeads();
    int kvHeads = config.numKeyValueHeads();
    int hd = config.headDim();
    NDArray out;
    try (NDScope scope = new NDScope()) {
      // attention rmsnorm
      NDArray h = rmsNorm(x, w.attentionNorm());

      // qkv matmul (one fused product, plus bias for Qwen2)
      NDArray qkv = h.matMul(w.qkv());
      if (w.qkvBias() != null) {
        qkv = qkv.add(w.qkvBias());
      }
      NDList parts = qkv.split(new long[] {heads * hd, (heads + kvHeads) * hd}, 2);
      NDArray q = parts.get(0).reshape(batch, count, heads, hd);
      NDArray k = parts.get(1).reshape(batch, count, kvHeads, hd);
      NDArray v = parts.get(2).reshape(batch, count, kvHeads, hd);

      // per-head q/k norm (Qwen3)
      if (w.queryNorm() != null) {
        q = rmsNorm(q, w.queryNorm());
        k = rmsNorm(k, w.keyNorm());
      }

      // RoPE (rotate-half layout)
      q = rope(q, cosSin);
      k = rope(k, cosSin);

      // save key, value to the cache: [batch, kvHeads, count, hd]
      cache.write(layer, k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3));

      // multihead attention: query heads grouped by the key/value head they share
      NDArray keys = cache.keys(layer, count).expandDims(2);     // [b, kvh, 1, s, hd]
      NDArray values = cache.values(layer, count).expandDims(2); // [b, kvh, 1, s, hd]
      NDArray grouped = q.reshape(batch, count, kvHeads, config.groupSize(), hd)
          .transpose(0, 2, 3, 1, 4);                               // [b, kvh, g, t, hd]
      NDArray scores = grouped.matMul(keys.transpose(0, 1, 2, 4, 3))
          .mul(1.0 / Math.sqrt(hd)).add(mask);                     // [b, kvh, g, t, s]
      NDArray probs = scores.toType(DataType.FLOAT32, false).softmax(-1).toType(computeType, false);
      NDArray attended = probs.matMul(values)                      // [b, kvh, g, t, hd]
          .transpose(0, 3, 1, 2, 4).reshape(batch, count, heads * hd);

      // output projection and residual
      NDArray afterAttention = x.add(attended.matMul(w.output()));

      // ffn rmsnorm, SwiGLU, down projection and residual
      NDArray gateUp = rmsNorm(afterAttention, w.mlpNorm()).matMul(w.gateUp());
      NDList gu = gateUp.split(2, 2);
      NDArray hidden = silu(gu.get(0)).mul(gu.get(1));
      out = afterAttention.add(hidden.matMul(w.down()));
      NDScope.unregister(out);
    }
    NDScope.register(out); // owned by the caller's scope (forward's), or it would outlive the step
    return out;
  }

  /** RMSNorm over the last axis, computed in float32 as Hugging Face does, then scaled by {@code weight}. */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    NDArray inverseRms = x32.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).pow(-0.5);
    return x32.mul(inverseRms).toType(computeType, false).mul(weight);
  }

  /** SiLU, {@code x * sigmoid(x)}: the SwiGLU gate activation. */
  private static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /** cos and sin of position × frequency, {@code [batch, count, 1, headDim/2]} each, in the compute dtype. */
  private NDArray[] rotary(NDArray positions) {
    Shape s = positions.getShape();
    NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(inverseFrequencies)
        .reshape(s.get(0), s.get(1), 1, inverseFrequencies.size());
    return new NDArray[] {angles.cos().toType(computeType, false), angles.sin().toType(computeType, false)};
  }

  /** Rotate-half RoPE: {@code [x1, x2] -> [x1 cos - x2 sin, x2 cos + x1 sin]} over the last axis. */
  private static NDArray rope(NDArray x, NDArray[] cosSin) {
    int last = x.getShape().dimension() - 1;
    NDList halves = x.split(2, last);
    NDArray x1 = halves.get(0);
    NDArray x2 = halves.get(1);
    NDArray cos = cosSin[0];
    NDArray sin = cosSin[1];
    return NDArrays.concat(new NDList(x1.mul(cos).sub(x2.mul(sin)), x2.mul(cos).add(x1.mul(sin))), last);
  }
}
