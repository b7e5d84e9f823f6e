package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;

/**
 * Chooses the next token of the live rows of a decode step from that step's logits while they are still on the
 * device, so that each implementation decides what crosses to the host: {@link HostTokenSelector} copies the rows it
 * needs and samples in Java; {@link DeviceTokenSelector} picks greedy and plain-temperature tokens on the device and copies
 * one id and one log-prob per row. Both give the same tokens and log-probs for the same seeded states.
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

  /** The device-side selector where {@code params} allow it (greedy or plain temperature), else sampling in Java. */
  static TokenSelector forParams(SamplingParams params, int vocabSize) {
    return DeviceTokenSelector.handles(params)
        ? new DeviceTokenSelector(params) : new HostTokenSelector(params, vocabSize);
  }
}
