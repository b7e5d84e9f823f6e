package dev.sapling.model;

import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic random F32 weights for any {@link ModelConfig}, made on demand under their Hugging Face names: norms
 * near 1, projections small. For smoke tests and benchmarks that need a model of a given shape but no checkpoint.
 * Each tensor's values depend only on the seed and the tensor's name, so two sources with the same seed agree.
 *
 * <pre>{@code
 * WeightSource source = RandomWeightSource.of(config, 42);
 * Weights w = new WeightsBuilder(config, source, manager, DataType.FLOAT32).build();
 * }</pre>
 */
public final class RandomWeightSource implements WeightSource {
  private final long seed;
  private final Map<String, long[]> shapes;

  private RandomWeightSource(long seed, Map<String, long[]> shapes) {
    this.seed = seed;
    this.shapes = shapes;
  }

  /** Every tensor {@code config} needs, tied or not, with biases and q/k norms where the config has them. */
  public static RandomWeightSource of(ModelConfig c, long seed) {
    Map<String, long[]> s = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long in = c.intermediateSize();
    s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      s.put(p + "input_layernorm.weight", new long[] {h});
      s.put(p + "post_attention_layernorm.weight", new long[] {h});
      s.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      s.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      s.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      s.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      if (c.attentionBias()) {
        s.put(p + "self_attn.q_proj.bias", new long[] {q});
        s.put(p + "self_attn.k_proj.bias", new long[] {kv});
        s.put(p + "self_attn.v_proj.bias", new long[] {kv});
      }
      if (c.qkNorm()) {
        s.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
        s.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
      }
      s.put(p + "mlp.gate_proj.weight", new long[] {in, h});
      s.put(p + "mlp.up_proj.weight", new long[] {in, h});
      s.put(p + "mlp.down_proj.weight", new long[] {h, in});
    }
    s.put("model.norm.weight", new long[] {h});
    if (!c.tieWordEmbeddings()) {
      s.put("lm_head.weight", new long[] {c.vocabSize(), h});
    }
    return new RandomWeightSource(seed, s);
  }

  @Override
  public Optional<RawTensor> find(String hfName) {
    long[] shape = shapes.get(hfName);
    if (shape == null) {
      return Optional.empty();
    }
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    boolean norm = hfName.endsWith("norm.weight");
    boolean embedding = hfName.equals("model.embed_tokens.weight");
    double scale = norm ? 0.2 : embedding ? 1.0 : 0.3 / Math.sqrt(shape[shape.length - 1] / 32.0 + 1);
    double center = norm ? 1.0 : 0.0;
    SplittableRandom r = new SplittableRandom(seed * 31 + hfName.hashCode());
    ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < count; i++) {
      b.putFloat((float) (center + scale * (r.nextDouble() * 2 - 1)));
    }
    b.flip();
    return Optional.of(new RawTensor(hfName, TensorType.F32, shape, b, describe()));
  }

  @Override
  public Set<String> names() {
    return shapes.keySet();
  }

  @Override
  public String describe() {
    return "random weights (seed " + seed + ")";
  }
}
