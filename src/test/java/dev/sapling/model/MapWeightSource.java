package dev.sapling.model;

import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Test weights held in memory as F32 tensors, keyed by Hugging Face name. */
final class MapWeightSource implements WeightSource {
  final Map<String, float[]> values = new LinkedHashMap<>();
  final Map<String, long[]> shapes = new LinkedHashMap<>();

  void put(String name, long[] shape, float[] data) {
    values.put(name, data);
    shapes.put(name, shape);
  }

  @Override
  public Optional<RawTensor> find(String hfName) {
    float[] v = values.get(hfName);
    if (v == null) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Optional.of(new RawTensor(hfName, TensorType.F32, shapes.get(hfName), b, "memory"));
  }

  @Override
  public Set<String> names() {
    return values.keySet();
  }

  @Override
  public String describe() {
    return "memory";
  }

  /** Deterministic random weights for {@code c}, norms near 1, projections small. */
  static MapWeightSource random(ModelConfig c, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    MapWeightSource s = new MapWeightSource();
    int h = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h}, rand(r, c.vocabSize() * h, 1.0, 0));
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      s.put(p + "input_layernorm.weight", new long[] {h}, rand(r, h, 0.2, 1));
      s.put(p + "post_attention_layernorm.weight", new long[] {h}, rand(r, h, 0.2, 1));
      s.put(p + "self_attn.q_proj.weight", new long[] {q, h}, rand(r, q * h, 0.3, 0));
      s.put(p + "self_attn.k_proj.weight", new long[] {kv, h}, rand(r, kv * h, 0.3, 0));
      s.put(p + "self_attn.v_proj.weight", new long[] {kv, h}, rand(r, kv * h, 0.3, 0));
      s.put(p + "self_attn.o_proj.weight", new long[] {h, q}, rand(r, q * h, 0.3, 0));
      if (c.attentionBias()) {
        s.put(p + "self_attn.q_proj.bias", new long[] {q}, rand(r, q, 0.3, 0));
        s.put(p + "self_attn.k_proj.bias", new long[] {kv}, rand(r, kv, 0.3, 0));
        s.put(p + "self_attn.v_proj.bias", new long[] {kv}, rand(r, kv, 0.3, 0));
      }
      if (c.qkNorm()) {
        s.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()}, rand(r, c.headDim(), 0.2, 1));
        s.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()}, rand(r, c.headDim(), 0.2, 1));
      }
      int in = c.intermediateSize();
      s.put(p + "mlp.gate_proj.weight", new long[] {in, h}, rand(r, in * h, 0.3, 0));
      s.put(p + "mlp.up_proj.weight", new long[] {in, h}, rand(r, in * h, 0.3, 0));
      s.put(p + "mlp.down_proj.weight", new long[] {h, in}, rand(r, in * h, 0.3, 0));
    }
    s.put("model.norm.weight", new long[] {h}, rand(r, h, 0.2, 1));
    if (!c.tieWordEmbeddings()) {
      s.put("lm_head.weight", new long[] {c.vocabSize(), h}, rand(r, c.vocabSize() * h, 0.3, 0));
    }
    return s;
  }

  private static float[] rand(java.util.SplittableRandom r, int n, double scale, double center) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (center + scale * (r.nextDouble() * 2 - 1));
    }
    return v;
  }
}
