package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.format.RawTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns stored tensors into {@link Weights} on a device: checks every shape against the config, widens or keeps the
 * dtype, transposes projections to {@code [in, out]} and fuses q/k/v and gate/up.
 *
 * <p>On the CPU every tensor is widened to F32 in Java before it reaches DJL: DJL 0.36's official CPU JNI has no
 * BFLOAT16 and kills the JVM when asked for one, so this class refuses any other compute dtype there.
 */
public final class WeightsBuilder {
  private final ModelConfig config;
  private final WeightSource source;
  private final NDManager manager;
  private final DataType computeType;

  public WeightsBuilder(ModelConfig config, WeightSource source, NDManager manager, DataType computeType) {
    if (!manager.getDevice().isGpu() && computeType != DataType.FLOAT32) {
      throw new ModelFormatException("compute dtype " + computeType + " is not available on the CPU path "
          + "(DJL's CPU libtorch bridge has no BF16/F16); use float32 on the CPU or --device gpu");
    }
    this.config = config;
    this.source = source;
    this.manager = manager;
    this.computeType = computeType;
  }

  /** Loads and checks every tensor the architecture needs. */
  public Weights build() {
    ModelConfig c = config;
    int h = c.hiddenSize();
    int qDim = c.numHeads() * c.headDim();
    int kvDim = c.numKeyValueHeads() * c.headDim();
    NDArray embedding = load("model.embed_tokens.weight", c.vocabSize(), h);
    List<LayerWeights> layers = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      NDArray qkv = fuseTransposed(
          load(p + "self_attn.q_proj.weight", qDim, h),
          load(p + "self_attn.k_proj.weight", kvDim, h),
          load(p + "self_attn.v_proj.weight", kvDim, h));
      NDArray qkvBias = null;
      if (c.attentionBias()) {
        qkvBias = NDArrays.concat(new NDList(load(p + "self_attn.q_proj.bias", qDim),
            load(p + "self_attn.k_proj.bias", kvDim), load(p + "self_attn.v_proj.bias", kvDim)), 0);
      }
      NDArray qNorm = c.qkNorm() ? load(p + "self_attn.q_norm.weight", c.headDim()) : null;
      NDArray kNorm = c.qkNorm() ? load(p + "self_attn.k_norm.weight", c.headDim()) : null;
      NDArray output = transposed(load(p + "self_attn.o_proj.weight", h, qDim));
      NDArray gateUp = fuseTransposed(
          load(p + "mlp.gate_proj.weight", c.intermediateSize(), h),
          load(p + "mlp.up_proj.weight", c.intermediateSize(), h));
      NDArray down = transposed(load(p + "mlp.down_proj.weight", h, c.intermediateSize()));
      layers.add(new LayerWeights(load(p + "input_layernorm.weight", h), qkv, qkvBias, qNorm, kNorm, output,
          load(p + "post_attention_layernorm.weight", h), gateUp, down));
    }
    NDArray finalNorm = load("model.norm.weight", h);
    NDArray lmHead;
    if (c.tieWordEmbeddings() || source.find("lm_head.weight").isEmpty()) {
      if (!c.tieWordEmbeddings()) {
        throw new ModelFormatException(source.describe() + ": tensor 'lm_head.weight' is missing and config "
            + "says tie_word_embeddings=false; expected shape [" + c.vocabSize() + ", " + h + "]");
      }
      lmHead = embedding.transpose();
    } else {
      lmHead = transposed(load("lm_head.weight", c.vocabSize(), h));
    }
    return new Weights(embedding, layers, finalNorm, lmHead);
  }

  /** One tensor, shape-checked, as an array of the compute dtype on the manager's device. */
  NDArray load(String name, long... expectedShape) {
    RawTensor t = source.find(name).orElseThrow(() -> new ModelFormatException(source.describe()
        + ": tensor '" + name + "' is missing; expected shape " + Arrays.toString(expectedShape)));
    if (!Arrays.equals(t.shape(), expectedShape)) {
      throw new ModelFormatException(t.file() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
          + " but the config implies " + Arrays.toString(expectedShape));
    }
    Shape shape = new Shape(expectedShape);
    if (!manager.getDevice().isGpu()) {
      return manager.create(t.toFloats(), shape);
    }
    NDArray stored;
    switch (t.type()) {
      case F32:
        stored = manager.create(t.data().duplicate(), shape, DataType.FLOAT32);
        break;
      case F16:
        stored = manager.create(t.data().duplicate(), shape, DataType.FLOAT16);
        break;
      case BF16:
        stored = manager.create(t.data().duplicate(), shape, DataType.BFLOAT16);
        break;
      default:
        stored = manager.create(t.toFloats(), shape);
    }
    return stored.getDataType() == computeType ? stored : stored.toType(computeType, false);
  }

  private static NDArray transposed(NDArray w) {
    return w.transpose();
  }

  private static NDArray fuseTransposed(NDArray... parts) {
    NDArray fused = NDArrays.concat(new NDList(parts), 0).transpose();
    for (NDArray p : parts) {
      p.close();
    }
    return fused;
  }
}
