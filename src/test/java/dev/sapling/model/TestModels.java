package dev.sapling.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/** Small random-weight models for the tests (the weights come from {@link MapWeightSource}). */
public final class TestModels {
  private TestModels() {}

  /**
   * The tests' tiny Llama: 2 layers, hidden 32, 4 query heads over 2 KV heads (head dim 8), FFN 40, vocab 61, 128
   * positions, BOS 1, EOS 2. Variants: {@code TINY.toBuilder().attentionBias(true).build()}.
   */
  public static final ModelConfig TINY = ModelConfig.builder(Architecture.LLAMA).vocabSize(61).hiddenSize(32)
      .intermediateSize(40).numLayers(2).numHeads(4).numKeyValueHeads(2).headDim(8).maxPositionEmbeddings(128).build();

  /** {@link #TINY} with another vocabulary, 256 positions and EOS as given. */
  public static ModelConfig tinyLlama(int vocabSize, List<Integer> eosIds) {
    return TINY.toBuilder().vocabSize(vocabSize).maxPositionEmbeddings(256).eosTokenIds(eosIds).build();
  }

  /** A transformer over deterministic random F32 weights on {@code manager}. */
  public static Transformer randomTransformer(ModelConfig config, long seed, NDManager manager) {
    Weights w = new WeightsBuilder(config, MapWeightSource.random(config, seed), manager, DataType.FLOAT32).build();
    return new Transformer(config, w);
  }
}
