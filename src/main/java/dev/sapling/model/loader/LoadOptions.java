package dev.sapling.model.loader;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.sapling.model.Retry;
import java.time.Duration;
import java.util.Optional;

/**
 * How to load a model: the device, the compute dtype (empty: F32 on the CPU; on a GPU the stored dtype, with Q8_0
 * widened to BF16), retries for transient I/O, and whether to hash weight files.
 *
 * <pre>{@code
 * LoadOptions opts = LoadOptions.defaults().withDevice(Device.gpu()).withComputeType(DataType.BFLOAT16);
 * }</pre>
 */
public record LoadOptions(Device device, Optional<DataType> computeType, Retry retry, boolean hashWeights) {

  /** CPU, automatic dtype, 3 attempts starting at 200 ms backoff, weights hashed. */
  public static LoadOptions defaults() {
    return new LoadOptions(Device.cpu(), Optional.empty(), new Retry(3, Duration.ofMillis(200)), true);
  }

  public LoadOptions withDevice(Device device) {
    return new LoadOptions(device, computeType, retry, hashWeights);
  }

  public LoadOptions withComputeType(DataType type) {
    return new LoadOptions(device, Optional.of(type), retry, hashWeights);
  }

  public LoadOptions withRetry(Retry retry) {
    return new LoadOptions(device, computeType, retry, hashWeights);
  }

  public LoadOptions withHashWeights(boolean hash) {
    return new LoadOptions(device, computeType, retry, hash);
  }
}
