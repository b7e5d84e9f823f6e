package dev.sapling.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.data.Hashing;
import dev.sapling.model.format.ModelFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust {@code tokenizers} library (through DJL), used as a base
 * model needs it: no post-processor specials (BOS/EOS) are added on encode, no truncation, no padding, and
 * {@code tokenizer_config.json} (with its chat template) is never consulted here.
 *
 * <pre>{@code
 * Tokenizer tok = HfTokenizer.load(dir.resolve("tokenizer.json"), OptionalInt.of(1), OptionalInt.of(2));
 * int[] ids = tok.encode("Hello world");
 * }</pre>
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
  private static final Map<String, String> BASE_MODEL_OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final OptionalInt bosId;
  private final OptionalInt eosId;
  private final Set<Integer> specialIds;
  private final String sha256;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize, OptionalInt bosId, OptionalInt eosId,
      Set<Integer> specialIds, String sha256) {
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.bosId = bosId;
    this.eosId = eosId;
    this.specialIds = specialIds;
    this.sha256 = sha256;
  }

  /**
   * Loads {@code tokenizer.json}. BOS/EOS ids come from the model's config (they are facts about the model, not about
   * the tokenizer file) and are only reported, never inserted.
   */
  public static HfTokenizer load(Path tokenizerJson, OptionalInt bosId, OptionalInt eosId) throws IOException {
    byte[] bytes = Files.readAllBytes(tokenizerJson);
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new ModelFormatException(tokenizerJson + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    JsonNode vocab = json.path("model").path("vocab");
    if (!vocab.isObject() && !vocab.isArray()) {
      throw new ModelFormatException(tokenizerJson + ": field 'model.vocab' is missing; expected a Hugging Face "
          + "tokenizers file (tokenizer.json), not a sentencepiece .model or vocab.txt");
    }
    int maxId = -1;
    if (vocab.isObject()) {
      for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
        maxId = Math.max(maxId, it.next().asInt());
      }
    } else {
      maxId = vocab.size() - 1; // Unigram: a list of [piece, score]
    }
    Set<Integer> specials = new HashSet<>();
    for (JsonNode added : json.path("added_tokens")) {
      int id = added.path("id").asInt();
      maxId = Math.max(maxId, id);
      if (added.path("special").asBoolean(false)) {
        specials.add(id);
      }
    }
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), BASE_MODEL_OPTIONS);
    } catch (RuntimeException e) {
      throw new ModelFormatException(tokenizerJson + ": the tokenizers library rejected it: " + e.getMessage(), e);
    }
    return new HfTokenizer(tokenizer, maxId + 1, bosId, eosId, Set.copyOf(specials), Hashing.sha256(bytes));
  }

  @Override
  public int[] encode(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    Encoding encoding = tokenizer.encode(text, false, false);
    long[] ids = encoding.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longs[i] = ids[i];
    }
    return tokenizer.decode(longs, true);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public OptionalInt bosId() {
    return bosId;
  }

  @Override
  public OptionalInt eosId() {
    return eosId;
  }

  /** Ids the file marks as special (skipped by {@link #decode}). */
  public Set<Integer> specialIds() {
    return specialIds;
  }

  @Override
  public String sha256() {
    return sha256;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
