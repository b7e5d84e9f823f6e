package dev.sapling.model.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A sharded safetensors checkpoint: {@code model.safetensors.index.json}, whose {@code weight_map} names the shard
 * file (beside the index) that holds each tensor. Every shard is opened once and every mapped tensor is checked to be
 * in its shard, so a missing or stale shard fails at {@link #open} naming the index, the shard and the tensor.
 *
 * <pre>{@code
 * SafetensorsIndex index = SafetensorsIndex.open(dir.resolve("model.safetensors.index.json"));
 * RawTensor q = index.tensor("model.layers.0.self_attn.q_proj.weight").orElseThrow();
 * }</pre>
 */
public final class SafetensorsIndex {
  private final Path indexFile;
  private final List<Path> files;
  private final List<RawTensor> tensors;
  private final Map<String, RawTensor> byName;

  private SafetensorsIndex(Path indexFile, List<Path> files, Map<String, RawTensor> byName) {
    this.indexFile = indexFile;
    this.files = List.copyOf(files);
    this.tensors = List.copyOf(byName.values());
    this.byName = Collections.unmodifiableMap(byName);
  }

  /**
   * Reads {@code indexJson}, opens each shard it names and resolves every tensor of its {@code weight_map}.
   *
   * @throws ModelFormatException when the index is malformed, a shard is missing or lacks a tensor mapped to it, or
   *     a shard is itself malformed
   * @throws IOException when a file cannot be read (transient failures are worth a retry)
   */
  public static SafetensorsIndex open(Path indexJson) throws IOException {
    String name = indexJson.toString();
    Map<String, String> weightMap = weightMap(name, Files.readAllBytes(indexJson));
    Path dir = indexJson.toAbsolutePath().getParent();

    // shard file name -> the first tensor mapped to it (for error messages), in file-name order
    Map<String, String> shardNames = new TreeMap<>();
    weightMap.forEach((tensor, shard) -> shardNames.putIfAbsent(shard, tensor));
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> e : shardNames.entrySet()) {
      Path shard = shardPath(name, dir, e.getKey(), e.getValue());
      if (!Files.isRegularFile(shard)) {
        throw new ModelFormatException(name + ": tensor '" + e.getValue() + "' is mapped to shard '" + e.getKey()
            + "', which does not exist (looked for " + shard + "); download the missing shard or fix the index");
      }
      shards.put(e.getKey(), SafetensorsFile.open(shard));
      files.add(shard);
    }

    // tensors grouped by shard in file-name order, each shard's in offset order
    Map<String, RawTensor> byName = new LinkedHashMap<>();
    for (Map.Entry<String, SafetensorsFile> e : shards.entrySet()) {
      for (RawTensor t : e.getValue().tensors()) {
        if (e.getKey().equals(weightMap.get(t.name()))) {
          byName.put(t.name(), t);
        }
      }
    }
    weightMap.forEach((tensor, shard) -> {
      if (!byName.containsKey(tensor)) {
        throw new ModelFormatException(name + ": tensor '" + tensor + "' is mapped to shard '" + shard + "', but "
            + shards.get(shard).path() + " has no tensor of that name; the index and its shards disagree, download"
            + " them again together");
      }
    });
    return new SafetensorsIndex(indexJson, files, byName);
  }

  /** The index file this was read from. */
  public Path path() {
    return indexFile;
  }

  /** The shard files, in file-name order. */
  public List<Path> files() {
    return files;
  }

  /** Every tensor of the weight map, shard by shard, each shard's in file order. */
  public List<RawTensor> tensors() {
    return tensors;
  }

  /** The tensor called {@code name}, or empty when the weight map has none. */
  public Optional<RawTensor> tensor(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public String toString() {
    return indexFile + " (" + byName.size() + " tensors in " + files.size() + " shards)";
  }

  private static Map<String, String> weightMap(String file, byte[] bytes) {
    JsonNode root;
    try {
      root = SafetensorsFile.JSON.readTree(bytes);
    } catch (IOException e) {
      throw new ModelFormatException(file + ": not valid JSON (" + SafetensorsFile.jsonError(e)
          + "); expected a safetensors index with a \"weight_map\" object", e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new ModelFormatException(file + ": field 'weight_map' is " + (map == null ? "missing" : map.getNodeType()
          .name().toLowerCase()) + ", expected an object mapping tensor names to shard file names");
    }
    if (map.isEmpty()) {
      throw new ModelFormatException(file + ": field 'weight_map' is empty, expected at least one tensor");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new ModelFormatException(file + ": field 'weight_map." + e.getKey() + "' is " + e.getValue()
            + ", expected a shard file name");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** The shard beside the index; a name that would leave the folder is refused. */
  private static Path shardPath(String file, Path dir, String shard, String tensor) {
    Path p = dir.resolve(shard).normalize();
    if (!p.getParent().equals(dir.normalize())) {
      throw new ModelFormatException(file + ": tensor '" + tensor + "' is mapped to shard '" + shard + "', expected"
          + " a file name in the index's folder " + dir);
    }
    return p;
  }
}
