package dev.sapling.model;

import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Randomly initialised weights of any Llama-family shape, as Hugging Face initialises a fresh model: projections and
 * embeddings from N(0, 0.02²), norm weights 1, biases 0. Deterministic: a tensor's values depend only on the seed and
 * its name. For benchmarks and tests that need a model of a given size and no checkpoint.
 *
 * <pre>{@code
 * ModelConfig c = ...;   // e.g. 12 layers, hidden 768, vocab 32000
 * Weights w = new WeightsBuilder(c, new RandomWeightSource(c, 0), manager, DataType.FLOAT32).build();
 * }</pre>
 */
public final class RandomWeightSource implements WeightSource {
  private static final double INIT_STD = 0.02;

  private final long seed;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();

  public RandomWeightSource(ModelConfig c, long seed) {
    this.seed = seed;
    int h = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    int in = c.intermediateSize();
    shapes.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      shapes.put(p + "input_layernorm.weight", new long[] {h});
      shapes.put(p + "post_attention_layernorm.weight", new long[] {h});
      shapes.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      shapes.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      if (c.attentionBias()) {
        shapes.put(p + "self_attn.q_proj.bias", new long[] {q});
        shapes.put(p + "self_attn.k_proj.bias", new long[] {kv});
        shapes.put(p + "self_attn.v_proj.bias", new long[] {kv});
      }
      if (c.qkNorm()) {
        shapes.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
        shapes.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
      }
      shapes.put(p + "mlp.gate_proj.weight", new long[] {in, h});
      shapes.put(p + "mlp.up_proj.weight", new long[] {in, h});
      shapes.put(p + "mlp.down_proj.weight", new long[] {h, in});
    }
    shapes.put("model.norm.weight", new long[] {h});
    if (!c.tieWordEmbeddings()) {
      shapes.put("lm_head.weight", new long[] {c.vocabSize(), h});
    }
  }

  /** Number of parameters (tied embeddings counted once). */
  public long parameterCount() {
    long n = 0;
    for (long[] s : shapes.values()) {
      long e = 1;
      for (long d : s) {
        e *= d;
      }
      n += e;
    }
    return n;
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
    ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer floats = bytes.asFloatBuffer();
    if (hfName.endsWith("norm.weight")) {
      for (long i = 0; i < count; i++) {
        floats.put(1f);
      }
    } else if (!hfName.endsWith(".bias")) {
      SplittableRandom r = new SplittableRandom(seed ^ (hfName.hashCode() * 0x9E3779B97F4A7C15L));
      for (long i = 0; i < count; i++) {
        floats.put((float) (r.nextGaussian() * INIT_STD));
      }
    }
    return Optional.of(new RawTensor(hfName, TensorType.F32, shape, bytes, describe()));
  }

  @Override
  public Set<String> names() {
    return shapes.keySet();
  }

  @Override
  public String describe() {
    return "random-init(seed=" + seed + ")";
  }
}
