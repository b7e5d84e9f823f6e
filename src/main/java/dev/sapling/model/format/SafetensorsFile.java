package dev.sapling.model.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One safetensors file, memory-mapped and validated: an 8-byte little-endian header length, a JSON header mapping
 * tensor names to {@code {dtype, shape, data_offsets}} (plus an optional {@code __metadata__} of strings), then the
 * data section. Every header entry is checked against the file before any tensor is handed out, so a truncated or
 * corrupt file fails at {@link #open} with a message naming the file and the tensor, never later as garbage values.
 *
 * <pre>{@code
 * SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"));
 * float[] embed = st.tensor("model.embed_tokens.weight").orElseThrow().toFloats();
 * }</pre>
 *
 * <p>Files over 2 GB are mapped in chunks of at most 2 GiB; each tensor must fit in one chunk.
 */
public final class SafetensorsFile {
  /** Largest header accepted, as the reference implementation does; a larger one means a corrupt file. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  /** Largest region one {@link MappedByteBuffer} can hold. */
  static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE;

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final String METADATA_KEY = "__metadata__";

  private final Path path;
  private final List<RawTensor> tensors;
  private final Map<String, RawTensor> byName;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, List<RawTensor> tensors, Map<String, String> metadata) {
    this.path = path;
    this.tensors = List.copyOf(tensors);
    Map<String, RawTensor> m = new LinkedHashMap<>();
    for (RawTensor t : tensors) {
      m.put(t.name(), t);
    }
    this.byName = Collections.unmodifiableMap(m);
    this.metadata = metadata;
  }

  /**
   * Reads and validates the header of {@code file} and maps its tensors read-only.
   *
   * @throws ModelFormatException when the file is not a well-formed safetensors file of F32, F16 or BF16 tensors
   * @throws IOException when the file cannot be read (transient failures are worth a retry)
   */
  public static SafetensorsFile open(Path file) throws IOException {
    return open(file, MAX_CHUNK_BYTES);
  }

  /** As {@link #open(Path)}, mapping at most {@code maxChunkBytes} per mapping (small values exercise chunking). */
  static SafetensorsFile open(Path file, long maxChunkBytes) throws IOException {
    String name = file.toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new ModelFormatException(name + ": file is " + size + " bytes, too short for safetensors (expected an"
            + " 8-byte header length, a JSON header and the tensor data); the file is truncated or not safetensors,"
            + " download or convert it again");
      }
      long headerLength = readFully(ch, 0, 8, name).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
        throw new ModelFormatException(name + ": header length " + Long.toUnsignedString(headerLength)
            + " bytes is over the " + MAX_HEADER_BYTES / 1_000_000 + " MB limit (the first 8 bytes should be the"
            + " little-endian length of the JSON header); the file is corrupt or not safetensors");
      }
      if (8 + headerLength > size) {
        throw new ModelFormatException(name + ": header length " + headerLength + " bytes runs beyond the end of the"
            + " file (" + size + " bytes, so at most " + (size - 8) + " bytes of header); the file is truncated,"
            + " download or convert it again");
      }
      byte[] headerBytes = new byte[(int) headerLength];
      readFully(ch, 8, (int) headerLength, name).get(headerBytes);
      long dataStart = 8 + headerLength;
      Header header = parseHeader(name, headerBytes, size - dataStart);
      List<RawTensor> tensors = map(ch, name, dataStart, header.entries(), maxChunkBytes);
      return new SafetensorsFile(file, tensors, header.metadata());
    }
  }

  /** The file this was read from. */
  public Path path() {
    return path;
  }

  /** Every tensor, in the order their data lies in the file. */
  public List<RawTensor> tensors() {
    return tensors;
  }

  /** The tensor called {@code name}, or empty when the file has none. */
  public Optional<RawTensor> tensor(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The header's {@code __metadata__} (for example {@code format=pt}); empty when absent. */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public String toString() {
    return path + " (" + tensors.size() + " tensors)";
  }

  /** A header entry, validated against the data section: offsets relative to its start. */
  private record Entry(String name, TensorType type, long[] shape, long begin, long end) {
    long length() {
      return end - begin;
    }
  }

  private record Header(List<Entry> entries, Map<String, String> metadata) {}

  private static Header parseHeader(String file, byte[] bytes, long dataLength) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new ModelFormatException(file + ": header is not valid JSON (" + jsonError(e)
          + "); the file is corrupt or not safetensors", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(file + ": header is " + describe(root) + ", expected a JSON object mapping"
          + " tensor names to {\"dtype\", \"shape\", \"data_offsets\"}; the file is corrupt or not safetensors");
    }
    Map<String, String> metadata = Map.of();
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(file, field.getValue());
      } else {
        entries.add(parseEntry(file, field.getKey(), field.getValue(), dataLength));
      }
    }
    entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    checkNoOverlap(file, entries);
    return new Header(entries, metadata);
  }

  private static Map<String, String> parseMetadata(String file, JsonNode node) {
    if (!node.isObject()) {
      throw new ModelFormatException(file + ": header field '" + METADATA_KEY + "' is " + describe(node)
          + ", expected an object of string values");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new ModelFormatException(file + ": header field '" + METADATA_KEY + "." + e.getKey() + "' is "
            + describe(e.getValue()) + ", expected a string (safetensors metadata values are strings)");
      }
      m.put(e.getKey(), e.getValue().asText());
    }
    return Collections.unmodifiableMap(m);
  }

  private static Entry parseEntry(String file, String name, JsonNode node, long dataLength) {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new ModelFormatException(where + " is " + describe(node)
          + " in the header, expected an object {\"dtype\", \"shape\", \"data_offsets\"}");
    }
    TensorType type = dtype(where, required(where, node, "dtype"));
    long[] shape = longs(where, "shape", required(where, node, "shape"), -1);
    long[] offsets = longs(where, "data_offsets", required(where, node, "data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end) {
      throw new ModelFormatException(where + ": data_offsets [" + begin + ", " + end + "] begin after their end;"
          + " expected begin <= end; the header is corrupt");
    }
    if (end > dataLength) {
      throw new ModelFormatException(where + ": data_offsets [" + begin + ", " + end + "] are out of range of the"
          + " data section, which is " + dataLength + " bytes; the file is truncated or corrupt, download or"
          + " convert it again");
    }
    long expected = expectedBytes(where, type, shape);
    if (end - begin != expected) {
      throw new ModelFormatException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
          + " bytes, but shape " + Arrays.toString(shape) + " of " + type + " needs " + expected + " bytes; the"
          + " header is corrupt");
    }
    return new Entry(name, type, shape, begin, end);
  }

  private static JsonNode required(String where, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new ModelFormatException(where + ": header entry has no '" + field + "'; expected \"dtype\", \"shape\""
          + " and \"data_offsets\"; the header is corrupt");
    }
    return v;
  }

  private static TensorType dtype(String where, JsonNode node) {
    String dtype = node.isTextual() ? node.asText() : node.toString();
    switch (dtype) {
      case "F32":
        return TensorType.F32;
      case "F16":
        return TensorType.F16;
      case "BF16":
        return TensorType.BF16;
      default:
        throw new ModelFormatException(where + " has dtype " + dtype + ", which Sapling does not load; supported"
            + " dtypes are F32, F16 and BF16; convert the checkpoint to one of them (for example with"
            + " model.to(torch.bfloat16) before save_pretrained)");
    }
  }

  /** An array of non-negative integers; {@code length < 0} means any length. */
  private static long[] longs(String where, String field, JsonNode node, int length) {
    if (!node.isArray() || (length >= 0 && node.size() != length)) {
      throw new ModelFormatException(where + ": '" + field + "' is " + node + ", expected an array of "
          + (length >= 0 ? length + " " : "") + "non-negative integers");
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new ModelFormatException(where + ": '" + field + "' is " + node + ", expected an array of"
            + " non-negative integers");
      }
      out[i] = v.asLong();
      if (out[i] < 0) {
        throw new ModelFormatException(where + ": '" + field + "' is " + node + " with negative value " + out[i]
            + ", expected non-negative integers");
      }
    }
    return out;
  }

  private static long expectedBytes(String where, TensorType type, long[] shape) {
    try {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return Math.multiplyExact(type.byteSize(1), n);
    } catch (ArithmeticException e) {
      throw new ModelFormatException(where + ": shape " + Arrays.toString(shape) + " overflows a 64-bit byte"
          + " count; the header is corrupt");
    }
  }

  /** Entries sorted by begin; any two non-empty ones must not share a byte. */
  private static void checkNoOverlap(String file, List<Entry> sorted) {
    Entry furthest = null;
    for (Entry e : sorted) {
      if (furthest != null && e.length() > 0 && e.begin() < furthest.end()) {
        throw new ModelFormatException(file + ": tensor '" + e.name() + "' (bytes [" + e.begin() + ", " + e.end()
            + ")) overlaps tensor '" + furthest.name() + "' (bytes [" + furthest.begin() + ", " + furthest.end()
            + ")); expected each tensor in its own byte range; the header is corrupt");
      }
      if (furthest == null || e.end() > furthest.end()) {
        furthest = e;
      }
    }
  }

  /** Maps the data in as few chunks as fit in a buffer, and slices each tensor out of its chunk. */
  private static List<RawTensor> map(FileChannel ch, String file, long dataStart, List<Entry> sorted,
      long maxChunkBytes) throws IOException {
    List<RawTensor> out = new ArrayList<>(sorted.size());
    int i = 0;
    while (i < sorted.size()) {
      Entry first = sorted.get(i);
      if (first.length() > maxChunkBytes) {
        throw new ModelFormatException(file + ": tensor '" + first.name() + "' is " + first.length() + " bytes;"
            + " Sapling maps at most " + maxChunkBytes + " bytes per tensor (a Java buffer limit); re-shard the"
            + " checkpoint so no single tensor exceeds 2 GiB");
      }
      long chunkStart = first.begin();
      long chunkEnd = first.end();
      int j = i + 1;
      while (j < sorted.size() && Math.max(chunkEnd, sorted.get(j).end()) - chunkStart <= maxChunkBytes) {
        chunkEnd = Math.max(chunkEnd, sorted.get(j).end());
        j++;
      }
      MappedByteBuffer chunk = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + chunkStart, chunkEnd - chunkStart);
      for (int k = i; k < j; k++) {
        Entry e = sorted.get(k);
        ByteBuffer slice = chunk.slice((int) (e.begin() - chunkStart), (int) e.length());
        out.add(new RawTensor(e.name(), e.type(), e.shape(), slice, file));
      }
      i = j;
    }
    return out;
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length, String file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      int n = ch.read(b, position + b.position());
      if (n < 0) {
        throw new ModelFormatException(file + ": file ended after " + (position + b.position()) + " bytes while"
            + " reading the header; the file is truncated, download or convert it again");
      }
    }
    return b.flip();
  }

  /** Jackson's reason and position, without its multi-line source excerpt. */
  static String jsonError(IOException e) {
    if (e instanceof JsonProcessingException j && j.getLocation() != null) {
      return j.getOriginalMessage() + " at byte " + j.getLocation().getByteOffset();
    }
    return e.getMessage();
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "empty";
    }
    String kind = node.getNodeType().name().toLowerCase();
    String text = node.toString();
    return "a JSON " + kind + " (" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + ")";
  }
}
