package dev.sapling.model.loader;

import dev.sapling.model.ModelConfig;
import dev.sapling.model.WeightSource;
import dev.sapling.model.format.GgufFile;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.RopeLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tensors of a llama-architecture GGUF file under their Hugging Face names. Q and K projections are un-permuted
 * from GGUF's adjacent-pair rotary layout to the rotate-half layout the forward pass uses (see {@link RopeLayout});
 * every other tensor passes through unchanged.
 *
 * <pre>{@code
 * WeightSource src = new GgufWeightSource(gguf, config);
 * RawTensor q = src.find("model.layers.0.self_attn.q_proj.weight").orElseThrow();
 * }</pre>
 */
public final class GgufWeightSource implements WeightSource {
  private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.(.+)");
  private static final Map<String, String> BLOCK_NAMES = Map.of(
      "attn_norm.weight", "input_layernorm.weight",
      "attn_q.weight", "self_attn.q_proj.weight",
      "attn_k.weight", "self_attn.k_proj.weight",
      "attn_v.weight", "self_attn.v_proj.weight",
      "attn_output.weight", "self_attn.o_proj.weight",
      "ffn_norm.weight", "post_attention_layernorm.weight",
      "ffn_gate.weight", "mlp.gate_proj.weight",
      "ffn_up.weight", "mlp.up_proj.weight",
      "ffn_down.weight", "mlp.down_proj.weight");
  private static final Map<String, String> GLOBAL_NAMES = Map.of(
      "token_embd.weight", "model.embed_tokens.weight",
      "output_norm.weight", "model.norm.weight",
      "output.weight", "lm_head.weight");

  private final GgufFile gguf;
  private final ModelConfig config;
  private final Map<String, RawTensor> byHfName;

  /** Indexes the file's tensors; an unknown tensor name or a {@code rope_freqs} tensor is an error naming it. */
  public GgufWeightSource(GgufFile gguf, ModelConfig config) {
    this.gguf = gguf;
    this.config = config;
    Map<String, RawTensor> map = new LinkedHashMap<>();
    for (RawTensor t : gguf.tensors()) {
      map.put(hfName(t.name()), t);
    }
    this.byHfName = Collections.unmodifiableMap(map);
  }

  /** The Hugging Face name of a GGUF tensor name. */
  String hfName(String ggufName) {
    String global = GLOBAL_NAMES.get(ggufName);
    if (global != null) {
      return global;
    }
    if (ggufName.equals("rope_freqs.weight")) {
      throw new ModelFormatException(gguf.path() + ": tensor 'rope_freqs.weight' (per-dimension rope frequency "
          + "factors) is not supported; convert from the Hugging Face checkpoint instead, whose config.json "
          + "carries rope_scaling");
    }
    Matcher m = BLOCK.matcher(ggufName);
    if (m.matches() && BLOCK_NAMES.containsKey(m.group(2))) {
      return "model.layers." + m.group(1) + "." + BLOCK_NAMES.get(m.group(2));
    }
    throw new ModelFormatException(gguf.path() + ": tensor '" + ggufName + "' is not part of the llama "
        + "architecture Sapling knows (token_embd, output_norm, output, blk.N.{attn_norm,attn_q,attn_k,attn_v,"
        + "attn_output,ffn_norm,ffn_gate,ffn_up,ffn_down})");
  }

  @Override
  public Optional<RawTensor> find(String hfName) {
    RawTensor t = byHfName.get(hfName);
    if (t == null) {
      return Optional.empty();
    }
    if (hfName.endsWith("self_attn.q_proj.weight")) {
      return Optional.of(unpermuted(t, hfName, config.numHeads()));
    }
    if (hfName.endsWith("self_attn.k_proj.weight")) {
      return Optional.of(unpermuted(t, hfName, config.numKeyValueHeads()));
    }
    return Optional.of(renamed(t, hfName));
  }

  private static RawTensor renamed(RawTensor t, String hfName) {
    return new RawTensor(hfName, t.type(), t.shape(), t.data(), t.file());
  }

  private static RawTensor unpermuted(RawTensor t, String hfName, int heads) {
    if (t.shape().length != 2) {
      throw new ModelFormatException(t.file() + ": tensor '" + t.name() + "' should be a matrix, has shape "
          + java.util.Arrays.toString(t.shape()));
    }
    int rows = Math.toIntExact(t.shape()[0]);
    int cols = Math.toIntExact(t.shape()[1]);
    if (rows % heads != 0 || (rows / heads) % 2 != 0) {
      throw new ModelFormatException(t.file() + ": tensor '" + t.name() + "' has " + rows + " rows, which do not "
          + "split into " + heads + " heads of even size");
    }
    return t.withFloats(hfName, RopeLayout.unpermuteRows(t.toFloats(), heads, rows, cols));
  }

  @Override
  public Set<String> names() {
    return byHfName.keySet();
  }

  @Override
  public String describe() {
    return gguf.path().toString();
  }
}
