package dev.sapling.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import java.util.Optional;

/**
 * {@link TensorOps} as Sapling's own natives in the PyTorch bridge (src/main/native/sapling/fused_ops.cc): each step is
 * one JNI call on the tensors' handles instead of a chain of DJL ops, and attention is PyTorch's
 * {@code scaled_dot_product_attention} with the cuDNN backend turned off (slow for decode on torch 2.11). Only
 * available when the engine runs on the bridge; {@link #load()} says whether it does.
 *
 * <pre>{@code
 * TensorOps kernels = FusedOps.load().orElse(TensorOps.composed());
 * Transformer t = new Transformer(config, weights, kernels);
 * }</pre>
 */
public final class FusedOps implements TensorOps {
  /** The native interface version this class is written against (see sapling/fused_ops.cc). */
  private static final int VERSION = 3;

  private final Optional<StepRecorder> recorder;

  private FusedOps(Optional<StepRecorder> recorder) {
    this.recorder = recorder;
  }

  /** The fused kernels when the loaded JNI library has them (Sapling's bridge), else empty. */
  public static Optional<TensorOps> load() {
    Engine.getEngine("PyTorch"); // loads the JNI library the natives live in
    try {
      if (version() != VERSION) {
        return Optional.empty();
      }
      configure();
      if ("off".equals(System.getenv("SAPLING_DECODE_KERNELS"))) {
        useDecodeKernels(false);
      }
      return Optional.of(new FusedOps(CudaGraphRecorder.load()));
    } catch (UnsatisfiedLinkError e) {
      return Optional.empty();
    }
  }

  @Override
  public NDArray rmsNorm(NDArray x, NDArray weight, double eps, DataType computeType) {
    return wrap(x, rmsNorm(handle(x), handle(weight), eps, computeType.ordinal()));
  }

  @Override
  public NDArray rope(NDArray x, NDArray cos, NDArray sin) {
    return wrap(x, rope(handle(x), handle(cos), handle(sin)));
  }

  /** One cuBLAS call with the residual as the accumulator (rounded once, not after the product and again after the add). */
  @Override
  public NDArray addProduct(NDArray residual, NDArray x, NDArray weight) {
    return wrap(residual, addProduct(handle(residual), handle(x), handle(weight)));
  }

  /** One pass over the logits: the softmax kernel reads them in their dtype and accumulates in float32. */
  @Override
  public NDArray logSoftmaxGather(NDArray logits, NDArray targets) {
    return wrap(logits, logSoftmaxGather(handle(logits), handle(targets)));
  }

  /**
   * Gate and up as two products over the column halves of {@code gateUp} (contiguous outputs, so SiLU and the
   * product run as vectorised in-place kernels), then the down projection accumulated into the residual.
   */
  @Override
  public NDArray swiGluMlp(NDArray residual, NDArray x, NDArray gateUp, NDArray down) {
    return wrap(residual, swiGluMlp(handle(residual), handle(x), handle(gateUp), handle(down)));
  }

  /** One decode kernel at 1 or 2 rows of bf16 on a GPU (norm, product and bias together), else the norm and a product. */
  @Override
  public NDArray normProduct(NDArray x, NDArray norm, double eps, NDArray weight, NDArray bias,
      DataType computeType) {
    return wrap(x, normProduct(handle(x), handle(norm), eps, handle(weight), bias == null ? 0 : handle(bias),
        computeType.ordinal()));
  }

  /**
   * Two decode kernels at 1 or 2 rows of bf16 on a GPU (norm, gate, up and SiLU in one; down and the residual in the
   * other), else the norm and {@link #swiGluMlp}.
   */
  @Override
  public NDArray normSwiGluMlp(NDArray x, NDArray norm, double eps, NDArray gateUp, NDArray down,
      DataType computeType) {
    return wrap(x, normSwiGluMlp(handle(x), handle(norm), eps, handle(gateUp), handle(down), computeType.ordinal()));
  }

