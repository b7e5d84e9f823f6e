package dev.sapling.runtime.sampling;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import java.util.Optional;

/**
 * {@link DeviceSampling} as one native call of Sapling's PyTorch bridge (src/main/native/sapling/sampling.cc): the
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

  /**
   * {@link RecordedPlainSampler}'s draw as Sapling's decode kernel (two launches, src/main/native/cuda): float32
   * {@code logits} {@code [rows, 1, vocab]}, row {@code *step} of {@code uniforms} ({@code [steps, rows]} float64);
   * writes the ids into {@code tokens} ({@code [rows, 1]} int64) and returns {@code [2, rows]} float32 (ids,
   * log-probs) in the logits' manager. Null where the kernel does not apply (not a GPU, a bridge without it): the
   * caller composes the draw from DJL ops.
   */
  static NDArray recordedDraw(NDArray logits, NDArray uniforms, NDArray step, double temperature, boolean greedy,
      NDArray tokens) {
    if (load().isEmpty()) {
      return null;
    }
    long handle;
    try {
      handle = recordedDraw(((PtNDArray) logits).getHandle(), ((PtNDArray) uniforms).getHandle(),
          ((PtNDArray) step).getHandle(), temperature, greedy, ((PtNDArray) tokens).getHandle());
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
    return handle == 0 ? null : new PtNDArray((PtNDManager) logits.getManager(), handle);
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

  private static native long recordedDraw(long logits, long uniforms, long step, double temperature, boolean greedy,
      long tokens);

  /** Ids then log-probs, {@code 2 * n} floats. */
  private static native float[] select(long logits, int[] logitRow, double[] temperature, int[] topK, double[] topP,
      double[] minP, double[] repetitionPenalty, double[] presencePenalty, double[] uniform, int[] seenRequest,
      int[] seenToken, int[] generatedRequest, int[] generatedToken);
}
