package dev.sapling.pipeline.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.data.Hashing;
import dev.sapling.data.Json;
import dev.sapling.data.Manifest;
import java.util.List;
import java.util.TreeMap;

/**
 * Hashes of what changes a stage's output. A signature covers the stage name, its config, the model's identity
 * (weights, config and tokenizer hashes, compute dtype, BOS rule — not its path or device), the run seed, and each
 * input's signature and data hash. Batch size, device and progress settings are never part of it.
 *
 * <pre>{@code
 * String sig = Signatures.of("responses", configJson, Signatures.modelIdentity(modelJson), 1234, inputs);
 * }</pre>
 */
public final class Signatures {
  /** The loader manifest fields that change what a model computes. */
  private static final List<String> MODEL_FIELDS = List.of("loader_version", "format", "architecture",
      "config_sha256", "tokenizer_sha256", "stored_dtype", "compute_dtype", "chat_template_stripped",
      "special_tokens_added_by_encode", "add_bos", "bos_id");

  private Signatures() {}

  /** SHA-256 of {@code json} written with every object's keys sorted. */
  public static String hash(JsonNode json) {
    return Hashing.sha256(Json.line(canonical(json)));
  }

  /** The model's identity: the output-changing loader fields plus every weight file's SHA-256; null for no model. */
  public static JsonNode modelIdentity(JsonNode modelManifest) {
    if (modelManifest == null || modelManifest.isNull()) {
      return null;
    }
    ObjectNode id = JsonNodeFactory.instance.objectNode();
    for (String f : MODEL_FIELDS) {
      if (modelManifest.has(f)) {
        id.set(f, modelManifest.get(f));
      }
    }
    ArrayNode weights = id.putArray("weight_sha256");
    modelManifest.path("weight_files").forEach(w -> weights.add(w.path("sha256").asText()));
    return id;
  }

  /** The signature of one stage. */
  public static String of(String stage, JsonNode config, JsonNode modelIdentity, long seed,
      List<Manifest.Input> inputs) {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("signature_version", 1);
    s.put("stage", stage);
    s.put("config_hash", hash(config));
    s.set("model", modelIdentity);
    s.put("seed", seed);
    ArrayNode in = s.putArray("inputs");
    for (Manifest.Input i : inputs) {
      in.addObject().put("stage", i.stage()).put("signature", i.signature()).put("data_sha256", i.dataSha256());
    }
    return hash(s);
  }

  static JsonNode canonical(JsonNode node) {
    if (node == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      node.fields().forEachRemaining(e -> sorted.put(e.getKey(), canonical(e.getValue())));
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      sorted.forEach(o::set);
      return o;
    }
    if (node.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      node.forEach(v -> a.add(canonical(v)));
      return a;
    }
    return node;
  }
}
