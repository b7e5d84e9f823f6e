package dev.sapling.model.loader;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sapling.model.KvCache;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.Transformer;
import dev.sapling.model.tokenizer.PromptEncoder;
import dev.sapling.model.tokenizer.Tokenizer;
import java.util.OptionalInt;

/**
 * A base model ready to run: its config, tokenizer, forward pass and provenance manifest, with the native memory of
 * its weights owned by one {@link NDManager} that {@link #close()} frees.
 *
 * <pre>{@code
 * try (LoadedModel model = new CleanModelLoader().load(Path.of("models/stories260K/stories260K.gguf"))) {
 *   int[] prompt = model.promptIds("Once upon a time");   // BOS first when the manifest says add_bos
 *   System.out.println(model.manifest().toJson(new ObjectMapper()).toPrettyString());
 * }
 * }</pre>
 */
public final class LoadedModel implements AutoCloseable {
  private final ModelConfig config;
  private final Tokenizer tokenizer;
  private final Transformer transformer;
  private final ModelManifest manifest;
  private final NDManager manager;

  LoadedModel(ModelConfig config, Tokenizer tokenizer, Transformer transformer, ModelManifest manifest,
      NDManager manager) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.transformer = transformer;
    this.manifest = manifest;
    this.manager = manager;
  }

  public ModelConfig config() {
    return config;
  }

  /** The tokenizer; its {@code encode} adds no special tokens. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public Transformer transformer() {
    return transformer;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  /** The manager owning the weights; create per-request managers as its children. */
  public NDManager manager() {
    return manager;
  }

  public Device device() {
    return manager.getDevice();
  }

  /** Token ids of a prompt as the model expects it: BOS first when {@code manifest().addBos()}, then the text. */
  public int[] promptIds(String text) {
    return promptEncoder().encode(text);
  }

  /** The model's prompt-id rule: BOS ({@code manifest().bosId()}) before prompts exactly when the manifest says so. */
  public PromptEncoder promptEncoder() {
    return new PromptEncoder(tokenizer, manifest.addBos() ? manifest.bosId() : OptionalInt.empty());
  }

  /**
   * Float32 logits of one sequence of ids, used exactly as given (no BOS added): {@code [ids.length, vocab]}
   * row-major, or only the last position's row when {@code allPositions} is false. For debugging and parity checks;
   * batched work goes through the runtime's Generator and Scorer.
   */
  public float[] logits(int[] ids, boolean allPositions) {
    try (NDManager m = manager.newSubManager();
        KvCache cache = KvCache.allocate(config, m, transformer.computeType(), ids.length, new int[] {0})) {
      return transformer.forward(m.create(ids, new Shape(1, ids.length)), cache, !allPositions).toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
    if (tokenizer instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the tokenizer failed", e);
      }
    }
  }
}
