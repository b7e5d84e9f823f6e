package dev.sapling.check;

import ai.djl.ndarray.types.DataType;

/**
 * How closely two computations of the same model must agree in one compute type: log-probabilities within
 * {@code logprob} nats, a chosen greedy token's logit within {@code argmaxGap} of the best one, and, where
 * {@code sameTokens}, identical token choices whatever the batch. BF16 rounds differently in a batch of one and a
 * batch of eight (other kernels, other summation order), so near-ties may go either way there; F32 may not.
 *
 * <pre>{@code
 * Tolerance t = Tolerance.of(DataType.BFLOAT16);
 * boolean ok = Math.abs(decodeLogprob - fullForwardLogprob) <= t.logprob();
 * }</pre>
 */
record Tolerance(DataType dtype, double logprob, double argmaxGap, boolean sameTokens) {
  /**
   * F32: 1e-4 (the parity fixtures' bound). BF16: 0.35 nats, twice the largest difference measured between BF16 decode
   * steps and BF16 full forwards of stories260K and qwen2-tiny (0.17, on the CPU through the bridge; their BF16 logits
   * differ from float64 by up to 0.34).
   */
  static Tolerance of(DataType dtype) {
    return switch (dtype) {
      case FLOAT32 -> new Tolerance(dtype, 1e-4, 1e-4, true);
      case BFLOAT16 -> new Tolerance(dtype, 0.35, 0.35, false);
      default -> throw new IllegalArgumentException("no tolerance for compute type " + dtype
          + "; expected float32 or bfloat16");
    };
  }
}
