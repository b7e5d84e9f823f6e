package dev.sapling.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The vocabulary of models/stories260K/stories260K.gguf, from the fixture stories260K-vocab.json (made by
 * make_stories260K_vocab.py beside it), so tokenizer tests need no GGUF reader.
 */
final class Stories260KVocab {
  private static final String FIXTURE = "stories260K-vocab.json";

  private Stories260KVocab() {}

  static SpmVocab load() {
    try (InputStream in = Stories260KVocab.class.getResourceAsStream(FIXTURE)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + FIXTURE + " is missing beside " + Stories260KVocab.class);
      }
      JsonNode root = new ObjectMapper().readTree(in);
      List<String> tokens = new ArrayList<>();
      root.get("tokens").forEach(t -> tokens.add(t.asText()));
      float[] scores = new float[tokens.size()];
      int[] types = new int[tokens.size()];
      for (int i = 0; i < tokens.size(); i++) {
        scores[i] = (float) root.get("scores").get(i).asDouble();
        types[i] = root.get("token_types").get(i).asInt();
      }
      return new SpmVocab(tokens, scores, types, root.get("unk_id").asInt(),
          OptionalInt.of(root.get("bos_id").asInt()), OptionalInt.of(root.get("eos_id").asInt()),
          root.get("add_space_prefix").asBoolean());
    } catch (IOException e) {
      throw new UncheckedIOException("reading test resource " + FIXTURE, e);
    }
  }
}
