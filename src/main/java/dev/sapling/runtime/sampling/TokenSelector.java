package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;

/**
 * Chooses the next token of the live rows of a decode step from that step's logits while they are still on the
 * device, so that each implementation decides what crosses to the host: {@link HostTokenSelector} copies the rows it
 * needs and samples in Java (the reference); {@link DeviceTokenSelector} chooses on the device and copies one id and
 * one log-prob per row. Both give the same tokens and log-probs for the same seeded states.
 *
 * <pre>{@code
 * TokenSelector selector = TokenSelector.forParams(params, vocabSize);
 * TokenSampler.Draw[] draws = selector.select(logits, new int[] {0, 0, 1}, states);   // logits [2, 1, vocab]
 * }</pre>
 */
public interface TokenSelector {
  /**
   * The next token of each requested row: {@code draws[i]} comes from row {@code logitRows[i]} of {@code logits}
   * ({@code [batch, vocab]} or {@code [batch, 1, vocab]}, float32) and is recorded in {@code states[i]}.
   */
  TokenSampler.Draw[] select(NDArray logits, int[] logitRows, SamplingState[] states);

  /**
   * The device-side selector ({@link FusedSampling} where the bridge has it, else composed DJL ops) for greedy and
   * plain temperature on any device, and for filters and penalties when the logits are on a GPU; Java sampling for
   * filters and penalties on the CPU, where copying a row costs nothing and its thresholded sort beats sorting the
   * whole vocabulary.
   */
  static TokenSelector forParams(SamplingParams params, int vocabSize) {
    TokenSelector device = new DeviceTokenSelector(params, FusedSampling.load().orElse(DeviceSampling.composed()));
    if (DeviceTokenSelector.isPlain(params)) {
      return device;
    }
    TokenSelector host = new HostTokenSelector(params, vocabSize);
    return (logits, rows, states) -> (logits.getDevice().isGpu() ? device : host).select(logits, rows, states);
  }
}
