package dev.sapling.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.OptionalInt;

/** Small random-weight models for tests outside this package (the weights come from {@link MapWeightSource}). */
public final class TestModels {
  private TestModels() {}

  /** A Llama-shape config: 2 layers, hidden 32, 4 query heads over 2 KV heads, BOS 1, EOS as given. */
  public static ModelConfig tinyLlama(int vocabSize, List<Integer> eosIds) {
    return new ModelConfig(Architecture.LLAMA, vocabSize, 32, 40, 2, 4, 2, 8, 1e-5, 10000.0, RopeScaling.none(), 256,
        false, false, false, 0, OptionalInt.of(1), eosIds);
  }

  /** A transformer over deterministic random F32 weights on {@code manager}. */
  public static Transformer randomTransformer(ModelConfig config, long seed, NDManager manager) {
    Weights w = new WeightsBuilder(config, MapWeightSource.random(config, seed), manager, DataType.FLOAT32).build();
    return new Transformer(config, w);
  }
}
