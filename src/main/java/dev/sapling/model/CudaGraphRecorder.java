package dev.sapling.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * {@link StepRecorder} as CUDA graphs, through Sapling's bridge (src/main/native/sapling/cuda_graphs.cc): the step is
 * captured on a side stream into PyTorch's {@code at::cuda::CUDAGraph} (its intermediates in the graph's private
 * memory pool) and replayed on the current stream. Available only when the engine runs on the bridge built against a
 * CUDA PyTorch with a GPU visible. Records on the thread's current CUDA device only (gpu(0) under DJL); a step on
 * another GPU is refused and runs without a recording. After a failed capture no more recordings are made in the
 * process (PyTorch's allocator may still count the capture as under way).
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

  /**
   * Recording and freeing hold this lock: freeing empties PyTorch's cache, which must not happen while another
   * thread captures. Replays need no lock.
   */
  private static final ReentrantLock LOCK = new ReentrantLock();

  @Override
  public Recording record(Device device, Supplier<NDArray> step) {
    if (!device.isGpu() || device.getDeviceId() != currentDevice()) {
      throw new IllegalStateException("CUDA graphs record on the current CUDA device, gpu(" + currentDevice()
          + "); the step's arrays are on " + device);
    }
    LOCK.lock();
    try {
      long graph = begin();
      NDArray output = null;
      try {
        output = step.get();
        end(graph);
      } catch (RuntimeException | Error e) {
        if (output != null) {
          output.close();
        }
        try {
          free(graph);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      return new CudaRecording(graph, output);
    } finally {
      LOCK.unlock();
    }
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
        long freed = graph;
        graph = 0;
        output.close();
        LOCK.lock();
        try {
          free(freed);
        } finally {
          LOCK.unlock();
        }
      }
    }
  }

  private static native boolean available();

  private static native int currentDevice();

  private static native long begin();

  private static native void end(long graph);

  private static native void replay(long graph);

  private static native void free(long graph);
}
