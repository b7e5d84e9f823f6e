package dev.sapling.model.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.data.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes tensors as one safetensors file that {@link SafetensorsFile} and Hugging Face {@code safetensors} read: the
 * header lists the tensors in the given order with contiguous offsets and is padded with spaces to a multiple of 8
 * bytes, so the data section starts aligned. The file appears atomically (temporary file, fsync, rename), so a crash
 * never leaves half a checkpoint under the target name.
 *
 * <pre>{@code
 * SafetensorsWriter.write(dir.resolve("model.safetensors"),
 *     List.of(RawTensor.ofFloats("norm.weight", new long[] {4}, new float[] {1, 1, 1, 1})),
 *     Map.of("format", "pt"));
 * }</pre>
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /**
   * Writes {@code tensors} (F32, F16 or BF16, unique names) and the string {@code metadata} to {@code file}.
   *
   * @throws ModelFormatException when a tensor cannot be stored as given (duplicate name, Q8_0, data size that
   *     disagrees with its shape); nothing is written then
   */
  public static void write(Path file, List<RawTensor> tensors, Map<String, String> metadata) throws IOException {
    byte[] header = header(file, tensors, metadata);
    ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
    prefix.putLong(header.length).put(header).flip();
    AtomicFiles.write(file, ch -> {
      writeAll(ch, prefix);
      for (RawTensor t : tensors) {
        writeAll(ch, data(t));
      }
    });
  }

  /** The JSON header, space-padded so that 8 + its length is a multiple of 8. */
  static byte[] header(Path file, List<RawTensor> tensors, Map<String, String> metadata) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    Set<String> seen = new HashSet<>();
    long offset = 0;
    for (RawTensor t : tensors) {
      String where = file + ": tensor '" + t.name() + "'";
      if (t.name().equals("__metadata__")) {
        throw new ModelFormatException(where + ": the name is reserved for the header's metadata; rename it");
      }
      if (!seen.add(t.name())) {
        throw new ModelFormatException(where + " is given twice; each tensor name must be unique in a file");
      }
      if (t.type() == TensorType.Q8_0) {
        throw new ModelFormatException(where + " is Q8_0, which safetensors cannot hold; convert it to F32 first"
            + " (RawTensor.ofFloats(name, shape, tensor.toFloats()))");
      }
      long bytes = data(t).remaining();
      long expected = t.type().byteSize(t.elementCount());
      if (bytes != expected) {
        throw new ModelFormatException(where + " (from " + t.file() + ") has " + bytes + " bytes of data, but shape "
            + Arrays.toString(t.shape()) + " of " + t.type() + " needs " + expected);
      }
      ObjectNode entry = root.putObject(t.name());
      entry.put("dtype", t.type().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = SafetensorsFile.JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a safetensors header", e);
    }
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  /** The tensor's bytes from index 0 to its limit, as {@link RawTensor#toFloats()} reads them. */
  private static ByteBuffer data(RawTensor t) {
    return t.data().duplicate().rewind();
  }

  private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
