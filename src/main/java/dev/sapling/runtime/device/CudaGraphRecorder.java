package dev.sapling.runtime.device;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import dev.sapling.model.StepRecorder;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link StepRecorder} as CUDA graphs, through Sapling's bridge (src/main/native/bridge_cuda.cc): the step is
 * captured on a side stream into PyTorch's {@code at::cuda::CUDAGraph} (its intermediates in the graph's private
 * memory pool) and replayed on the current stream. Available only when the engine runs on the bridge built against a
 * CUDA PyTorch with a GPU visible.
 *
 * <pre>{@code
 * Optional<StepRecorder> recorder = CudaGraphRecorder.load();
 * }</pre>
 */
public final class CudaGraphRecorder implements StepRecorder {
  private CudaGraphRecorder() {}

  /** The recorder when the bridge has its CUDA natives and a GPU is visible, else empty. */
  public static Optional<StepRecorder> load() {
    Engine.getEngine("PyTorch"); // loads the JNI library the natives live in
    try {
      return available() ? Optional.of(new CudaGraphRecorder()) : Optional.empty();
    } catch (UnsatisfiedLinkError e) {
      return Optional.empty();
    }
  }

  @Override
  public Recording record(Supplier<NDArray> step) {
    long graph = begin();
    NDArray output;
    try {
      output = step.get();
      end(graph);
    } catch (RuntimeException | Error e) {
      free(graph);
      throw e;
    }
    return new CudaRecording(graph, output);
  }

  /** A captured graph and the output tensor its replays rewrite. */
  private static final class CudaRecording implements Recording {
    private long graph;
    private final NDArray output;

    CudaRecording(long graph, NDArray output) {
      this.graph = graph;
      this.output = output;
    }

    @Override
    public void replay() {
      if (graph == 0) {
        throw new IllegalStateException("replay of a closed recording");
      }
      CudaGraphRecorder.replay(graph);
    }

    @Override
    public NDArray output() {
      return output;
    }

    @Override
    public void close() {
      if (graph != 0) {
        output.close();
        free(graph);
        graph = 0;
      }
    }
  }

  private static native boolean available();

  private static native long begin();

  private static native void end(long graph);

  private static native void replay(long graph);

  private static native void free(long graph);
}
