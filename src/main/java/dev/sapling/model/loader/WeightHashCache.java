package dev.sapling.model.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.data.AtomicFiles;
import dev.sapling.data.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 of weight files, streamed once and remembered beside the model in {@code .sapling-cache/sha256.json},
 * keyed by file name, size and modification time, so a multi-gigabyte checkpoint is hashed once, not at every load.
 * A model folder that cannot be written to is hashed every time (with a warning), never refused.
 *
 * <pre>{@code
 * String sha = new WeightHashCache().sha256(Path.of("model.safetensors"));
 * }</pre>
 */
public final class WeightHashCache {
  private static final Logger LOG = LoggerFactory.getLogger(WeightHashCache.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final String CACHE_DIR = ".sapling-cache";
  static final String CACHE_FILE = "sha256.json";

  /** The file's SHA-256, from the cache when its size and mtime still match. */
  public String sha256(Path file) throws IOException {
    Path cacheFile = file.toAbsolutePath().getParent().resolve(CACHE_DIR).resolve(CACHE_FILE);
    String name = file.getFileName().toString();
    long size = Files.size(file);
    long mtime = Files.getLastModifiedTime(file).toMillis();
    ObjectNode cache = read(cacheFile);
    ObjectNode entry = cache.has(name) && cache.get(name).isObject() ? (ObjectNode) cache.get(name) : null;
    if (entry != null && entry.path("size").asLong(-1) == size && entry.path("mtime_ms").asLong(-1) == mtime
        && entry.path("sha256").asText("").length() == 64) {
      return entry.get("sha256").asText();
    }
    if (size > 256L << 20) {
      LOG.info("hashing {} ({} MB) once; later loads use {}", file, size >> 20, cacheFile);
    }
    String sha = Hashing.sha256(file);
    ObjectNode fresh = cache.putObject(name);
    fresh.put("size", size);
    fresh.put("mtime_ms", mtime);
    fresh.put("sha256", sha);
    try {
      Files.createDirectories(cacheFile.getParent());
      AtomicFiles.writeString(cacheFile, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cache));
    } catch (IOException e) {
      LOG.warn("could not cache the hash of {} in {} ({}); it will be hashed again next time", file, cacheFile,
          e.getMessage());
    }
    return sha;
  }

  private static ObjectNode read(Path cacheFile) {
    if (!Files.isRegularFile(cacheFile)) {
      return MAPPER.createObjectNode();
    }
    try {
      return MAPPER.readTree(cacheFile.toFile()) instanceof ObjectNode node ? node : MAPPER.createObjectNode();
    } catch (IOException e) {
      LOG.warn("ignoring unreadable hash cache {} ({}); rehashing", cacheFile, e.getMessage());
      return MAPPER.createObjectNode();
    }
  }
}
