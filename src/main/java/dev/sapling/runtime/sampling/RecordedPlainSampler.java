package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import dev.sapling.model.StepTail;
import java.util.Arrays;

/**
 * Greedy and plain-temperature choice (no filter, no penalty) as a {@link StepTail}: recorded into the decode step,
 * so a step runs model and choice in one replay and feeds the chosen tokens to the next step on the device. The
 * uniforms come from each row's own {@link SamplingState}, drawn ahead for every step the rows may still take and
 * copied to the device once; the draw is {@link TokenSampler}'s (float64 weights, the first id whose cumulative weight
 * exceeds {@code u} times the total; the same code as the composed device sampler), so the same seed gives the same
 * tokens as the other selectors. Every array is made when the sampler is built: the step itself uses no Java number
 * (a recording could not hold one).
 *
 * <pre>{@code
 * RecordedPlainSampler s = new RecordedPlainSampler(manager, params, uniforms, rows, vocab); // uniforms [steps][rows]
 * StaticDecoder d = StaticDecoder.open(transformer, cache, s);
 * TokenSampler.Draw[] first = s.draws(d.step(lastTokens));
 * }</pre>
 */
public final class RecordedPlainSampler implements StepTail {
  private final int rows;
  private final int vocab;
  private final NDArray uniforms;
  private final NDArray step;
  private final NDArray one;
  private final NDArray temperature;
  private final double temperatureValue;
  private final boolean isGreedy;
  private final NDArray greedy;
  private final NDArray ids;
  private final NDArray zero;
  private final NDArray vocabSize;

  /**
   * A sampler for {@code rows} rows of {@code params} (plain: see {@link DeviceTokenSelector#isPlain}); row {@code r}
   * draws with {@code uniforms[s][r]} at its {@code s}-th step from now. Its arrays live in {@code manager}.
   */
  public RecordedPlainSampler(NDManager manager, SamplingParams params, double[][] uniforms, int rows, int vocab) {
    if (!DeviceTokenSelector.isPlain(params)) {
      throw new IllegalArgumentException("recorded sampling takes greedy or plain temperature only, not " + params);
    }
    this.rows = rows;
    this.vocab = vocab;
    int steps = Math.max(1, uniforms.length);
    double[] flat = new double[steps * rows];
    for (int s = 0; s < uniforms.length; s++) {
      System.arraycopy(uniforms[s], 0, flat, s * rows, rows);
    }
    this.uniforms = manager.create(flat, new Shape(steps, rows));
    this.step = manager.zeros(new Shape(1), DataType.INT64);
    this.one = manager.ones(new Shape(1), DataType.INT64);
    this.isGreedy = params.isGreedy();
    this.temperatureValue = isGreedy ? 1.0 : params.temperature();
    double[] t = new double[rows];
    Arrays.fill(t, isGreedy ? 1.0 : params.temperature()); // exactly the host's double
    this.temperature = manager.create(t, new Shape(rows, 1));
    this.greedy = manager.full(new Shape(rows), isGreedy ? 1 : 0, DataType.INT32).toType(DataType.BOOLEAN, false);
    this.ids = manager.arange(0, vocab, 1, DataType.INT64);
    this.zero = manager.zeros(new Shape(1), DataType.FLOAT64);
    this.vocabSize = manager.full(new Shape(1), vocab, DataType.INT64);
  }

  @Override
  public NDArray apply(NDArray logits, NDArray tokens, NDArray slot) {
    NDArray result = FusedSampling.recordedDraw(logits, uniforms, step, temperatureValue, isGreedy, tokens);
    if (result == null) { // no decode kernel here: the same draw from DJL ops
      result = composedDraw(logits, tokens);
    }
    slot.set(new NDIndex(":"), slot.add(one));
    step.set(new NDIndex(":"), step.add(one));
    return result;
  }

  /** The draw of {@link #apply} as DJL ops: writes the chosen ids into {@code tokens}, returns ids and log-probs. */
  private NDArray composedDraw(NDArray logits, NDArray tokens) {
    NDArray x = logits.reshape(rows, vocab).toType(DataType.FLOAT64, false);
    NDArray u = uniforms.get(new NDIndex("{}", step)).reshape(rows, 1);
    NDArray scaled = x.div(temperature);
    NDArray weights = scaled.sub(scaled.max(new int[] {1}, true)).exp();                  // largest weight 1
    NDArray drawn = ComposedSampling.inOrder(weights.cumSum(1), u, weights.gt(zero), ids, vocabSize).reshape(rows);
    NDArray chosen = NDArrays.where(greedy, x.argMax(1), drawn);                           // [rows] int64
    NDArray logprob = x.gather(chosen.reshape(rows, 1), 1).sub(ComposedSampling.logNormaliser(x)).reshape(rows);
    tokens.set(new NDIndex(":"), chosen.reshape(rows, 1));
    return NDArrays.stack(new NDList(chosen.toType(DataType.FLOAT32, false), logprob.toType(DataType.FLOAT32, false)));
  }

  /** The draws a step's result ({@code [2, rows]}: ids, then log-probs) holds, one per row. */
  public TokenSampler.Draw[] draws(NDArray result) {
    return draws(result.toFloatArray());
  }

  /** The draws in a step's result already read to the host ({@code 2 * rows} floats: ids, then log-probs). */
  public TokenSampler.Draw[] draws(float[] v) {
    if (v.length != 2 * rows) {
      throw new IllegalArgumentException("recorded sampling: a step's result has " + v.length + " values; expected "
          + 2 * rows + " (ids and log-probs of " + rows + " rows)");
    }
    TokenSampler.Draw[] out = new TokenSampler.Draw[rows];
    for (int r = 0; r < rows; r++) {
      if (!Float.isFinite(v[rows + r])) {
        throw new SaplingException("row " + r + " has no finite log-normaliser; the forward pass produced NaN or "
            + "infinite values (overflow in a narrow dtype?)");
      }
      out[r] = new TokenSampler.Draw((int) v[r], v[rows + r]);
    }
    return out;
  }
}
