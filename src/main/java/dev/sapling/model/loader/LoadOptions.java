package dev.sapling.model.loader;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.sapling.model.TensorOps;
import dev.sapling.model.Retry;
import java.time.Duration;
import java.util.Optional;

/**
 * How to load a model: the device, the compute dtype (empty: F32 on the CPU; on a GPU the stored dtype, with Q8_0
 * widened to BF16), retries for transient I/O, whether to hash weight files, and the transformer's {@link TensorOps}
 * (composed DJL ops unless the caller passes fused ones).
 *
 * <pre>{@code
 * LoadOptions opts = LoadOptions.defaults().withDevice(Device.gpu()).withComputeType(DataType.BFLOAT16);
 * }</pre>
 */
public record LoadOptions(Device device, Optional<DataType> computeType, Retry retry, boolean hashWeights,
    TensorOps ops) {

  /** CPU, automatic dtype, 3 attempts starting at 200 ms backoff, weights hashed. */
  public static LoadOptions defaults() {
    return new LoadOptions(Device.cpu(), Optional.empty(), new Retry(3, Duration.ofMillis(200)), true,
        TensorOps.composed());
  }

  public LoadOptions withDevice(Device device) {
    return new LoadOptions(device, computeType, retry, hashWeights, ops);
  }

  public LoadOptions withComputeType(DataType type) {
    return new LoadOptions(device, Optional.of(type), retry, hashWeights, ops);
  }

  public LoadOptions withRetry(Retry retry) {
    return new LoadOptions(device, computeType, retry, hashWeights, ops);
  }

  public LoadOptions withOps(TensorOps ops) {
    return new LoadOptions(device, computeType, retry, hashWeights, ops);
  }

  public LoadOptions withHashWeights(boolean hash) {
    return new LoadOptions(device, computeType, retry, hash, ops);
  }
}
