package dev.sapling.runtime.sampling;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.Optional;

/**
 * {@link DeviceSampling} as one native call of Sapling's PyTorch bridge (src/main/native/bridge_sampling.cc): the
 * per-row numbers go to the device in one copy (two with penalties), the ids and log-probs come back in one. Only
 * available when the engine runs on the bridge and the bridge was built with that file; {@link #load()} says
 * whether it was.
 *
 * <pre>{@code
 * DeviceSampling sampling = FusedSampling.load().orElse(DeviceSampling.composed());
 * }</pre>
 */
public final class FusedSampling implements DeviceSampling {
  private FusedSampling() {}

  /** The native sampling when the loaded JNI library has it (Sapling's bridge), else empty. */
  public static Optional<DeviceSampling> load() {
    return Loaded.SAMPLING;
  }

  @Override
  public TokenSampler.Draw[] select(NDArray logits, SamplingRows rows) {
    if (rows.size() == 0) {
      return new TokenSampler.Draw[0];
    }
    float[] out = select(((PtNDArray) logits).getHandle(), rows.logitRow(), rows.temperature(), rows.topK(),
        rows.topP(), rows.minP(), rows.repetitionPenalty(), rows.presencePenalty(), rows.uniform(),
        rows.seenRequest(), rows.seenToken(), rows.generatedRequest(), rows.generatedToken());
    return ComposedSampling.unpack(out, rows.size());
  }

  /** Probes the library once: the answer cannot change while the process runs. */
  private static final class Loaded {
    static final Optional<DeviceSampling> SAMPLING = probe();

    private static Optional<DeviceSampling> probe() {
      Engine.getEngine("PyTorch"); // loads the JNI library the natives live in
      try {
        return version() >= 1 ? Optional.of(new FusedSampling()) : Optional.empty();
      } catch (UnsatisfiedLinkError e) {
        return Optional.empty();
      }
    }
  }

  private static native int version();

  /** Ids then log-probs, {@code 2 * n} floats. */
  private static native float[] select(long logits, int[] logitRow, double[] temperature, int[] topK, double[] topP,
      double[] minP, double[] repetitionPenalty, double[] presencePenalty, double[] uniform, int[] seenRequest,
      int[] seenToken, int[] generatedRequest, int[] generatedToken);
}