  /** One decode kernel writing float32 logits at 1 or 2 rows of bf16 on a GPU, else the norm and one product. */
  @Override
  public NDArray normLogits(NDArray x, NDArray norm, double eps, NDArray lmHead, DataType computeType) {
    return wrap(x, normLogits(handle(x), handle(norm), eps, handle(lmHead), computeType.ordinal()));
  }

  /** One kernel for every head and the cache write in bf16 on a GPU, else the fused rope and two index writes. */
  @Override
  public NDArray ropeStore(NDArray qkv, int heads, int kvHeads, NDArray cos, NDArray sin, NDArray keys,
      NDArray values, NDArray slot) {
    return wrap(qkv, ropeStore(handle(qkv), heads, kvHeads, handle(cos), handle(sin), handle(keys), handle(values),
        handle(slot)));
  }

  /** The decode kernel (the visible slots only) at 1 to 4 rows of bf16 on a GPU, else {@link #attention}. */
  @Override
  public NDArray decodeAttention(NDArray q, NDArray keys, NDArray values, NDArray slot, NDArray padding, int window,
      NDArray mask, DataType computeType) {
    return wrap(q, decodeAttention(handle(q), handle(keys), handle(values), handle(slot), handle(padding), window,
        handle(mask), computeType.ordinal()));
  }

  /**
   * Whether the bridge was built with Sapling's small-batch decode kernels (src/main/native/cuda: a CUDA PyTorch
   * and nvcc on the host that built it). Without them the same steps run as ATen ops.
   */
  public static boolean decodeKernels() {
    try {
      return decodeKernelsBuilt();
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }

  /** How many small-batch decode kernels this process has launched (0 without them): checks see which path ran. */
  public static long decodeKernelsLaunched() {
    try {
      return decodeKernelLaunches();
    } catch (UnsatisfiedLinkError e) {
      return 0;
    }
  }

  /**
   * Turns the small-batch decode kernels off (every step as ATen ops) or back on, for the whole process: for A/B
   * measurements and checks in one run. On by default.
   */
  public static void useDecodeKernels(boolean on) {
    enableDecodeKernels(on);
  }

  @Override
  public NDArray attentionMask(NDArray mask, int groups, DataType computeType) {
    return mask == null ? null : wrap(mask, attentionMask(handle(mask), groups, computeType.ordinal()));
  }

  /** CUDA graphs when the bridge was built against a CUDA PyTorch and a GPU is visible. */
  @Override
  public Optional<StepRecorder> recorder() {
    return recorder;
  }

  @Override
  public NDArray attention(NDArray q, NDArray keys, NDArray values, NDArray mask, DataType computeType) {
    return wrap(q, attention(handle(q), handle(keys), handle(values), mask == null ? 0 : handle(mask),
        computeType.ordinal()));
  }

  private static long handle(NDArray a) {
    return ((PtNDArray) a).getHandle();
  }

  private static NDArray wrap(NDArray like, long handle) {
    return new PtNDArray((PtNDManager) like.getManager(), handle);
  }

  private static native int version();

  private static native void configure();

  private static native long rmsNorm(long x, long weight, double eps, int computeType);

  private static native long rope(long x, long cos, long sin);

  private static native long swiGluMlp(long residual, long x, long gateUp, long down);

  private static native long addProduct(long residual, long x, long weight);

  private static native long logSoftmaxGather(long logits, long targets);

  private static native long attentionMask(long mask, int groups, int computeType);

  private static native boolean decodeKernelsBuilt();

  private static native void enableDecodeKernels(boolean on);

  private static native long decodeKernelLaunches();

  private static native long normProduct(long x, long norm, double eps, long weight, long bias, int computeType);

  private static native long normSwiGluMlp(long x, long norm, double eps, long gateUp, long down, int computeType);

  private static native long normLogits(long x, long norm, double eps, long lmHead, int computeType);

  private static native long decodeAttention(long q, long keys, long values, long slot, long padding, int window,
      long mask, int computeType);

  private static native long ropeStore(long qkv, int heads, int kvHeads, long cos, long sin, long keys, long values,
      long slot);

  private static native long attention(long q, long keys, long values, long mask, int computeType);
}
