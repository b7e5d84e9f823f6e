package dev.sapling.model.loader;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.sapling.model.FusedOps;
import dev.sapling.model.Retry;
import dev.sapling.model.TensorOps;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How to load a model: the device, the compute dtype (empty: F32 on the CPU; on a GPU the stored dtype, with Q8_0
 * widened to BF16), retries for transient I/O, whether to hash weight files, and the transformer's {@link TensorOps}.
 *
 * <p>The ops are the device's to decide, not the caller's: left empty (the default), a model loads with the fastest
 * ops the engine has ({@link #resolveOps}): Sapling's fused natives where the engine runs on Sapling's bridge, with
 * the decode kernels and CUDA graphs they bring on a GPU, composed DJL ops elsewhere. A notebook, a script and the CLI
 * so get the same path. Each part can be turned off: {@code withOps(TensorOps.composed())} or
 * {@code SAPLING_FUSED_OPS=off} for the fused ops, {@code SAPLING_DECODE_KERNELS=off} for the decode kernels,
 * {@code GeneratorOptions.withStaticDecode(false)} for CUDA graphs, {@code SAPLING_PIPELINED_DECODE=off} for
 * pipelined decoding (docs/gpu.md, "Who picks the ops").
 *
 * <pre>{@code
 * LoadOptions opts = LoadOptions.defaults().withDevice(Device.gpu()).withComputeType(DataType.BFLOAT16);
 * LoadOptions composed = opts.withOps(TensorOps.composed());   // the plain DJL ops even on the bridge
 * }</pre>
 *
 * @param ops the transformer's ops, or empty for the fastest the engine has when the model loads
 */
public record LoadOptions(Device device, Optional<DataType> computeType, Retry retry, boolean hashWeights,
    Optional<TensorOps> ops) {

  /** The environment variable that, set to {@code off}, keeps models loaded without {@link #withOps} on composed ops. */
  public static final String FUSED_OPS_SWITCH = "SAPLING_FUSED_OPS";

  /** CPU, automatic dtype, 3 attempts starting at 200 ms backoff, weights hashed, the fastest ops. */
  public static LoadOptions defaults() {
    return new LoadOptions(Device.cpu(), Optional.empty(), new Retry(3, Duration.ofMillis(200)), true,
        Optional.empty());
  }

  public LoadOptions withDevice(Device device) {
    return copy(d -> d.device = device);
  }

  public LoadOptions withComputeType(DataType type) {
    return copy(d -> d.computeType = Optional.of(type));
  }

  public LoadOptions withRetry(Retry retry) {
    return copy(d -> d.retry = retry);
  }

  /** These options with exactly {@code ops}, whatever the engine has: {@code TensorOps.composed()} turns fused off. */
  public LoadOptions withOps(TensorOps ops) {
    return copy(d -> d.ops = Optional.of(ops));
  }

  public LoadOptions withHashWeights(boolean hash) {
    return copy(d -> d.hashWeights = hash);
  }

  /**
   * The ops a model loads with: those given to {@link #withOps}, else Sapling's fused natives where the engine runs on
   * Sapling's bridge ({@link FusedOps#load}) and {@value #FUSED_OPS_SWITCH} is not {@code off}, else composed DJL ops.
   */
  public TensorOps resolveOps() {
    return resolveOps(System.getenv());
  }

  /** {@link #resolveOps()} under the environment {@code env}. */
  TensorOps resolveOps(Map<String, String> env) {
    return ops.orElseGet(() -> "off".equals(env.get(FUSED_OPS_SWITCH))
        ? TensorOps.composed()
        : FusedOps.load().orElse(TensorOps.composed()));
  }

  /** The one copy: these options with what {@code change} sets on a draft of them. */
  private LoadOptions copy(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return new LoadOptions(d.device, d.computeType, d.retry, d.hashWeights, d.ops);
  }

  /** The fields of some options, for {@link #copy} to change. */
  private static final class Draft {
    Device device;
    Optional<DataType> computeType;
    Retry retry;
    boolean hashWeights;
    Optional<TensorOps> ops;

    Draft(LoadOptions from) {
      device = from.device;
      computeType = from.computeType;
      retry = from.retry;
      hashWeights = from.hashWeights;
      ops = from.ops;
    }
  }
}
