package dev.sapling.model.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes small GGUF v3 files for tests, including deliberately broken ones. */
public final class GgufTestWriter {
  private final Map<String, Object> metadata = new LinkedHashMap<>();
  private final List<Object[]> tensors = new ArrayList<>();

  /** Values: String, Integer (u32), Long (i64... written as type 11), Float, Boolean, List of String/Float/Integer. */
  public GgufTestWriter put(String key, Object value) {
    metadata.put(key, value);
    return this;
  }

  /** A tensor with the given ggml type number, row-major shape and raw bytes. */
  public GgufTestWriter tensor(String name, int ggmlType, long[] shape, byte[] data) {
    tensors.add(new Object[] {name, ggmlType, shape, data});
    return this;
  }

  public GgufTestWriter f32(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return tensor(name, 0, shape, b.array());
  }

  public Path write(Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer head = le(24);
    head.putInt(0x46554747).putInt(3).putLong(tensors.size()).putLong(metadata.size());
    out.write(head.array());
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      writeString(out, e.getKey());
      writeValue(out, e.getValue(), true);
    }
    long offset = 0;
    List<Long> offsets = new ArrayList<>();
    for (Object[] t : tensors) {
      writeString(out, (String) t[0]);
      long[] shape = (long[]) t[2];
      ByteBuffer info = le(4 + 8 * shape.length + 4 + 8);
      info.putInt(shape.length);
      for (int d = shape.length - 1; d >= 0; d--) {
        info.putLong(shape[d]);
      }
      info.putInt((Integer) t[1]);
      info.putLong(offset);
      out.write(info.array());
      offsets.add(offset);
      offset += align(((byte[]) t[3]).length);
    }
    while (out.size() % 32 != 0) {
      out.write(0);
    }
    for (Object[] t : tensors) {
      byte[] data = (byte[]) t[3];
      out.write(data);
      for (long pad = data.length; pad < align(data.length); pad++) {
        out.write(0);
      }
    }
    Files.write(file, out.toByteArray());
    return file;
  }

  private static long align(long n) {
    return (n + 31) / 32 * 32;
  }

  private static void writeValue(ByteArrayOutputStream out, Object v, boolean withType) throws IOException {
    if (v instanceof String s) {
      if (withType) {
        out.write(le(4).putInt(8).array());
      }
      writeString(out, s);
    } else if (v instanceof Integer i) {
      if (withType) {
        out.write(le(4).putInt(4).array());
      }
      out.write(le(4).putInt(i).array());
    } else if (v instanceof Long l) {
      if (withType) {
        out.write(le(4).putInt(11).array());
      }
      out.write(le(8).putLong(l).array());
    } else if (v instanceof Float f) {
      if (withType) {
        out.write(le(4).putInt(6).array());
      }
      out.write(le(4).putFloat(f).array());
    } else if (v instanceof Boolean b) {
      if (withType) {
        out.write(le(4).putInt(7).array());
      }
      out.write(b ? 1 : 0);
    } else if (v instanceof List<?> list) {
      int elementType = list.isEmpty() || list.get(0) instanceof String ? 8
          : list.get(0) instanceof Float ? 6 : 5;
      out.write(le(4).putInt(9).array());
      out.write(le(12).putInt(elementType).putLong(list.size()).array());
      for (Object o : list) {
        if (o instanceof Integer i) {
          out.write(le(4).putInt(i).array());
        } else {
          writeValue(out, o, false);
        }
      }
    } else {
      throw new IllegalArgumentException("unsupported test metadata value " + v);
    }
  }

  private static void writeString(ByteArrayOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.write(le(8).putLong(bytes.length).array());
    out.write(bytes);
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
