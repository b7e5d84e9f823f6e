package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@link DeviceSampling} as DJL ops: the computation of sapling/sampling.cc step for step (keep the two in step), for
 * DJL's own JNI and for bridges built without that file. Per-row numbers travel in one {@code [fields, n]} array;
 * every intermediate lives in a scope closed before returning.
 *
 * <pre>{@code
 * TokenSampler.Draw[] d = DeviceSampling.composed().select(logits, rows);
 * }</pre>
 */
final class ComposedSampling implements DeviceSampling {
  static final ComposedSampling INSTANCE = new ComposedSampling();

  // rows of the per-request numbers array, as in sapling/sampling.cc
  private static final int TEMPERATURE = 0; // 1 for greedy rows, so the division is harmless
  private static final int KEEP_K = 1; // min(top_k, vocab), or vocab when top-k is off
  private static final int TOP_P = 2;
  private static final int MIN_P = 3;
  private static final int REPETITION = 4;
  private static final int PRESENCE = 5;
  private static final int UNIFORM = 6;
  private static final int GREEDY = 7;
  private static final int FILTERED = 8; // top-k, top-p or min-p on: the draw walks tokens by rank, not by id
  private static final int HAS_TOP_K = 9;
  private static final int HAS_TOP_P = 10;
  private static final int FIELDS = 11;

  private ComposedSampling() {}

  @Override
  public TokenSampler.Draw[] select(NDArray logits, SamplingRows rows) {
    int n = rows.size();
    if (n == 0) {
      return new TokenSampler.Draw[0];
    }
    Shape shape = logits.getShape();
    int vocab = (int) shape.get(shape.dimension() - 1);
    long batch = shape.size() / vocab;
    double[] numbers = new double[FIELDS * n];
    boolean anyGreedy = false;
    boolean anySampled = false;
    boolean anyFiltered = false;
    boolean anyPlain = false;
    for (int i = 0; i < n; i++) {
      if (rows.logitRow()[i] < 0 || rows.logitRow()[i] >= batch) {
        throw new IllegalArgumentException("sampling rows: logits row " + rows.logitRow()[i] + " is outside [0, "
            + batch + ")");
      }
      boolean greedy = rows.temperature()[i] == 0;
      boolean filtered = rows.topK()[i] > 0 || rows.topP()[i] < 1 || rows.minP()[i] > 0;
      anyGreedy |= greedy;
      anySampled |= !greedy;
      anyFiltered |= !greedy && filtered;
      anyPlain |= !greedy && !filtered;
      numbers[TEMPERATURE * n + i] = greedy ? 1.0 : rows.temperature()[i];
      numbers[KEEP_K * n + i] = rows.topK()[i] > 0 ? Math.min(rows.topK()[i], vocab) : vocab;
      numbers[TOP_P * n + i] = rows.topP()[i];
      numbers[MIN_P * n + i] = rows.minP()[i];
      numbers[REPETITION * n + i] = rows.repetitionPenalty()[i];
      numbers[PRESENCE * n + i] = rows.presencePenalty()[i];
      numbers[UNIFORM * n + i] = rows.uniform()[i];
      numbers[GREEDY * n + i] = greedy ? 1 : 0;
      numbers[FILTERED * n + i] = filtered ? 1 : 0;
      numbers[HAS_TOP_K * n + i] = rows.topK()[i] > 0 ? 1 : 0;
      numbers[HAS_TOP_P * n + i] = rows.topP()[i] < 1 ? 1 : 0;
    }
    float[] host;
    try (NDScope scope = new NDScope()) {
      NDManager m = logits.getManager();
      Columns columns = new Columns(m.create(numbers, new Shape(FIELDS, n)), n);
      NDArray x = logits.reshape(batch, vocab).get(new NDIndex("{}", m.create(longs(rows.logitRow()))))
          .toType(DataType.FLOAT64, false);
      NDArray logZ = logNormaliser(x);
      NDArray z = x;
      if (rows.seenToken().length > 0) {
        NDArray mask = mask(m, rows.seenRequest(), rows.seenToken(), n, vocab);
        NDArray rp = columns.get(REPETITION);
        z = NDArrays.where(mask, NDArrays.where(z.gt(0), z.div(rp), z.mul(rp)), z);
      }
      if (rows.generatedToken().length > 0) {
        NDArray mask = mask(m, rows.generatedRequest(), rows.generatedToken(), n, vocab);
        z = NDArrays.where(mask, z.sub(columns.get(PRESENCE)), z);
      }
      NDArray tokens;
      if (anySampled) {
        NDArray s = z.div(columns.get(TEMPERATURE));
        NDArray p = s.sub(s.max(new int[] {1}, true)).exp();
        tokens = draw(p, columns, anyFiltered, anyPlain);
        if (anyGreedy) {
          tokens = NDArrays.where(columns.get(GREEDY).reshape(n).neq(0), z.argMax(1), tokens);
        }
      } else {
        tokens = z.argMax(1);
      }
      NDArray logprobs = x.gather(tokens.reshape(n, 1), 1).sub(logZ).reshape(n);
      // token ids (< 2^24) are exact in float32: one copy brings both
      host = NDArrays.stack(new NDList(tokens.toType(DataType.FLOAT32, false),
          logprobs.toType(DataType.FLOAT32, false))).toFloatArray();
    }
    return unpack(host, n);
  }

