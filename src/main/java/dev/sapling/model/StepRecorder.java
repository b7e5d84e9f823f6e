package dev.sapling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.function.Supplier;

/**
 * Records the device work of one step once and replays it with a single launch: CUDA graphs on the GPU
 * ({@link CudaGraphRecorder}). A recorded step must read every changing input from device
 * tensors it was recorded with (never from Java numbers, never copying from the host) and write its output to the
 * same tensor every time; {@link StaticDecoder} is the step written that way.
 *
 * <pre>{@code
 * try (StepRecorder.Recording r = recorder.record(device, () -> step(inputs))) {
 *   inputs.set(...); r.replay(); read(r.output());
 * }
 * }</pre>
 */
public interface StepRecorder {
  /**
   * Runs {@code step}, whose arrays live on {@code device}, while recording: its kernels are captured, not executed,
   * so the output holds nothing until the first {@link Recording#replay}. Throws when the step does something a
   * recording cannot hold (a host copy or a synchronisation) or the device cannot record; the step can then still run
   * without a recording.
   */
  Recording record(Device device, Supplier<NDArray> step);

  /** A recorded step: replay runs it again on the current inputs; close frees it and its private memory. */
  interface Recording extends AutoCloseable {
    /** Runs the recorded work on the device (asynchronously, in order with the work queued before it). */
    void replay();

    /** The step's output, rewritten by every replay; owned by the recording. */
    NDArray output();

    @Override
    void close();
  }
}
