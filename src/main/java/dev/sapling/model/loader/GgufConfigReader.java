package dev.sapling.model.loader;

import dev.sapling.model.Architecture;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.RopeScaling;
import dev.sapling.model.format.GgufFile;
import dev.sapling.model.format.ModelFormatException;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads a {@link ModelConfig} from a GGUF file's {@code llama.*} metadata. Only the {@code llama} architecture is
 * supported; absent optional keys take llama.cpp's defaults (rope theta 10000, KV heads = heads).
 *
 * <pre>{@code
 * ModelConfig config = GgufConfigReader.read(GgufFile.open(path));
 * }</pre>
 */
public final class GgufConfigReader {
  private GgufConfigReader() {}

  /** The config, or an error naming the file and the missing or unsupported key. */
  public static ModelConfig read(GgufFile gguf) {
    String arch = gguf.architecture();
    if (!arch.equals("llama")) {
      throw new ModelFormatException(gguf.path() + ": general.architecture is '" + arch + "'; Sapling loads GGUF "
          + "files of architecture 'llama' only. For other architectures load the Hugging Face folder "
          + "(config.json + *.safetensors + tokenizer.json)");
    }
    int hidden = required(gguf, "llama.embedding_length");
    int heads = required(gguf, "llama.attention.head_count");
    int kvHeads = optional(gguf, "llama.attention.head_count_kv").orElse(heads);
    int headDim = optional(gguf, "llama.attention.key_length").orElse(hidden / heads);
    OptionalInt ropeDims = optional(gguf, "llama.rope.dimension_count");
    if (ropeDims.isPresent() && ropeDims.getAsInt() != headDim) {
      throw new ModelFormatException(gguf.path() + ": llama.rope.dimension_count is " + ropeDims.getAsInt()
          + " but the head dimension is " + headDim + "; partial rotary is not supported");
    }
    int vocab = optional(gguf, "llama.vocab_size").orElseGet(() -> gguf.array("tokenizer.ggml.tokens")
        .map(List::size).orElseThrow(() -> new ModelFormatException(gguf.path()
            + ": neither 'llama.vocab_size' nor 'tokenizer.ggml.tokens' is present; cannot tell the vocabulary size")));
    boolean tied = gguf.tensor("output.weight").isEmpty();
    OptionalInt bos = optional(gguf, "tokenizer.ggml.bos_token_id");
    OptionalInt eos = optional(gguf, "tokenizer.ggml.eos_token_id");
    return new ModelConfig(
        Architecture.LLAMA,
        vocab,
        hidden,
        required(gguf, "llama.feed_forward_length"),
        required(gguf, "llama.block_count"),
        heads,
        kvHeads,
        headDim,
        gguf.real("llama.attention.layer_norm_rms_epsilon").orElse(1e-5),
        gguf.real("llama.rope.freq_base").orElse(10000.0),
        ropeScaling(gguf),
        optional(gguf, "llama.context_length").orElse(2048),
        tied,
        false,
        false,
        0,
        bos,
        eos.isPresent() ? List.of(eos.getAsInt()) : List.of());
  }

  private static RopeScaling ropeScaling(GgufFile gguf) {
    String type = gguf.string("llama.rope.scaling.type").orElse("none");
    switch (type) {
      case "none":
        return RopeScaling.none();
      case "linear":
        return RopeScaling.linear(gguf.real("llama.rope.scaling.factor").orElseThrow(() -> new ModelFormatException(
            gguf.path() + ": llama.rope.scaling.type is 'linear' but llama.rope.scaling.factor is missing")));
      default:
        throw new ModelFormatException(gguf.path() + ": llama.rope.scaling.type '" + type
            + "' is not supported (supported: none, linear)");
    }
  }

  private static int required(GgufFile gguf, String key) {
    return optional(gguf, key).orElseThrow(() -> new ModelFormatException(gguf.path() + ": metadata key '" + key
        + "' is missing; it is required for architecture llama"));
  }

  private static OptionalInt optional(GgufFile gguf, String key) {
    OptionalLong v = gguf.integer(key);
    return v.isPresent() ? OptionalInt.of(Math.toIntExact(v.getAsLong())) : OptionalInt.empty();
  }
}
