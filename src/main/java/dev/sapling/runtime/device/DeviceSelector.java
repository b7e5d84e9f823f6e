package dev.sapling.runtime.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.sapling.SaplingException;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Turns {@code --device cpu|gpu|auto} into a DJL {@link Device}. {@code gpu} never falls back to the CPU: when no GPU
 * is visible to the PyTorch engine it fails with a message that says how to set the GPU up. {@code auto} takes the
 * GPU when there is one and says on stderr which it took.
 *
 * <pre>{@code
 * Device device = DeviceSelector.standard().select("gpu");   // throws if the engine sees no GPU
 * }</pre>
 */
public final class DeviceSelector {
  /** What the user asked for. */
  public enum Request {
    CPU,
    GPU,
    AUTO;

    /** Parses a {@code --device} value (case-insensitive); {@code cuda} is accepted for {@code gpu}. */
    public static Request parse(String value) {
      if (value == null || value.isBlank()) {
        return AUTO;
      }
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "cpu":
          return CPU;
        case "gpu":
        case "cuda":
          return GPU;
        case "auto":
          return AUTO;
        default:
          throw new SaplingException("--device: unknown value '" + value + "'; expected cpu, gpu or auto");
      }
    }
  }

  private final IntSupplier gpuCount;

  /** A selector that asks {@code gpuCount} how many GPUs the engine sees (injected for tests). */
  public DeviceSelector(IntSupplier gpuCount) {
    this.gpuCount = gpuCount;
  }

  /** A selector backed by DJL's PyTorch engine. */
  public static DeviceSelector standard() {
    return new DeviceSelector(() -> Engine.getEngine("PyTorch").getGpuCount());
  }

  /** The device for a {@code --device} value. */
  public Device select(String value) {
    return select(Request.parse(value));
  }

  /** The device for a request; {@code GPU} without a visible GPU is an error, never the CPU. */
  public Device select(Request request) {
    switch (request) {
      case CPU:
        return Device.cpu();
      case GPU:
        int count = gpuCount.getAsInt();
        if (count < 1) {
          throw new SaplingException("--device gpu: the PyTorch engine sees no GPU, and Sapling does not fall back "
              + "to the CPU. Run scripts/gpu-setup.sh on the GPU host and export the PYTORCH_LIBRARY_PATH, "
              + "PYTORCH_VERSION and PYTORCH_FLAVOR it prints (see docs/gpu.md), or pass --device cpu");
        }
        return Device.gpu(0);
      case AUTO:
      default:
        Device d = gpuCount.getAsInt() > 0 ? Device.gpu(0) : Device.cpu();
        System.err.println("sapling: --device auto chose " + d);
        return d;
    }
  }
}
