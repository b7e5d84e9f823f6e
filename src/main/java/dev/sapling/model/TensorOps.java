package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Optional;

/**
 * The fusible steps of the transformer forward pass. {@link #composed()} builds each from DJL ops and runs on any
 * device; a device-specific implementation (Sapling's fused natives on the GPU) must give the same results within
 * the dtype's precision.
 *
 * <pre>{@code
 * Transformer t = new Transformer(config, weights, TensorOps.composed());
 * }</pre>
 */
public interface TensorOps {
  /** RMSNorm over the last axis computed in float32, cast to {@code computeType}, then scaled by {@code weight}. */
  NDArray rmsNorm(NDArray x, NDArray weight, double eps, DataType computeType);

  /**
   * Rotate-half RoPE over the last axis as Hugging Face writes it: {@code x * cos + rotateHalf(x) * sin} with
   * {@code rotateHalf([x1, x2]) = [-x2, x1]}; {@code cos} and {@code sin} span the whole head dimension (the angles
   * repeated for both halves) and broadcast over {@code x}.
   */
  NDArray rope(NDArray x, NDArray cos, NDArray sin);

  /**
   * A residual connection after a projection: {@code residual + x · weight} ({@code [b, t, in]} times
   * {@code [in, out]} plus {@code [b, t, out]}).
   */
  NDArray addProduct(NDArray residual, NDArray x, NDArray weight);

  /**
   * Log-softmax over the last axis in float32, at one token per row: {@code logits} {@code [n, vocab]} (any float
   * dtype), {@code targets} {@code [n]} int64; returns {@code [n]} float32 log-probabilities.
   */
  NDArray logSoftmaxGather(NDArray logits, NDArray targets);

  /**
   * The SwiGLU MLP with its residual: {@code residual + (silu(x · gate) * (x · up)) · down}, where {@code gateUp}
   * ({@code [hidden, 2 * intermediate]}) holds the gate projection's columns then the up projection's.
   */
  NDArray swiGluMlp(NDArray residual, NDArray x, NDArray gateUp, NDArray down);

  /**
   * The additive attention mask ({@code [b, 1, 1, t, s]}, float) in the form {@link #attention} takes, for query heads
   * in groups of {@code groups} per key/value head. Called once per forward pass; every layer reuses the result.
   * {@code null} (plain causal attention, see {@link #attention}) stays {@code null}.
   */
  NDArray attentionMask(NDArray mask, int groups, DataType computeType);

  /**
   * Grouped-query attention of {@code q} ({@code [b, t, heads, hd]}) over {@code keys} and {@code values}
   * ({@code [b, kvHeads, s, hd]}) with a mask from {@link #attentionMask}; softmax in float32. A {@code null} mask
   * means plain causal attention with queries and keys aligned ({@code t == s}, no padding): query {@code i} sees
   * keys {@code 0..i}, which lets the GPU use its flash kernel (the composed ops build that mask in each call). Returns {@code [b, t, heads * hd]} in the compute
   * dtype.
   */
  NDArray attention(NDArray q, NDArray keys, NDArray values, NDArray mask, DataType computeType);

  /**
   * {@code rmsNorm(x, norm) · weight} (plus {@code bias} when not null): a block's pre-norm and the product it feeds
   * ({@code [b, t, hidden]} times {@code [hidden, out]}), which a device can run as one kernel.
   */
  default NDArray normProduct(NDArray x, NDArray norm, double eps, NDArray weight, NDArray bias,
      DataType computeType) {
    NDArray product = RowStableProduct.of(rmsNorm(x, norm, eps, computeType), weight);
    return bias == null ? product : product.add(bias);
  }

  /** The MLP half of a block with its pre-norm: {@code x + swiGluMlp(rmsNorm(x, norm))} (see {@link #swiGluMlp}). */
  default NDArray normSwiGluMlp(NDArray x, NDArray norm, double eps, NDArray gateUp, NDArray down,
      DataType computeType) {
    return swiGluMlp(x, rmsNorm(x, norm, eps, computeType), gateUp, down);
  }

  /**
   * Float32 logits {@code [b, t, vocab]} of the final norm and the LM head: {@code rmsNorm(x, norm) · lmHead} as one
   * 2-D product over every row and position.
   */
  default NDArray normLogits(NDArray x, NDArray norm, double eps, NDArray lmHead, DataType computeType) {
    NDArray h = rmsNorm(x, norm, eps, computeType);
    Shape s = h.getShape();
    return RowStableProduct.of(h.reshape(-1, s.get(2)), lmHead).toType(DataType.FLOAT32, false)
        .reshape(s.get(0), s.get(1), -1);
  }

