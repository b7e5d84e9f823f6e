package dev.sapling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.check.ParityFixtures;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ModelShapesTest {
  /** Llama-3.2-1B has 1,235,814,400 parameters with its embeddings tied; the 100M shape has 95.4M. */
  @Test
  void theNamedShapesHaveTheParameterCountsOfTheModelsTheyAreNamedAfter() {
    assertEquals(1_235_814_400L, new RandomWeightSource(ModelShapes.LLAMA_1B, 0).parameterCount());
    assertEquals(95_371_008L, new RandomWeightSource(ModelShapes.LLAMA_100M, 0).parameterCount());
    assertEquals(4, ModelShapes.LLAMA_1B.groupSize());
    assertEquals(4, ModelShapes.SMALL.groupSize());
  }

  @Test
  void theStoriesShapeHasTheDimensionsOfTheEmbeddedModel() throws Exception {
    try (LoadedModel model = new CleanModelLoader().load(ParityFixtures.STORIES)) {
      ModelConfig loaded = model.config();
      ModelConfig named = ModelShapes.STORIES_260K;
      assertEquals(List.of(loaded.vocabSize(), loaded.hiddenSize(), loaded.intermediateSize(), loaded.numLayers(),
              loaded.numHeads(), loaded.numKeyValueHeads(), loaded.headDim()),
          List.of(named.vocabSize(), named.hiddenSize(), named.intermediateSize(), named.numLayers(),
              named.numHeads(), named.numKeyValueHeads(), named.headDim()));
    }
  }

  @Test
  void aVariantChangesOnlyWhatItNames() {
    ModelConfig qwen3 = ModelShapes.SMALL.toBuilder().architecture(Architecture.QWEN3).qkNorm(true).build();
    assertEquals(Architecture.QWEN3, qwen3.architecture());
    assertTrue(qwen3.qkNorm());
    assertEquals(ModelShapes.SMALL, qwen3.toBuilder().architecture(Architecture.LLAMA).qkNorm(false).build());
    assertEquals(ModelShapes.LLAMA_1B, ModelShapes.LLAMA_1B.toBuilder().build());
    assertEquals(OptionalInt.of(1), ModelShapes.SMALL.bosTokenId());
    assertEquals(List.of(2), ModelShapes.SMALL.eosTokenIds());
  }

  @Test
  void aBuilderWithoutItsDimensionsIsRefusedNamingTheField() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelConfig.builder(Architecture.LLAMA).vocabSize(512).build());
    assertEquals("model config: field 'hidden_size' has invalid value 0", e.getMessage());
  }
}
