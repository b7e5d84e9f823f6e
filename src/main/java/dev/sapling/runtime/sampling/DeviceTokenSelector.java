package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;
import dev.sapling.SaplingException;

/**
 * Chooses tokens on the device with {@link DeviceSampling} (the native call, or composed DJL ops), so a decode step
 * copies one id and one log-prob per row to the host instead of a vocabulary row. Every {@link SamplingParams}
 * setting is {@link TokenSampler}'s computation: the same uniform from each row's own seeded {@link SamplingState},
 * weights and cumulative sums in float64, ties broken towards the lowest id; so the same seed draws the same tokens
 * as the Java path (up to the last bit of a cumulative sum, see docs/runtime.md) whatever else shares the batch.
 *
 * <pre>{@code
 * TokenSelector selector = new DeviceTokenSelector(params, FusedSampling.load().orElse(DeviceSampling.composed()));
 * }</pre>
 */
public final class DeviceTokenSelector implements TokenSelector {
  private final SamplingParams params;
  private final DeviceSampling sampling;

  /** A selector drawing for {@code params} with {@code sampling}. */
  public DeviceTokenSelector(SamplingParams params, DeviceSampling sampling) {
    this.params = params;
    this.sampling = sampling;
  }

  /**
   * Whether {@code params} need nothing but an argmax or a plain temperature draw (no filter, no penalty): cheap as
   * composed ops on any device, where a filter needs a sort of the vocabulary.
   */
  public static boolean isPlain(SamplingParams params) {
    boolean noFilter = params.topK() <= 0 && params.topP() >= 1.0 && params.minP() <= 0.0;
    return !params.hasPenalties() && (params.isGreedy() || noFilter);
  }

  @Override
  public TokenSampler.Draw[] select(NDArray logits, int[] logitRows, SamplingState[] states) {
    long vocab = logits.getShape().get(logits.getShape().dimension() - 1);
    TokenSampler.Draw[] draws =
        sampling.select(logits, SamplingRows.forStep(params, logitRows, states, (int) vocab));
    for (int i = 0; i < draws.length; i++) {
      if (!Float.isFinite(draws[i].logprob())) {
        throw new SaplingException("logits row " + logitRows[i] + " has no finite log-normaliser; the forward pass "
            + "produced NaN or infinite values (overflow in a narrow dtype?)");
      }
      states[i].accept(draws[i].token());
    }
    return draws;
  }
}