  /**
   * A decode step's rotary embedding and cache write: {@code qkv} ({@code [b, 1, (heads + 2 * kvHeads) * hd]}, the
   * fused projection) has its query and key heads rotated with {@code cos}/{@code sin} (as {@link #rope}); the keys
   * and the values are written into the layer's cache {@code keys}/{@code values} ({@code [b, kvHeads, capacity, hd]})
   * at the slot the device tensor {@code slot} ({@code [1]} int64) holds. Returns the rotated queries
   * {@code [b, 1, heads, hd]}.
   */
  default NDArray ropeStore(NDArray qkv, int heads, int kvHeads, NDArray cos, NDArray sin, NDArray keys,
      NDArray values, NDArray slot) {
    Shape s = qkv.getShape();
    long hd = keys.getShape().get(3);
    long qk = (heads + kvHeads) * hd;
    NDArray rotated = rope(qkv.get(new NDIndex(":, :, :{}", qk)).reshape(s.get(0), s.get(1), heads + kvHeads, hd),
        cos, sin);
    NDArray v = qkv.get(new NDIndex(":, :, {}:", qk)).reshape(s.get(0), s.get(1), kvHeads, hd);
    NDIndex at = new NDIndex(":, :, {}", slot);
    keys.set(at, rotated.get(new NDIndex(":, :, {}:", heads)).transpose(0, 2, 1, 3));
    values.set(at, v.transpose(0, 2, 1, 3));
    return rotated.get(new NDIndex(":, :, :{}", heads));
  }

  /**
   * {@link #attention} for a decode step over the cache's whole capacity: row {@code b} sees the slots from
   * {@code padding[b]} ({@code [b, 1]} int64) to {@code slot} ({@code [1]} int64), and only those after
   * {@code slot - window} when {@code window > 0}, which {@code mask} (from {@link #attentionMask}) also says; a device
   * kernel can read just those slots instead of applying the mask.
   */
  default NDArray decodeAttention(NDArray q, NDArray keys, NDArray values, NDArray slot, NDArray padding, int window,
      NDArray mask, DataType computeType) {
    return attention(q, keys, values, mask, computeType);
  }

  /**
   * Records the device work of a step once and replays it (CUDA graphs), when these kernels run where that exists;
   * empty elsewhere.
   */
  default Optional<StepRecorder> recorder() {
    return Optional.empty();
  }

  /** The DJL-op implementation every device runs. */
  static TensorOps composed() {
    return Composed.INSTANCE;
  }

  /** DJL-op implementations of the kernels. */
  final class Composed implements TensorOps {
    static final Composed INSTANCE = new Composed();

    private Composed() {}

    @Override
    public NDArray rmsNorm(NDArray x, NDArray weight, double eps, DataType computeType) {
      NDArray x32 = x.toType(DataType.FLOAT32, false);
      NDArray inverseRms = x32.square().mean(new int[] {-1}, true).add(eps).pow(-0.5);
      return x32.mul(inverseRms).toType(computeType, false).mul(weight);
    }

    @Override
    public NDArray rope(NDArray x, NDArray cos, NDArray sin) {
      int last = x.getShape().dimension() - 1;
      NDList halves = x.split(2, last);
      NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), last);
      return x.mul(cos).add(rotated.mul(sin));
    }

    @Override
    public NDArray attentionMask(NDArray mask, int groups, DataType computeType) {
      return mask;
    }

    /** The additive causal mask {@code [1, 1, 1, t, t]} that a {@code null} mask stands for. */
    private static NDArray causal(NDManager m, long t, DataType dtype) {
      NDArray keys = m.arange(0, (int) t, 1, DataType.INT64).reshape(1, t);
      NDArray queries = m.arange(0, (int) t, 1, DataType.INT64).reshape(t, 1);
      return AttentionMasks.additive(keys.lte(queries), dtype).reshape(1, 1, 1, t, t);
    }

    @Override
    public NDArray addProduct(NDArray residual, NDArray x, NDArray weight) {
      return residual.add(RowStableProduct.of(x, weight));
    }

    @Override
    public NDArray logSoftmaxGather(NDArray logits, NDArray targets) {
      long n = targets.size();
      return logits.toType(DataType.FLOAT32, false).logSoftmax(-1).gather(targets.reshape(n, 1), 1).reshape(n);
    }

    @Override
    public NDArray swiGluMlp(NDArray residual, NDArray x, NDArray gateUp, NDArray down) {
      NDList gu = RowStableProduct.of(x, gateUp).split(2, x.getShape().dimension() - 1);
      NDArray gate = gu.get(0);
      return addProduct(residual, gate.mul(Activation.sigmoid(gate)).mul(gu.get(1)), down);
    }

    @Override
    public NDArray attention(NDArray q, NDArray keys, NDArray values, NDArray mask, DataType computeType) {
      long batch = q.getShape().get(0);
      long count = q.getShape().get(1);
      long heads = q.getShape().get(2);
      long hd = q.getShape().get(3);
      long kvHeads = keys.getShape().get(1);
      if (mask == null) {
        mask = causal(q.getManager(), count, computeType);
      }
      NDArray k = keys.expandDims(2);                                // [b, kvh, 1, s, hd]
      NDArray v = values.expandDims(2);                              // [b, kvh, 1, s, hd]
      NDArray grouped = q.reshape(batch, count, kvHeads, heads / kvHeads, hd)
          .transpose(0, 2, 3, 1, 4);                                 // [b, kvh, g, t, hd]
      NDArray scores = RowStableProduct.batched(grouped, k.transpose(0, 1, 2, 4, 3))
          .mul(1.0 / Math.sqrt(hd)).add(mask);                       // [b, kvh, g, t, s]
      NDArray probs = scores.toType(DataType.FLOAT32, false).softmax(-1).toType(computeType, false);
      return RowStableProduct.batched(probs, v)                      // [b, kvh, g, t, hd]
          .transpose(0, 3, 1, 2, 4).reshape(batch, count, heads * hd);
    }
  }
}
