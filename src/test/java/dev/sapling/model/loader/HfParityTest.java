package dev.sapling.model.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.check.ParityFixtures;
import dev.sapling.model.Architecture;
import dev.sapling.model.RopeScaling;
import dev.sapling.model.convert.GgufToHfConverter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sapling's F32 forward pass against Hugging Face transformers (float64 reference logits computed on the GPU host,
 * see src/test/resources/dev/sapling/parity/README.md), and Sapling's tokenizers against Python {@code tokenizers}.
 */
class HfParityTest {
  static final Path FIXTURES = ParityFixtures.DIR;
  static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void convertedStoriesMatchesTransformers() throws Exception {
    Path hf = dir.resolve("stories260K-hf");
    new GgufToHfConverter().convert(StoriesOracleTest.MODEL, hf);
    try (LoadedModel model = new CleanModelLoader().load(hf)) {
      assertMatches(model, "stories260K-hf.logits.json");
    }
  }

  @Test
  void qwen2StyleWithBiasAndTiedEmbeddingsMatchesTransformers() throws Exception {
    try (LoadedModel model = new CleanModelLoader().load(FIXTURES.resolve("qwen2-tiny"))) {
      assertEquals(Architecture.QWEN2, model.config().architecture());
      assertTrue(model.config().attentionBias() && model.config().tieWordEmbeddings());
      assertMatches(model, "qwen2-tiny.logits.json");
    }
  }

  @Test
  void llama3StyleWithGqaAndLlama3RopeScalingMatchesTransformers() throws Exception {
    try (LoadedModel model = new CleanModelLoader().load(FIXTURES.resolve("llama3-tiny"))) {
      assertEquals(RopeScaling.Type.LLAMA3, model.config().ropeScaling().type());
      assertEquals(2, model.config().groupSize());
      assertEquals(500000.0, model.config().ropeTheta());
      assertMatches(model, "llama3-tiny.logits.json");
    }
  }

  @Test
  void javaTokenizersEncodeLikePythonTokenizers() throws Exception {
    Path hf = dir.resolve("stories260K-hf");
    new GgufToHfConverter().convert(StoriesOracleTest.MODEL, hf);
    JsonNode cases = MAPPER.readTree(FIXTURES.resolve("tokenizers-python.json").toFile()).get("tokenizer");
    try (LoadedModel gguf = new CleanModelLoader().load(StoriesOracleTest.MODEL);
        LoadedModel converted = new CleanModelLoader().load(hf)) {
      int checked = 0;
      for (JsonNode c : cases) {
        String text = c.get("text").asText();
        int[] python = MAPPER.convertValue(c.get("ids"), int[].class);
        assertArrayEquals(python, converted.tokenizer().encode(text), "HfTokenizer ids of '" + text + "'");
        assertEquals(c.get("decoded").asText(), converted.tokenizer().decode(python), "decode of '" + text + "'");
        if (!text.contains("<s>")) { // the documented difference: SentencePiece keeps "<s>" in text literal
          assertArrayEquals(python, gguf.tokenizer().encode(text), "SentencePieceTokenizer ids of '" + text + "'");
          assertEquals(c.get("decoded").asText(), gguf.tokenizer().decode(python), "SPM decode of '" + text + "'");
          checked++;
        }
      }
      assertTrue(checked >= 15, "checked " + checked);
    }
  }

  private static void assertMatches(LoadedModel model, String fixture) throws Exception {
    ParityFixtures.LogitParity parity = ParityFixtures.compare(model, fixture);
    System.err.println("parity " + fixture + ": " + parity);
    assertTrue(parity.passes(DataType.FLOAT32), fixture + ": " + parity);
  }
}
