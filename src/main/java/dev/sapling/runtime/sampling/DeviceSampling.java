package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;

/**
 * The token choice of {@link TokenSampler} computed where the logits are, for every {@link SamplingParams} setting:
 * greedy, temperature, top-k, top-p, min-p, repetition and presence penalties, with the same inverse-CDF draw in
 * float64 from the same uniforms, so only an id and a log-prob per row reach the host. Two implementations of one
 * computation: {@link FusedSampling} (one native call, when the PyTorch bridge has it) and {@link #composed()} (DJL
 * ops, on any engine). They do not validate: {@link DeviceTokenSelector} checks the log-probs and records the tokens.
 *
 * <pre>{@code
 * DeviceSampling sampling = FusedSampling.load().orElse(DeviceSampling.composed());
 * TokenSampler.Draw[] d = sampling.select(logits, SamplingRows.forStep(params, rows, states, vocab));
 * }</pre>
 */
public interface DeviceSampling {
  /**
   * The token and log-prob of each request of {@code rows}, chosen from {@code logits} ({@code [batch, vocab]} or
   * {@code [batch, 1, vocab]}); a log-prob is not finite when the row's logits are not.
   */
  TokenSampler.Draw[] select(NDArray logits, SamplingRows rows);

  /** The computation as a chain of DJL ops: works on DJL's own JNI and on the bridge, on any device. */
  static DeviceSampling composed() {
    return ComposedSampling.INSTANCE;
  }
}
