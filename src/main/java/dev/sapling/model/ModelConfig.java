package dev.sapling.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.SaplingException;
import dev.sapling.model.format.ModelFormatException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The shape and numerics of a decoder-only transformer, independent of file format: what config.json says, or what
 * a GGUF header says. Immutable; the forward pass reads nothing else.
 *
 * <pre>{@code
 * ModelConfig c = ModelConfig.fromHfConfig(json, "models/x/config.json");
 * int kvDim = c.numKeyValueHeads() * c.headDim();
 * }</pre>
 *
 * @param slidingWindow attention window in tokens, or 0 for full causal attention
 * @param maxPositionEmbeddings the context length the model declares
 */
public record ModelConfig(
    Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean qkNorm,
    int slidingWindow,
    OptionalInt bosTokenId,
    List<Integer> eosTokenIds) {

  public ModelConfig {
    require(vocabSize > 0, "vocab_size", vocabSize);
    require(hiddenSize > 0, "hidden_size", hiddenSize);
    require(intermediateSize > 0, "intermediate_size", intermediateSize);
    require(numLayers > 0, "num_hidden_layers", numLayers);
    require(numHeads > 0, "num_attention_heads", numHeads);
    require(numKeyValueHeads > 0 && numHeads % numKeyValueHeads == 0, "num_key_value_heads", numKeyValueHeads);
    require(headDim > 0 && headDim % 2 == 0, "head_dim", headDim);
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  private static void require(boolean ok, String field, int value) {
    if (!ok) {
      throw new ModelFormatException("model config: field '" + field + "' has invalid value " + value);
    }
  }

  /**
   * A builder of a config whose dimensions are all still to be set; the rest starts at Llama 2's values (RMS norm eps
   * 1e-5, RoPE theta 10000 without scaling, 2048 positions, untied embeddings, no attention bias, no q/k norm, full
   * attention, BOS 1, EOS 2).
   */
  public static Builder builder(Architecture architecture) {
    return new Builder(architecture);
  }

  /**
   * A builder that starts from this config, for a variant of a named shape.
   *
   * <pre>{@code
   * ModelConfig qwen2 = ModelShapes.SMALL.toBuilder().architecture(Architecture.QWEN2).attentionBias(true).build();
   * }</pre>
   */
  public Builder toBuilder() {
    return new Builder(architecture).vocabSize(vocabSize).hiddenSize(hiddenSize).intermediateSize(intermediateSize)
        .numLayers(numLayers).numHeads(numHeads).numKeyValueHeads(numKeyValueHeads).headDim(headDim)
        .rmsNormEps(rmsNormEps).ropeTheta(ropeTheta).ropeScaling(ropeScaling)
        .maxPositionEmbeddings(maxPositionEmbeddings).tieWordEmbeddings(tieWordEmbeddings)
        .attentionBias(attentionBias).qkNorm(qkNorm).slidingWindow(slidingWindow).bosTokenId(bosTokenId)
        .eosTokenIds(eosTokenIds);
  }

  /**
   * Builds a {@link ModelConfig} field by field, by the record's own names; {@link #build} validates as the record
   * does. Named shapes live in {@link ModelShapes}.
   *
   * <pre>{@code
   * ModelConfig c = ModelConfig.builder(Architecture.LLAMA).vocabSize(512).hiddenSize(64).intermediateSize(172)
   *     .numLayers(5).numHeads(8).numKeyValueHeads(4).headDim(8).maxPositionEmbeddings(512).build();
   * }</pre>
   */
  public static final class Builder {
    private Architecture architecture;
    private int vocabSize;
    private int hiddenSize;
    private int intermediateSize;
    private int numLayers;
    private int numHeads;
    private int numKeyValueHeads;
    private int headDim;
    private double rmsNormEps = 1e-5;
    private double ropeTheta = 10000.0;
    private RopeScaling ropeScaling = RopeScaling.none();
    private int maxPositionEmbeddings = 2048;
    private boolean tieWordEmbeddings;
    private boolean attentionBias;
    private boolean qkNorm;
    private int slidingWindow;
    private OptionalInt bosTokenId = OptionalInt.of(1);
    private List<Integer> eosTokenIds = List.of(2);

    private Builder(Architecture architecture) {
      this.architecture = architecture;
    }

    public Builder architecture(Architecture v) {
      architecture = v;
      return this;
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder numLayers(int v) {
      numLayers = v;
      return this;
    }

    public Builder numHeads(int v) {
      numHeads = v;
      return this;
    }

    public Builder numKeyValueHeads(int v) {
      numKeyValueHeads = v;
      return this;
    }

    public Builder headDim(int v) {
      headDim = v;
      return this;
    }

    public Builder rmsNormEps(double v) {
      rmsNormEps = v;
      return this;
    }

    public Builder ropeTheta(double v) {
      ropeTheta = v;
      return this;
    }

    public Builder ropeScaling(RopeScaling v) {
      ropeScaling = v;
      return this;
    }

    public Builder maxPositionEmbeddings(int v) {
      maxPositionEmbeddings = v;
      return this;
    }

    public Builder tieWordEmbeddings(boolean v) {
      tieWordEmbeddings = v;
      return this;
    }

    public Builder attentionBias(boolean v) {
      attentionBias = v;
      return this;
    }

    public Builder qkNorm(boolean v) {
      qkNorm = v;
      return this;
    }

    /** Attention window in tokens, or 0 for full causal attention. */
    public Builder slidingWindow(int v) {
      slidingWindow = v;
      return this;
    }

    public Builder bosTokenId(OptionalInt v) {
      bosTokenId = v;
      return this;
    }

    public Builder eosTokenIds(List<Integer> v) {
      eosTokenIds = v;
      return this;
    }

    public ModelConfig build() {
      return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads,
          numKeyValueHeads, headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings,
          attentionBias, qkNorm, slidingWindow, bosTokenId, eosTokenIds);
    }
  }

  /**
   * Refuses token ids outside the vocabulary, naming {@code where} they came from (a prompt, a file line, a flag),
   * the id and its position: the one range check for every id fed to the model.
   *
   * <pre>{@code
   * config.requireTokenIds("prompt 3", ids);
   * // prompt 3: token id 70000 at position 2 is outside the vocabulary [0, 32000); use ids of this model's tokenizer
   * }</pre>
   */
  public void requireTokenIds(String where, int[] ids) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new SaplingException(where + ": token id " + ids[i] + " at position " + i
            + " is outside the vocabulary [0, " + vocabSize + "); use ids of this model's tokenizer");
      }
    }
  }

  /** Query heads that share one key/value head. */
  public int groupSize() {
    return numHeads / numKeyValueHeads;
  }

  /** Reads a Hugging Face {@code config.json}; {@code source} names the file in error messages. */
  public static ModelConfig fromHfConfig(JsonNode json, String source) {
    Fields f = new Fields(json, source);
    String archName = json.has("architectures") && json.get("architectures").size() > 0
        ? json.get("architectures").get(0).asText() : f.string("model_type");
    Architecture arch = Architecture.fromHf(archName, source);
    int hidden = f.integer("hidden_size");
    int heads = f.integer("num_attention_heads");
    int headDim = f.optionalInteger("head_dim").orElse(hidden / heads);
    boolean bias = f.optionalBoolean("attention_bias").orElse(arch == Architecture.QWEN2);
    return new ModelConfig(
        arch,
        f.integer("vocab_size"),
        hidden,
        f.integer("intermediate_size"),
        f.integer("num_hidden_layers"),
        heads,
        f.optionalInteger("num_key_value_heads").orElse(heads),
        headDim,
        f.optionalDouble("rms_norm_eps").orElse(1e-6),
        ropeTheta(json, f),
        ropeScaling(json, source),
        f.optionalInteger("max_position_embeddings").orElse(2048),
        f.optionalBoolean("tie_word_embeddings").orElse(false),
        bias,
        arch == Architecture.QWEN3,
        slidingWindow(json, arch),
        f.optionalInteger("bos_token_id").map(OptionalInt::of).orElse(OptionalInt.empty()),
        eosIds(json.get("eos_token_id")));
  }

  private static int slidingWindow(JsonNode json, Architecture arch) {
    JsonNode w = json.get("sliding_window");
    if (w == null || w.isNull()) {
      return 0;
    }
    // Qwen2/3 configs carry sliding_window but only use it when use_sliding_window is true.
    if ((arch == Architecture.QWEN2 || arch == Architecture.QWEN3)
        && !json.path("use_sliding_window").asBoolean(false)) {
      return 0;
    }
    return w.asInt();
  }

  static List<Integer> eosIds(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (node.isArray()) {
      return java.util.stream.StreamSupport.stream(node.spliterator(), false).map(JsonNode::asInt).toList();
    }
    return List.of(node.asInt());
  }

  /** transformers 5 nests rope settings in {@code rope_parameters}; earlier versions use top-level keys. */
  private static double ropeTheta(JsonNode json, Fields f) {
    JsonNode params = json.get("rope_parameters");
    if (params != null && params.isObject() && params.has("rope_theta")) {
      return params.get("rope_theta").asDouble();
    }
    return f.optionalDouble("rope_theta").orElse(10000.0);
  }

  private static RopeScaling ropeScaling(JsonNode json, String source) {
    JsonNode s = json.get("rope_scaling");
    if ((s == null || s.isNull()) && json.has("rope_parameters")) {
      s = json.get("rope_parameters");
      source = source + " rope_parameters";
    }
    if (s == null || s.isNull()) {
      return RopeScaling.none();
    }
    Fields f = new Fields(s, source + " rope_scaling");
    String type = s.has("rope_type") ? s.get("rope_type").asText() : f.string("type");
    switch (type) {
      case "default":
        return RopeScaling.none();
      case "linear":
        return RopeScaling.linear(f.real("factor"));
      case "llama3":
        return RopeScaling.llama3(f.real("factor"), f.real("low_freq_factor"), f.real("high_freq_factor"),
            f.integer("original_max_position_embeddings"));
      default:
        throw new ModelFormatException(source + ": rope_scaling type '" + type
            + "' is not supported; supported: default, linear, llama3");
    }
  }

  /** This config as a Hugging Face {@code config.json} tree (what the converter writes). */
  public ObjectNode toHfConfig(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.putArray("architectures").add(architecture.hfClass());
    n.put("model_type", architecture.modelType());
    n.put("vocab_size", vocabSize);
    n.put("hidden_size", hiddenSize);
    n.put("intermediate_size", intermediateSize);
    n.put("num_hidden_layers", numLayers);
    n.put("num_attention_heads", numHeads);
    n.put("num_key_value_heads", numKeyValueHeads);
    n.put("head_dim", headDim);
    n.put("hidden_act", "silu");
    n.put("rms_norm_eps", rmsNormEps);
    n.put("rope_theta", ropeTheta);
    n.put("max_position_embeddings", maxPositionEmbeddings);
    n.put("tie_word_embeddings", tieWordEmbeddings);
    n.put("attention_bias", attentionBias);
    n.put("mlp_bias", false);
    switch (ropeScaling.type()) {
      case NONE:
        n.putNull("rope_scaling");
        break;
      case LINEAR:
        n.putObject("rope_scaling").put("rope_type", "linear").put("factor", ropeScaling.factor());
        break;
      case LLAMA3:
        n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", ropeScaling.factor())
            .put("low_freq_factor", ropeScaling.lowFreqFactor())
            .put("high_freq_factor", ropeScaling.highFreqFactor())
            .put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
        break;
      default:
        throw new AssertionError(ropeScaling.type());
    }
    bosTokenId.ifPresent(id -> n.put("bos_token_id", id));
    if (eosTokenIds.size() == 1) {
      n.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      ArrayNode a = n.putArray("eos_token_id");
      eosTokenIds.forEach(a::add);
    }
    n.put("torch_dtype", "float32");
    return n;
  }

  /** Typed reads of JSON fields with errors that name the file and field. */
  private record Fields(JsonNode json, String source) {
    JsonNode node(String field) {
      JsonNode n = json.get(field);
      if (n == null || n.isNull()) {
        throw new ModelFormatException(source + ": field '" + field + "' is missing");
      }
      return n;
    }

    int integer(String field) {
      JsonNode n = node(field);
      if (!n.canConvertToInt() || !n.isIntegralNumber()) {
        throw new ModelFormatException(source + ": field '" + field + "' should be an integer; found " + n);
      }
      return n.asInt();
    }

    double real(String field) {
      JsonNode n = node(field);
      if (!n.isNumber()) {
        throw new ModelFormatException(source + ": field '" + field + "' should be a number; found " + n);
      }
      return n.asDouble();
    }

    String string(String field) {
      JsonNode n = node(field);
      if (!n.isTextual()) {
        throw new ModelFormatException(source + ": field '" + field + "' should be a string; found " + n);
      }
      return n.asText();
    }

    Optional<Integer> optionalInteger(String field) {
      JsonNode n = json.get(field);
      return n == null || n.isNull() ? Optional.empty() : Optional.of(integer(field));
    }

    Optional<Double> optionalDouble(String field) {
      JsonNode n = json.get(field);
      return n == null || n.isNull() ? Optional.empty() : Optional.of(real(field));
    }

    Optional<Boolean> optionalBoolean(String field) {
      JsonNode n = json.get(field);
      if (n == null || n.isNull()) {
        return Optional.empty();
      }
      if (!n.isBoolean()) {
        throw new ModelFormatException(source + ": field '" + field + "' should be true or false; found " + n);
      }
      return Optional.of(n.asBoolean());
    }
  }
}
