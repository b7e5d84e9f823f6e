package dev.sapling.runtime;

import dev.sapling.SaplingException;
import dev.sapling.model.StaticDecoder;
import dev.sapling.model.Transformer;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.device.AsyncReadback;
import dev.sapling.runtime.sampling.TokenSelector;
import java.util.Collections;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * How a {@link Generator} batches, stops and decodes. Immutable; {@link #defaults} gives what the model's device
 * does best, and {@link #with} changes a few fields through a {@link Builder}, so a notebook cell names only what it
 * changes.
 *
 * <pre>{@code
 * Generator g = Generator.of(model, o -> o.maxBatchRows(8).eosIds(128009));
 * g.options();   // GeneratorOptions[maxBatchRows=8, eosIds=[128009], bos=OptionalInt[128000], ...]
 * }</pre>
 *
 * @param maxBatchRows rows (prompts × samples) per batch, at least 1
 * @param eosIds token ids that end a completion with {@code finish_reason} {@code eos} (e.g. a chat model's
 *     end-of-turn token); empty: rows end by stop sequence or length only
 * @param bos the id text prompts start with ({@link Generator#encodePrompt}), or empty for none
 * @param deviceSelection whether greedy and plain-temperature tokens may be chosen on the device
 *     ({@link TokenSelector#forParams}); off, every token is chosen in Java: what the device path must match
 * @param staticDecode whether decode steps run through {@link StaticDecoder} (fixed device inputs, attention over the
 *     whole cache; recorded once as a CUDA graph, then replayed, where the kernels can record steps)
 * @param pipelinedDecode whether each static decode step is launched before the previous one's result is read
 *     (greedy and plain-temperature params, whose tokens are chosen on the device), so the device never waits for the
 *     host between steps; the completions are the same either way
 */
public record GeneratorOptions(int maxBatchRows, Set<Integer> eosIds, OptionalInt bos, boolean deviceSelection,
    boolean staticDecode, boolean pipelinedDecode) {

  public GeneratorOptions {
    if (maxBatchRows < 1) {
      throw new SaplingException("generator: max batch rows is " + maxBatchRows + "; expected an integer >= 1");
    }
    eosIds = Collections.unmodifiableSet(new TreeSet<>(eosIds));
  }

  /**
   * The defaults for a transformer and tokenizer: {@value Generator#DEFAULT_MAX_BATCH_ROWS} rows, the config's and
   * the tokenizer's EOS ids, the tokenizer's BOS, device selection; static decode exactly when the transformer's ops
   * can record steps on a GPU (Sapling's bridge), pipelined decode exactly when results can be read asynchronously
   * on a GPU ({@link AsyncReadback}) unless {@code SAPLING_PIPELINED_DECODE=off}.
   */
  public static GeneratorOptions defaults(Transformer transformer, Tokenizer tokenizer) {
    Set<Integer> eos = new TreeSet<>(transformer.config().eosTokenIds());
    tokenizer.eosId().ifPresent(eos::add);
    boolean gpu = transformer.weights().embedding().getDevice().isGpu();
    return new GeneratorOptions(Generator.DEFAULT_MAX_BATCH_ROWS, eos, tokenizer.bosId(), true,
        transformer.ops().recorder().isPresent() && gpu,
        gpu && AsyncReadback.available() && !"off".equals(System.getenv("SAPLING_PIPELINED_DECODE")));
  }

  /** The defaults for a loaded model: as above, with BOS before text prompts exactly when its manifest says so. */
  public static GeneratorOptions defaults(LoadedModel model) {
    return defaults(model.transformer(), model.tokenizer()).with(o -> o.bos(model.promptEncoder().bos()));
  }

  /** These options with the fields {@code change} sets; the others as they are. */
  public GeneratorOptions with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /**
   * Sets fields of a copy of some {@link GeneratorOptions}; the copy is checked when {@link #with} builds it.
   *
   * <pre>{@code
   * options.with(o -> o.staticDecode(false).pipelinedDecode(false));
   * }</pre>
   */
  public static final class Builder {
    private int maxBatchRows;
    private Set<Integer> eosIds;
    private OptionalInt bos;
    private boolean deviceSelection;
    private boolean staticDecode;
    private boolean pipelinedDecode;

    private Builder(GeneratorOptions from) {
      maxBatchRows = from.maxBatchRows;
      eosIds = from.eosIds;
      bos = from.bos;
      deviceSelection = from.deviceSelection;
      staticDecode = from.staticDecode;
      pipelinedDecode = from.pipelinedDecode;
    }

    private GeneratorOptions build() {
      return new GeneratorOptions(maxBatchRows, eosIds, bos, deviceSelection, staticDecode, pipelinedDecode);
    }

    /** At most {@code rows} rows (prompts × samples) per batch. */
    public Builder maxBatchRows(int rows) {
      maxBatchRows = rows;
      return this;
    }

    /** Completions end on exactly these token ids; none: by stop sequence or length only. */
    public Builder eosIds(int... ids) {
      Set<Integer> eos = new TreeSet<>();
      for (int id : ids) {
        eos.add(id);
      }
      eosIds = eos;
      return this;
    }

    /** Text prompts start with {@code bosId}, or with nothing when empty. */
    public Builder bos(OptionalInt bosId) {
      bos = bosId;
      return this;
    }

    /** Whether greedy and plain-temperature tokens may be chosen on the device (off: all in Java). */
    public Builder deviceSelection(boolean on) {
      deviceSelection = on;
      return this;
    }

    /** Whether decode steps run through {@link StaticDecoder} or the plain forward pass. */
    public Builder staticDecode(boolean on) {
      staticDecode = on;
      return this;
    }

    /** Whether a static decode step is launched before the previous one's result is read. */
    public Builder pipelinedDecode(boolean on) {
      pipelinedDecode = on;
      return this;
    }
  }
}