  /** One token per row from the draw weights {@code p} (max 1 per row); see TokenSampler's drawInOrder, drawFiltered. */
  private static NDArray draw(NDArray p, Columns c, boolean anyFiltered, boolean anyPlain) {
    long vocab = p.getShape().get(1);
    NDManager m = p.getManager();
    NDArray u = c.get(UNIFORM);
    NDArray positive = p.gt(0);
    NDArray ids = m.arange(0, vocab, 1, DataType.INT64).reshape(1, vocab);
    NDArray cumulative = p.cumSum(1);
    NDArray total = cumulative.get(":, -1:");
    NDArray inOrder = null;
    if (anyPlain) {
      inOrder = inOrder(cumulative, u, positive, ids, m.full(new Shape(1), (int) vocab, DataType.INT64));
      if (!anyFiltered) {
        return inOrder.reshape(-1);
      }
    }
    NDArray order = rankOrder(p);
    NDArray ranked = p.gather(order, 1);
    NDArray rankedCumulative = ranked.cumSum(1);
    NDArray keepK = c.get(KEEP_K).toType(DataType.INT64, false).minimum(count(positive)).maximum(1);
    // top-p over the renormalised top-k mass (or over everything without top-k): the shortest prefix reaching it
    NDArray denominator = NDArrays.where(c.get(HAS_TOP_K).neq(0), rankedCumulative.gather(keepK.sub(1), 1), total);
    NDArray reach = count(rankedCumulative.lt(c.get(TOP_P).mul(denominator)).logicalAnd(ids.lt(keepK))).add(1);
    NDArray kept = NDArrays.where(c.get(HAS_TOP_P).neq(0), reach.minimum(keepK), keepK);
    // min-p: tokens at least min_p times the most likely one (weight 1); min_p 0 keeps all
    kept = count(ranked.gte(c.get(MIN_P)).logicalAnd(ids.lt(kept))).maximum(1);
    NDArray target = u.mul(rankedCumulative.gather(kept.sub(1), 1));
    NDArray rank = count(rankedCumulative.lte(target).logicalAnd(ids.lt(kept))).minimum(kept.sub(1));
    NDArray filtered = order.gather(rank, 1);
    return (anyPlain ? NDArrays.where(c.get(FILTERED).neq(0), filtered, inOrder) : filtered).reshape(-1);
  }

  /**
   * Order of the tokens by float32 probability, highest first, lowest id first among equals (TokenSampler's key).
   * DJL's argsort is not stable, so ties are put in id order by a second sort on (rank of the value, id).
   */
  private static NDArray rankOrder(NDArray p) {
    long vocab = p.getShape().get(1);
    NDArray key = p.toType(DataType.FLOAT32, false);
    NDArray order = key.argSort(1, false);
    NDArray sorted = key.gather(order, 1);
    NDArray changes = sorted.get(":, 1:").neq(sorted.get(":, :-1")).toType(DataType.INT64, false);
    NDArray group = changes.getManager().zeros(new Shape(p.getShape().get(0), 1), DataType.INT64)
        .concat(changes, 1).cumSum(1);
    return order.gather(group.mul(vocab).add(order).argSort(1, true), 1);
  }

  /** True at {@code (request[j], token[j])} of an {@code [n, vocab]} grid. */
  private static NDArray mask(NDManager m, int[] request, int[] token, int n, int vocab) {
    long[] flat = new long[token.length];
    for (int j = 0; j < flat.length; j++) {
      flat[j] = (long) request[j] * vocab + token[j];
    }
    return m.zeros(new Shape((long) n * vocab), DataType.FLOAT64)
        .put(m.create(flat), m.ones(new Shape(flat.length), DataType.FLOAT64)).reshape(n, vocab).gt(0);
  }

  /**
   * {@code log Σ exp(x)} over the last axis of {@code x} ({@code [n, vocab]}), as {@code [n, 1]}: the log-normaliser a
   * token's log-prob is taken against.
   */
  static NDArray logNormaliser(NDArray x) {
    NDArray max = x.max(new int[] {1}, true);
    return x.sub(max).exp().sum(new int[] {1}, true).log().add(max);
  }

  /**
   * TokenSampler's in-order draw for each row ({@code [n, 1]} int64): the first id whose cumulative weight exceeds
   * {@code u} times the row's total, else the last id with weight. {@code cumulative} is {@code [n, vocab]},
   * {@code u} {@code [n, 1]}, {@code positive} the ids with weight, {@code ids} the id of each column and
   * {@code vocab} the vocabulary size as an int64 tensor. Tensor operands only, so a recorded step can use it.
   */
  static NDArray inOrder(NDArray cumulative, NDArray u, NDArray positive, NDArray ids, NDArray vocab) {
    NDArray first = count(cumulative.lte(u.mul(cumulative.get(":, -1:"))));
    NDArray lastPositive = positive.toType(DataType.INT64, false).mul(ids).max(new int[] {1}, true);
    return NDArrays.where(first.gte(vocab), lastPositive, first);
  }

  /** Sum over the last dimension of a boolean mask, as int64 {@code [n, 1]}. */
  private static NDArray count(NDArray mask) {
    return mask.toType(DataType.INT64, false).sum(new int[] {1}, true);
  }

  private static long[] longs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  /** Draws from {@code n} ids followed by {@code n} log-probs. */
  static TokenSampler.Draw[] unpack(float[] idsThenLogprobs, int n) {
    TokenSampler.Draw[] draws = new TokenSampler.Draw[n];
    for (int i = 0; i < n; i++) {
      draws[i] = new TokenSampler.Draw((int) idsThenLogprobs[i], idsThenLogprobs[n + i]);
    }
    return draws;
  }

  /** The per-request numbers, one {@code [n, 1]} column per field. */
  private record Columns(NDArray numbers, int n) {
    NDArray get(int field) {
      return numbers.get(field).reshape(n, 1);
    }
  }
}
