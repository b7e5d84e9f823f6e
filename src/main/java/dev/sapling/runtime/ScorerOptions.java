package dev.sapling.runtime;

import dev.sapling.SaplingException;
import dev.sapling.model.Transformer;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.Tokenizer;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * How a {@link Scorer} batches and chunks its work, and what it reports. Immutable; {@link #defaults} gives what the
 * model's device does best, and {@link #with} changes a few fields through a {@link Builder}.
 *
 * <pre>{@code
 * Scorer s = Scorer.of(model, o -> o.maxBatchRows(8).topAlternatives(5));
 * s.options();   // ScorerOptions[maxBatchRows=8, topAlternatives=5, logitsBudget=33554432, ...]
 * }</pre>
 *
 * @param maxBatchRows rows (continuations) per batch, at least 1
 * @param topAlternatives how many most likely tokens to report at every position besides the scored one (0: none)
 * @param logitsBudget the largest logits block, in floats, materialised at once; the LM head runs over as many
 *     positions at a time as fit
 * @param bodyTokens rows × positions run through the transformer body at once; longer continuations go through the
 *     KV cache in several body passes
 * @param bos the id text contexts start with ({@link Scorer#encode}), or empty for none
 */
public record ScorerOptions(int maxBatchRows, int topAlternatives, long logitsBudget, long bodyTokens,
    OptionalInt bos) {

  public ScorerOptions {
    if (maxBatchRows < 1) {
      throw new SaplingException("scorer: max batch rows is " + maxBatchRows + "; expected an integer >= 1");
    }
    if (topAlternatives < 0) {
      throw new SaplingException("scorer: top alternatives is " + topAlternatives + "; expected 0 or more");
    }
  }

  /**
   * The defaults for a transformer and tokenizer: {@value Scorer#DEFAULT_MAX_BATCH_ROWS} rows, no alternatives, the
   * tokenizer's BOS; on a GPU {@link Scorer#DEFAULT_GPU_LOGITS_BUDGET} and every position in one body pass, on the
   * CPU {@link Scorer#DEFAULT_LOGITS_BUDGET} and {@link Scorer#DEFAULT_CPU_BODY_TOKENS}.
   */
  public static ScorerOptions defaults(Transformer transformer, Tokenizer tokenizer) {
    boolean gpu = transformer.weights().embedding().getDevice().isGpu();
    return new ScorerOptions(Scorer.DEFAULT_MAX_BATCH_ROWS, 0,
        gpu ? Scorer.DEFAULT_GPU_LOGITS_BUDGET : Scorer.DEFAULT_LOGITS_BUDGET,
        gpu ? Long.MAX_VALUE : Scorer.DEFAULT_CPU_BODY_TOKENS, tokenizer.bosId());
  }

  /** The defaults for a loaded model: as above, with BOS before text contexts exactly when its manifest says so. */
  public static ScorerOptions defaults(LoadedModel model) {
    return defaults(model.transformer(), model.tokenizer()).with(o -> o.bos(model.promptEncoder().bos()));
  }

  /** These options with the fields {@code change} sets; the others as they are. */
  public ScorerOptions with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /**
   * Sets fields of a copy of some {@link ScorerOptions}; the copy is checked when {@link #with} builds it.
   *
   * <pre>{@code
   * options.with(o -> o.logitsBudget(1L << 20).bodyTokens(512));
   * }</pre>
   */
  public static final class Builder {
    private int maxBatchRows;
    private int topAlternatives;
    private long logitsBudget;
    private long bodyTokens;
    private OptionalInt bos;

    private Builder(ScorerOptions from) {
      maxBatchRows = from.maxBatchRows;
      topAlternatives = from.topAlternatives;
      logitsBudget = from.logitsBudget;
      bodyTokens = from.bodyTokens;
      bos = from.bos;
    }

    private ScorerOptions build() {
      return new ScorerOptions(maxBatchRows, topAlternatives, logitsBudget, bodyTokens, bos);
    }

    /** At most {@code rows} rows (continuations) per batch. */
    public Builder maxBatchRows(int rows) {
      maxBatchRows = rows;
      return this;
    }

    /** Also report the {@code k} most likely tokens at every position. */
    public Builder topAlternatives(int k) {
      topAlternatives = k;
      return this;
    }

    /** Materialise at most {@code floats} logits at once. */
    public Builder logitsBudget(long floats) {
      logitsBudget = floats;
      return this;
    }

    /** Run at most {@code tokens} (rows × positions) through the transformer body at once. */
    public Builder bodyTokens(long tokens) {
      bodyTokens = tokens;
      return this;
    }

    /** Text contexts start with {@code bosId}, or with nothing when empty. */
    public Builder bos(OptionalInt bosId) {
      bos = bosId;
      return this;
    }
  }
}
