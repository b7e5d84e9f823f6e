package dev.sapling.model.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What was loaded and how: the provenance every later artifact (datasets, checkpoints, evaluations) copies, so a
 * result can be traced to exact weight bytes and to the base-model semantics it was produced under.
 *
 * <pre>{@code
 * ModelManifest m = model.manifest();
 * m.weightFiles().get(0).sha256();
 * String json = m.toJson(new ObjectMapper()).toPrettyString();
 * }</pre>
 *
 * @param loaderVersion version of the loader that produced this manifest
 * @param path the model file or folder, absolute
 * @param format {@code gguf} or {@code safetensors}
 * @param architecture {@code llama}, {@code mistral}, {@code qwen2}, {@code qwen3}
 * @param configSha256 SHA-256 of the canonical Hugging Face config JSON of the model
 * @param weightFiles every weight file with its size and SHA-256
 * @param tokenizerSha256 SHA-256 of the tokenizer ({@code tokenizer.json} bytes, or the GGUF vocabulary canonicalised)
 * @param storedDtype the stored tensor types, e.g. {@code BF16} or {@code F32+Q8_0}
 * @param computeDtype the dtype the forward pass runs in
 * @param device where the weights live, e.g. {@code cpu()} or {@code gpu(0)}
 * @param chatTemplateStripped whether the checkpoint carried a chat template, which Sapling ignored
 * @param chatTemplateSha256 SHA-256 of that ignored template, when there was one
 * @param addBos whether prompts start with BOS ({@link LoadedModel#promptIds} adds it; {@code encode} never does)
 * @param bosId the BOS id, when the model has one
 * @param bosSource where the {@code addBos} decision came from
 */
public record ModelManifest(
    String loaderVersion,
    String path,
    String format,
    String architecture,
    String configSha256,
    List<WeightFile> weightFiles,
    String tokenizerSha256,
    String storedDtype,
    String computeDtype,
    String device,
    boolean chatTemplateStripped,
    Optional<String> chatTemplateSha256,
    boolean addBos,
    OptionalInt bosId,
    String bosSource) {

  /** Version string of this loader; bump when loading semantics change (what tensors mean, BOS, templates). */
  public static final String LOADER_VERSION = "sapling-loader/1";

  public ModelManifest {
    weightFiles = List.copyOf(weightFiles);
  }

  /** One weight file. */
  public record WeightFile(String file, long bytes, String sha256) {}

  /** The manifest as JSON with snake_case keys (the form written into run artifacts). */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("loader_version", loaderVersion);
    n.put("path", path);
    n.put("format", format);
    n.put("architecture", architecture);
    n.put("config_sha256", configSha256);
    ArrayNode files = n.putArray("weight_files");
    for (WeightFile f : weightFiles) {
      files.addObject().put("file", f.file()).put("bytes", f.bytes()).put("sha256", f.sha256());
    }
    n.put("tokenizer_sha256", tokenizerSha256);
    n.put("stored_dtype", storedDtype);
    n.put("compute_dtype", computeDtype);
    n.put("device", device);
    n.put("chat_template_stripped", chatTemplateStripped);
    if (chatTemplateSha256.isPresent()) {
      n.put("chat_template_sha256", chatTemplateSha256.get());
    } else {
      n.putNull("chat_template_sha256");
    }
    n.put("special_tokens_added_by_encode", false);
    n.put("add_bos", addBos);
    if (bosId.isPresent()) {
      n.put("bos_id", bosId.getAsInt());
    } else {
      n.putNull("bos_id");
    }
    n.put("bos_source", bosSource);
    return n;
  }
}
