package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * All weights of a model, on one device, in one compute dtype. Immutable after load; owned by the model's
 * {@code NDManager}.
 *
 * @param embedding token embedding {@code [vocab, hidden]}
 * @param layers one entry per transformer block
 * @param finalNorm RMSNorm weight after the last block, {@code [hidden]}
 * @param lmHead output projection {@code [hidden, vocab]}; a transposed view of {@code embedding} when tied
 */
public record Weights(NDArray embedding, List<LayerWeights> layers, NDArray finalNorm, NDArray lmHead) {
  public Weights {
    layers = List.copyOf(layers);
  }
}
