package dev.sapling.runtime;

import dev.sapling.SaplingException;
import dev.sapling.model.Transformer;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.Tokenizer;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * How a {@link Scorer} batches and chunks its work, and what it reports. Immutable; {@link #defaults} gives what the
 * model's device does best, and each {@code withX} changes one field (all of them through
 * one copy method).
 *
 * <pre>{@code
 * Scorer s = Scorer.of(model, o -> o.withMaxBatchRows(8).withTopAlternatives(5));
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
    if (bos == null) {
      throw new SaplingException("scorer: bos is null; give OptionalInt.empty() for none");
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
    return defaults(model.transformer(), model.tokenizer()).withBos(model.promptEncoder().bos());
  }

  /** The same options with at most {@code rows} rows (continuations) per batch. */
  public ScorerOptions withMaxBatchRows(int rows) {
    return copy(d -> d.maxBatchRows = rows);
  }

  /** The same options also reporting the {@code k} most likely tokens at every position. */
  public ScorerOptions withTopAlternatives(int k) {
    return copy(d -> d.topAlternatives = k);
  }

  /** The same options materialising at most {@code floats} logits at once. */
  public ScorerOptions withLogitsBudget(long floats) {
    return copy(d -> d.logitsBudget = floats);
  }

  /**
   * The same options running at most {@code tokens} (rows × positions) through the transformer body at once; longer
   * continuations go through the KV cache in several body passes.
   */
  public ScorerOptions withBodyTokens(long tokens) {
    return copy(d -> d.bodyTokens = tokens);
  }

  /** The same options starting text contexts with {@code bosId}, or with nothing when empty. */
  public ScorerOptions withBos(OptionalInt bosId) {
    return copy(d -> d.bos = bosId);
  }

  /** The one copy: these options with what {@code change} sets on a draft of them, checked as a new record is. */
  private ScorerOptions copy(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return new ScorerOptions(d.maxBatchRows, d.topAlternatives, d.logitsBudget, d.bodyTokens, d.bos);
  }

  /** The fields of some options, for {@link #copy} to change. */
  private static final class Draft {
    int maxBatchRows;
    int topAlternatives;
    long logitsBudget;
    long bodyTokens;
    OptionalInt bos;

    Draft(ScorerOptions from) {
      maxBatchRows = from.maxBatchRows;
      topAlternatives = from.topAlternatives;
      logitsBudget = from.logitsBudget;
      bodyTokens = from.bodyTokens;
      bos = from.bos;
    }
  }
}
