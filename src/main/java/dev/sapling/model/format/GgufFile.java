package dev.sapling.model.format;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A GGUF file (versions 2 and 3): its metadata key/values and its tensors, memory-mapped. Tensor shapes are given
 * row-major (GGUF's innermost-first dimensions reversed), so a GGUF {@code [cols, rows]} matrix reads as
 * {@code [rows, cols]}, as PyTorch would store it. Tensor names are GGUF's own ({@code blk.0.attn_q.weight}); renaming
 * and the Q/K row permutation are the weight source's job, not this reader's.
 *
 * <pre>{@code
 * GgufFile gguf = GgufFile.open(Path.of("stories260K.gguf"));
 * String arch = gguf.architecture();                       // "llama"
 * long layers = gguf.integer("llama.block_count").orElseThrow();
 * RawTensor emb = gguf.tensor("token_embd.weight").orElseThrow();
 * }</pre>
 */
public final class GgufFile {
  private static final int MAGIC = 0x46554747; // "GGUF" little-endian
  private static final long DEFAULT_ALIGNMENT = 32;

  private final Path path;
  private final int version;
  private final Map<String, Object> metadata;
  private final List<RawTensor> tensors;

  private GgufFile(Path path, int version, Map<String, Object> metadata, List<RawTensor> tensors) {
    this.path = path;
    this.version = version;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = List.copyOf(tensors);
  }

  /**
   * Parses the header and maps every tensor. Integers in the metadata are returned as {@link Long}, floats as
   * {@link Double}, arrays as {@link List}.
   *
   * @throws ModelFormatException naming the file and the field or tensor when the file is not valid GGUF
   * @throws IOException when the file cannot be read
   */
  public static GgufFile open(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer header = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
          .order(ByteOrder.LITTLE_ENDIAN);
      return new Parser(path, channel, size, header).parse();
    }
  }

  public Path path() {
    return path;
  }

  public int version() {
    return version;
  }

  /** Every metadata key/value, in file order. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /** The string value of {@code key}, or empty when absent; a value of another type is an error. */
  public Optional<String> string(String key) {
    return typed(key, String.class, "a string");
  }

  /** The integer value of {@code key} (any GGUF integer type), or empty when absent. */
  public OptionalLong integer(String key) {
    Optional<Long> v = typed(key, Long.class, "an integer");
    return v.map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  /** The floating-point value of {@code key} (integers are accepted too), or empty when absent. */
  public OptionalDouble real(String key) {
    Object v = metadata.get(key);
    if (v == null) {
      return OptionalDouble.empty();
    }
    if (v instanceof Number n) {
      return OptionalDouble.of(n.doubleValue());
    }
    throw wrongType(key, v, "a number");
  }

  /** The boolean value of {@code key}, or empty when absent. */
  public Optional<Boolean> bool(String key) {
    return typed(key, Boolean.class, "a boolean");
  }

  /** The array value of {@code key}, or empty when absent. */
  public Optional<List<?>> array(String key) {
    Object v = metadata.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof List<?> list) {
      return Optional.of(list);
    }
    throw wrongType(key, v, "an array");
  }

  /** {@code general.architecture}, which every GGUF model file must have. */
  public String architecture() {
    return string("general.architecture").orElseThrow(() -> new ModelFormatException(
        path + ": metadata key 'general.architecture' is missing; this does not look like a GGUF model file"));
  }

  /** Every tensor, in the order of the file's tensor table. */
  public List<RawTensor> tensors() {
    return tensors;
  }

  /** The tensor named {@code name} (GGUF naming), or empty. */
  public Optional<RawTensor> tensor(String name) {
    return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  private <T> Optional<T> typed(String key, Class<T> type, String expected) {
    Object v = metadata.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!type.isInstance(v)) {
      throw wrongType(key, v, expected);
    }
    return Optional.of(type.cast(v));
  }

  private ModelFormatException wrongType(String key, Object v, String expected) {
    return new ModelFormatException(path + ": metadata key '" + key + "' should be " + expected + " but is "
        + v.getClass().getSimpleName() + " " + abbreviate(v));
  }

  private static String abbreviate(Object v) {
    String s = String.valueOf(v);
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  /** ggml type numbers, for messages about types Sapling does not load. */
  static String ggmlTypeName(long type) {
    String[] names = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K",
        "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
        "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
    return type >= 0 && type < names.length ? names[(int) type] : "unknown";
  }

  /** Reads the header sequentially, turning every short read into an error that says what was being read. */
  private static final class Parser {
    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer buf;
    private String reading = "the header";

    Parser(Path path, FileChannel channel, long fileSize, ByteBuffer buf) {
      this.path = path;
      this.channel = channel;
      this.fileSize = fileSize;
      this.buf = buf;
    }

    GgufFile parse() throws IOException {
      try {
        return parseUnchecked();
      } catch (BufferUnderflowException e) {
        throw new ModelFormatException(path + ": file is truncated (" + fileSize + " bytes) while reading "
            + reading + "; re-download or re-convert the model");
      }
    }

    private GgufFile parseUnchecked() throws IOException {
      reading = "the magic number";
      int magic = buf.getInt();
      if (magic != MAGIC) {
        throw new ModelFormatException(path + ": not a GGUF file (magic 0x" + Integer.toHexString(magic)
            + ", expected 0x" + Integer.toHexString(MAGIC) + " \"GGUF\")");
      }
      reading = "the version";
      int version = buf.getInt();
      if (version != 2 && version != 3) {
        throw new ModelFormatException(path + ": GGUF version " + version + " is not supported (expected 2 or 3)");
      }
      reading = "the tensor count";
      long tensorCount = count(buf.getLong(), "tensor count", 8);
      reading = "the metadata count";
      long kvCount = count(buf.getLong(), "metadata count", 12);

      Map<String, Object> metadata = new LinkedHashMap<>();
      for (long i = 0; i < kvCount; i++) {
        reading = "metadata entry " + i + " key";
        String key = readString();
        reading = "metadata key '" + key + "'";
        int type = buf.getInt();
        metadata.put(key, readValue(type, key));
      }

      long alignment = DEFAULT_ALIGNMENT;
      Object alignValue = metadata.get("general.alignment");
      if (alignValue != null) {
        if (!(alignValue instanceof Long a) || a <= 0 || (a & (a - 1)) != 0) {
          throw new ModelFormatException(path + ": metadata key 'general.alignment' must be a positive power of two, "
              + "found " + alignValue);
        }
        alignment = (Long) alignValue;
      }

      List<TensorInfo> infos = new ArrayList<>();
      for (long i = 0; i < tensorCount; i++) {
        reading = "tensor info " + i;
        String name = readString();
        reading = "tensor info for '" + name + "'";
        int dims = buf.getInt();
        if (dims < 1 || dims > 4) {
          throw new ModelFormatException(path + ": tensor '" + name + "' has " + dims + " dimensions (expected 1 to 4)");
        }
        long[] shape = new long[dims];
        for (int d = 0; d < dims; d++) {
          long extent = buf.getLong();
          if (extent < 0) {
            throw new ModelFormatException(path + ": tensor '" + name + "' has negative dimension " + extent);
          }
          shape[dims - 1 - d] = extent; // GGUF lists the innermost dimension first
        }
        long ggmlType = Integer.toUnsignedLong(buf.getInt());
        long offset = buf.getLong();
        infos.add(new TensorInfo(name, tensorType(name, ggmlType), shape, offset));
      }

      long dataStart = align(buf.position(), alignment);
      List<RawTensor> tensors = new ArrayList<>();
      for (TensorInfo info : infos) {
        tensors.add(map(info, dataStart, alignment));
      }
      return new GgufFile(path, version, metadata, tensors);
    }

    private RawTensor map(TensorInfo info, long dataStart, long alignment) throws IOException {
      long elements = 1;
      for (long d : info.shape) {
        elements = Math.multiplyExact(elements, d);
      }
      if (info.type == TensorType.Q8_0 && info.shape[info.shape.length - 1] % 32 != 0) {
        throw new ModelFormatException(path + ": tensor '" + info.name + "' is Q8_0 but its row length "
            + info.shape[info.shape.length - 1] + " is not a multiple of the block size 32");
      }
      if (info.offset % alignment != 0) {
        throw new ModelFormatException(path + ": tensor '" + info.name + "' starts at data offset " + info.offset
            + ", which is not aligned to " + alignment + " bytes");
      }
      long bytes = info.type.byteSize(elements);
      long start = dataStart + info.offset;
      if (start + bytes > fileSize) {
        throw new ModelFormatException(path + ": tensor '" + info.name + "' needs bytes " + start + ".."
            + (start + bytes) + " but the file has only " + fileSize + " bytes; the file is truncated");
      }
      if (bytes > Integer.MAX_VALUE) {
        throw new ModelFormatException(path + ": tensor '" + info.name + "' is " + bytes
            + " bytes; tensors over 2 GiB are not supported yet");
      }
      ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, start, bytes);
      return new RawTensor(info.name, info.type, info.shape, data, path.toString());
    }

    private TensorType tensorType(String name, long ggmlType) {
      switch ((int) ggmlType) {
        case 0:
          return TensorType.F32;
        case 1:
          return TensorType.F16;
        case 8:
          return TensorType.Q8_0;
        case 30:
          return TensorType.BF16;
        default:
          throw new ModelFormatException(path + ": tensor '" + name + "' has ggml type " + ggmlType + " ("
              + ggmlTypeName(ggmlType) + "); Sapling loads F32, F16, BF16 and Q8_0 GGUF tensors. Re-quantize to "
              + "Q8_0 or export F16 (e.g. llama.cpp's llama-quantize ... Q8_0)");
      }
    }

    private Object readValue(int type, String key) {
      switch (type) {
        case 0:
          return (long) Byte.toUnsignedInt(buf.get());
        case 1:
          return (long) buf.get();
        case 2:
          return (long) Short.toUnsignedInt(buf.getShort());
        case 3:
          return (long) buf.getShort();
        case 4:
          return Integer.toUnsignedLong(buf.getInt());
        case 5:
          return (long) buf.getInt();
        case 6:
          return (double) buf.getFloat();
        case 7:
          return buf.get() != 0;
        case 8:
          return readString();
        case 9: {
          int elementType = buf.getInt();
          long n = count(buf.getLong(), "array length of '" + key + "'", 1);
          List<Object> values = new ArrayList<>((int) Math.min(n, 1 << 20));
          for (long i = 0; i < n; i++) {
            values.add(readValue(elementType, key));
          }
          return Collections.unmodifiableList(values);
        }
        case 10:
          return buf.getLong();
        case 11:
          return buf.getLong();
        case 12:
          return buf.getDouble();
        default:
          throw new ModelFormatException(path + ": metadata key '" + key + "' has unknown value type " + type
              + " (expected 0..12)");
      }
    }

    private String readString() {
      long length = count(buf.getLong(), "string length", 1);
      byte[] bytes = new byte[(int) length];
      buf.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A count read from the file must fit in what is left of it, so a corrupt count fails here, not in an OOM. */
    private long count(long value, String what, long minBytesEach) {
      long left = buf.remaining();
      if (value < 0 || value > left / minBytesEach) {
        if (buf.limit() < fileSize) {
          return value; // header larger than the mapped window: let the read itself fail
        }
        throw new ModelFormatException(path + ": " + what + " " + value + " at byte " + (buf.position() - 8)
            + " does not fit in the " + left + " bytes left; the file is truncated or corrupt");
      }
      return value;
    }

    private static long align(long position, long alignment) {
      return (position + alignment - 1) / alignment * alignment;
    }
  }

  private record TensorInfo(String name, TensorType type, long[] shape, long offset) {}
}
