package dev.sapling.model;

import ai.djl.ndarray.NDArray;

/**
 * The weights of one transformer block, laid out for {@code x.matMul(w)}: every projection is stored transposed,
 * {@code [in, out]}, and the q/k/v and gate/up projections are fused so each is one matrix product.
 *
 * @param attentionNorm RMSNorm weight before attention, {@code [hidden]}
 * @param qkv fused query/key/value projection, {@code [hidden, (heads + 2 * kvHeads) * headDim]}
 * @param qkvBias fused bias {@code [(heads + 2 * kvHeads) * headDim]}, or null (Qwen2 has one)
 * @param queryNorm per-head RMSNorm weight on queries {@code [headDim]}, or null (Qwen3 has one)
 * @param keyNorm per-head RMSNorm weight on keys {@code [headDim]}, or null
 * @param output attention output projection {@code [heads * headDim, hidden]}
 * @param mlpNorm RMSNorm weight before the MLP, {@code [hidden]}
 * @param gateUp fused SwiGLU gate and up projections, {@code [hidden, 2 * intermediate]}
 * @param down MLP down projection {@code [intermediate, hidden]}
 */
public record LayerWeights(
    NDArray attentionNorm,
    NDArray qkv,
    NDArray qkvBias,
    NDArray queryNorm,
    NDArray keyNorm,
    NDArray output,
    NDArray mlpNorm,
    NDArray gateUp,
    NDArray down) {}
