package dev.sapling.runtime.device;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;

/**
 * Reads small device tensors back to the host without waiting for the work queued after them: {@link #enqueue} queues
 * a copy of the tensor (in stream order, into a pinned host buffer of its slot), {@link #await} waits for that copy
 * only. So a decode loop can launch step n+1 before it reads step n's result. Natives in Sapling's PyTorch bridge
 * (src/main/native/sapling/readback.cc); without them (DJL's own JNI, or a bridge built without that file) enqueue
 * copies synchronously, with the same values. A CPU tensor is always copied at once.
 *
 * <pre>{@code
 * try (AsyncReadback r = AsyncReadback.open(2)) {
 *   r.enqueue(0, d.advance());     // step n's result, copied when the device gets there
 *   r.enqueue(1, d.advance());     // step n+1 queued behind it
 *   float[] n = r.await(0);        // waits for step n only
 * }
 * }</pre>
 */
public final class AsyncReadback implements AutoCloseable {
  private final int slots;
  private final boolean[] queued;
  /** Values copied at enqueue time (no natives), per slot. */
  private final float[][] copied;
  /** The native readback, or 0 when the bridge lacks the natives. */
  private final long handle;
  private boolean closed;

  private AsyncReadback(int slots, long handle) {
    this.slots = slots;
    this.queued = new boolean[slots];
    this.copied = new float[slots][];
    this.handle = handle;
  }

  /** A readback with {@code slots} independent buffers; asynchronous when the bridge has the natives. */
  public static AsyncReadback open(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("readback: " + slots + " slots; expected at least 1");
    }
    return new AsyncReadback(slots, Loaded.NATIVE ? create(slots) : 0);
  }

  /** A readback that always copies synchronously ({@code toFloatArray()}): what the native one must match. */
  public static AsyncReadback synchronous(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("readback: " + slots + " slots; expected at least 1");
    }
    return new AsyncReadback(slots, 0);
  }

  /** Whether the loaded JNI library has the natives, so device tensors are read back without a full wait. */
  public static boolean available() {
    return Loaded.NATIVE;
  }

  /** Whether this readback uses the natives (device copies then run asynchronously). */
  public boolean asynchronous() {
    return handle != 0;
  }

  /**
   * Queues a copy of {@code tensor} (small; any dtype, read as float32) into {@code slot}, behind the work already
   * queued on the device; the tensor may be rewritten by later work. The slot must have been awaited since its last
   * enqueue.
   */
  public void enqueue(int slot, NDArray tensor) {
    check(slot);
    if (queued[slot]) {
      throw new IllegalStateException("readback slot " + slot + " still holds an unread copy; await it first");
    }
    if (handle != 0 && tensor instanceof PtNDArray pt) {
      enqueue(handle, slot, pt.getHandle());
      copied[slot] = null;
    } else if (tensor.getDataType() == DataType.FLOAT32) {
      copied[slot] = tensor.toFloatArray();
    } else {
      try (NDArray floats = tensor.toType(DataType.FLOAT32, true)) {
        copied[slot] = floats.toFloatArray();
      }
    }
    queued[slot] = true;
  }

  /** Waits for the copy queued into {@code slot} (not for later work) and returns its values, float32 in order. */
  public float[] await(int slot) {
    check(slot);
    if (!queued[slot]) {
      throw new IllegalStateException("readback slot " + slot + " has nothing enqueued");
    }
    queued[slot] = false;
    if (copied[slot] != null) {
      float[] v = copied[slot];
      copied[slot] = null;
      return v;
    }
    return await(handle, slot);
  }

  /** Whether {@code slot} holds a copy not yet awaited. */
  public boolean pending(int slot) {
    check(slot);
    return queued[slot];
  }

  private void check(int slot) {
    if (slot < 0 || slot >= slots) {
      throw new IllegalArgumentException("readback slot " + slot + " is outside [0, " + slots + ")");
    }
    if (closed) {
      throw new IllegalStateException("readback is closed");
    }
  }

  /** Frees the buffers; a copy still in flight is abandoned safely (its values are never read). */
  @Override
  public void close() {
    if (!closed && handle != 0) {
      free(handle);
    }
    closed = true;
  }

  /** Probes the library once: the answer cannot change while the process runs. */
  private static final class Loaded {
    static final boolean NATIVE = probe();

    private static boolean probe() {
      Engine.getEngine("PyTorch"); // loads the JNI library the natives live in
      try {
        return version() >= 1;
      } catch (UnsatisfiedLinkError e) {
        return false;
      }
    }
  }

  private static native int version();

  private static native long create(int slots);

  private static native void free(long handle);

  private static native void enqueue(long handle, int slot, long tensor);

  private static native float[] await(long handle, int slot);
}
