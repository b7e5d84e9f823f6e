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
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How a {@link Generator} batches, stops and decodes. Immutable; {@link #defaults} gives what the model's device
 * does best, and {@link #with} changes a few fields through a {@link Draft}, so a notebook cell names only what it
 * changes.
 *
 * <pre>{@code
 * Generator g = Generator.of(model, o -> o.withMaxBatchRows(8));
 * Generator chat = g.with(o -> o.withEosIds(128009).withStaticDecode(false));
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
    if (eosIds == null || bos == null) {
      throw new SaplingException("generator: " + (eosIds == null ? "eos ids" : "bos") + " is null; give "
          + (eosIds == null ? "Set.of() for none" : "OptionalInt.empty() for none"));
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
    return defaults(model.transformer(), model.tokenizer()).withBos(model.promptEncoder().bos());
  }

  /** The same options with at most {@code rows} rows (prompts × samples) per batch. */
  public GeneratorOptions withMaxBatchRows(int rows) {
    return copy(d -> d.maxBatchRows = rows);
  }

  /** The same options ending completions on exactly these token ids; none: by stop sequence or length only. */
  public GeneratorOptions withEosIds(int... ids) {
    return copy(d -> d.eosIds = IntStream.of(ids).boxed().collect(Collectors.toSet()));
  }

  /** The same options starting text prompts with {@code bosId}, or with nothing when empty. */
  public GeneratorOptions withBos(OptionalInt bosId) {
    return copy(d -> d.bos = bosId);
  }

  /** The same options choosing greedy and plain-temperature tokens on the device when {@code on}, else in Java. */
  public GeneratorOptions withDeviceSelection(boolean on) {
    return copy(d -> d.deviceSelection = on);
  }

  /** The same options decoding through {@link StaticDecoder} when {@code on}, or through the plain forward pass. */
  public GeneratorOptions withStaticDecode(boolean on) {
    return copy(d -> d.staticDecode = on);
  }

  /** The same options launching a static decode step before the previous one's result is read when {@code on}. */
  public GeneratorOptions withPipelinedDecode(boolean on) {
    return copy(d -> d.pipelinedDecode = on);
  }

  /** The one copy: these options with what {@code change} sets on a draft of them, checked as a new record is. */
  private GeneratorOptions copy(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return new GeneratorOptions(d.maxBatchRows, d.eosIds, d.bos, d.deviceSelection, d.staticDecode,
        d.pipelinedDecode);
  }

  /** The fields of some options, for {@link #copy} to change. */
  private static final class Draft {
    int maxBatchRows;
    Set<Integer> eosIds;
    OptionalInt bos;
    boolean deviceSelection;
    boolean staticDecode;
    boolean pipelinedDecode;

    Draft(GeneratorOptions from) {
      maxBatchRows = from.maxBatchRows;
      eosIds = from.eosIds;
      bos = from.bos;
      deviceSelection = from.deviceSelection;
      staticDecode = from.staticDecode;
      pipelinedDecode = from.pipelinedDecode;
    }
  }
}
