package dev.sapling.model.loader;

import dev.sapling.model.format.GgufFile;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.tokenizer.SentencePieceTokenizer;
import dev.sapling.model.tokenizer.SpmVocab;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Builds the tokenizer embedded in a GGUF file's {@code tokenizer.ggml.*} metadata. Only SentencePiece-style
 * vocabularies ({@code tokenizer.ggml.model = llama}) are supported.
 *
 * <pre>{@code
 * SentencePieceTokenizer tok = GgufTokenizerReader.read(gguf);
 * }</pre>
 */
public final class GgufTokenizerReader {
  private GgufTokenizerReader() {}

  /** The tokenizer, or an error naming the file and the missing or malformed key. */
  public static SentencePieceTokenizer read(GgufFile gguf) {
    return new SentencePieceTokenizer(vocab(gguf));
  }

  /** The vocabulary as stored. */
  public static SpmVocab vocab(GgufFile gguf) {
    String model = gguf.string("tokenizer.ggml.model").orElseThrow(() -> missing(gguf, "tokenizer.ggml.model"));
    if (!model.equals("llama")) {
      throw new ModelFormatException(gguf.path() + ": tokenizer.ggml.model is '" + model + "'; Sapling reads "
          + "SentencePiece-style ('llama') GGUF vocabularies only. Load the Hugging Face folder with its "
          + "tokenizer.json instead");
    }
    List<?> tokens = gguf.array("tokenizer.ggml.tokens").orElseThrow(() -> missing(gguf, "tokenizer.ggml.tokens"));
    List<String> pieces = new ArrayList<>(tokens.size());
    for (Object t : tokens) {
      if (!(t instanceof String s)) {
        throw new ModelFormatException(gguf.path() + ": tokenizer.ggml.tokens holds a " + t.getClass().getSimpleName()
            + "; expected strings");
      }
      pieces.add(s);
    }
    float[] scores = new float[pieces.size()];
    List<?> scoreList = gguf.array("tokenizer.ggml.scores").orElse(List.of());
    if (!scoreList.isEmpty()) {
      checkLength(gguf, "tokenizer.ggml.scores", scoreList.size(), pieces.size());
      for (int i = 0; i < scores.length; i++) {
        scores[i] = ((Number) scoreList.get(i)).floatValue();
      }
    }
    int[] types = new int[pieces.size()];
    java.util.Arrays.fill(types, 1);
    List<?> typeList = gguf.array("tokenizer.ggml.token_type").orElse(List.of());
    if (!typeList.isEmpty()) {
      checkLength(gguf, "tokenizer.ggml.token_type", typeList.size(), pieces.size());
      for (int i = 0; i < types.length; i++) {
        types[i] = ((Number) typeList.get(i)).intValue();
      }
    }
    int unk = (int) gguf.integer("tokenizer.ggml.unknown_token_id").orElse(0);
    boolean addSpacePrefix = gguf.bool("tokenizer.ggml.add_space_prefix").orElse(true);
    return new SpmVocab(pieces, scores, types, unk, id(gguf, "tokenizer.ggml.bos_token_id"),
        id(gguf, "tokenizer.ggml.eos_token_id"), addSpacePrefix);
  }

  /** Whether prompts start with BOS: {@code tokenizer.ggml.add_bos_token}, true by default for llama vocabularies. */
  public static boolean addsBos(GgufFile gguf) {
    return gguf.bool("tokenizer.ggml.add_bos_token").orElse(true);
  }

  private static OptionalInt id(GgufFile gguf, String key) {
    var v = gguf.integer(key);
    return v.isPresent() ? OptionalInt.of(Math.toIntExact(v.getAsLong())) : OptionalInt.empty();
  }

  private static void checkLength(GgufFile gguf, String key, int actual, int expected) {
    if (actual != expected) {
      throw new ModelFormatException(gguf.path() + ": " + key + " has " + actual + " entries but "
          + "tokenizer.ggml.tokens has " + expected);
    }
  }

  private static ModelFormatException missing(GgufFile gguf, String key) {
    return new ModelFormatException(gguf.path() + ": metadata key '" + key + "' is missing; the GGUF file has no "
        + "embedded tokenizer Sapling can use");
  }
}
