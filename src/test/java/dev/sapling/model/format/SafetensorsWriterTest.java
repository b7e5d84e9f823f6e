package dev.sapling.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  @TempDir Path dir;

  /** Values that stress exactness: signed zero, subnormals, extremes, infinities and NaN. */
  private static final float[] TRICKY = {0f, -0f, 1f, -2.5f, 1e-40f, Float.MIN_VALUE, Float.MAX_VALUE, -65504f,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.1f};

  private static RawTensor halves(String name, TensorType type, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort(type == TensorType.F16 ? Half.fromFloat(v) : (short) (Float.floatToRawIntBits(v) >>> 16));
    }
    return new RawTensor(name, type, shape, b.flip(), "<memory>");
  }

  private static byte[] bytes(RawTensor t) {
    ByteBuffer b = t.data().duplicate().rewind();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + "[" + i + "]");
    }
  }

  @Test
  void roundTripsF32F16AndBf16TensorsExactly() throws IOException {
    List<RawTensor> written = List.of(
        RawTensor.ofFloats("f32", new long[] {3, 4}, TRICKY),
        halves("f16", TensorType.F16, new long[] {2, 2, 3}, TRICKY),
        halves("bf16", TensorType.BF16, new long[] {12}, TRICKY),
        RawTensor.ofFloats("scalar", new long[] {}, new float[] {42f}),
        halves("empty", TensorType.BF16, new long[] {0, 5}, new float[0]));
    Path file = dir.resolve("model.safetensors");

    SafetensorsWriter.write(file, written, Map.of());
    SafetensorsFile st = SafetensorsFile.open(file);

    assertEquals(List.of("f32", "f16", "bf16", "scalar", "empty"),
        st.tensors().stream().map(RawTensor::name).toList());
    for (RawTensor w : written) {
      RawTensor r = st.tensor(w.name()).orElseThrow();
      assertEquals(w.type(), r.type(), w.name());
      assertArrayEquals(w.shape(), r.shape(), w.name());
      assertArrayEquals(bytes(w), bytes(r), w.name());
      assertSameBits(w.toFloats(), r.toFloats(), w.name());
    }
    // the narrow types really narrowed: F16 overflows MAX_VALUE to infinity, BF16 keeps 8 mantissa bits
    float[] f16 = st.tensor("f16").orElseThrow().toFloats();
    assertEquals(Float.POSITIVE_INFINITY, f16[6]);
    assertEquals(-65504f, f16[7]);
    assertEquals(0.099609375f, st.tensor("bf16").orElseThrow().toFloats()[11]);
  }

  @Test
  void roundTripsMetadataAndOmitsItWhenEmpty() throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("source", "stories260K.gguf \"quoted\" ünïcode");
    Path with = dir.resolve("with.safetensors");
    Path without = dir.resolve("without.safetensors");
    RawTensor t = RawTensor.ofFloats("w", new long[] {1}, new float[] {1});

    SafetensorsWriter.write(with, List.of(t), meta);
    SafetensorsWriter.write(without, List.of(t), Map.of());

    assertEquals(meta, SafetensorsFile.open(with).metadata());
    assertEquals(Map.of(), SafetensorsFile.open(without).metadata());
    assertFalse(header(without).has("__metadata__"));
  }

  @Test
  void padsHeaderWithSpacesToMultipleOf8AndWritesContiguousOffsetsInGivenOrder() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafetensorsWriter.write(file, List.of(
        halves("z.second_name_sorts_last", TensorType.F16, new long[] {3}, new float[] {1, 2, 3}),
        RawTensor.ofFloats("a", new long[] {2}, new float[] {4, 5}),
        halves("m", TensorType.BF16, new long[] {1}, new float[] {6})), Map.of("k", "v"));

    byte[] all = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, (8 + n) % 8);
    String text = new String(all, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(text.stripTrailing().endsWith("}"), text);
    assertTrue(text.length() - text.stripTrailing().length() < 8, "at most 7 padding spaces");
    assertEquals(text.stripTrailing() + " ".repeat(text.length() - text.stripTrailing().length()), text);
    JsonNode h = header(file);
    List<String> keys = new ArrayList<>();
    h.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("__metadata__", "z.second_name_sorts_last", "a", "m"), keys);
    assertEquals("[0,6]", h.get("z.second_name_sorts_last").get("data_offsets").toString());
    assertEquals("[6,14]", h.get("a").get("data_offsets").toString());
    assertEquals("[14,16]", h.get("m").get("data_offsets").toString());
    assertEquals(8 + n + 16, all.length);
  }

  @Test
  void refusesDuplicateNamesAndWritesNothing() {
    Path file = dir.resolve("model.safetensors");
    RawTensor t = RawTensor.ofFloats("w", new long[] {1}, new float[] {1});
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafetensorsWriter.write(file, List.of(t, RawTensor.ofFloats("x", new long[] {1}, new float[] {2}), t),
            Map.of()));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("tensor 'w' is given twice"),
        e.getMessage());
    assertFalse(Files.exists(file));
  }

  @Test
  void refusesTensorsItCannotStore() throws IOException {
    Path file = dir.resolve("model.safetensors");
    RawTensor q8 = new RawTensor("q", TensorType.Q8_0, new long[] {32}, ByteBuffer.allocate(34), "in.gguf");
    RawTensor shortData = new RawTensor("s", TensorType.F32, new long[] {3}, ByteBuffer.allocate(8), "in.gguf");
    RawTensor reserved = RawTensor.ofFloats("__metadata__", new long[] {1}, new float[] {1});

    String q8Message = assertThrows(ModelFormatException.class,
        () -> SafetensorsWriter.write(file, List.of(q8), Map.of())).getMessage();
    String shortMessage = assertThrows(ModelFormatException.class,
        () -> SafetensorsWriter.write(file, List.of(shortData), Map.of())).getMessage();
    String reservedMessage = assertThrows(ModelFormatException.class,
        () -> SafetensorsWriter.write(file, List.of(reserved), Map.of())).getMessage();

    assertTrue(q8Message.contains("tensor 'q' is Q8_0") && q8Message.contains(file.toString()), q8Message);
    assertTrue(shortMessage.contains("tensor 's' (from in.gguf) has 8 bytes") && shortMessage.contains("needs 12"),
        shortMessage);
    assertTrue(reservedMessage.contains("'__metadata__'") && reservedMessage.contains("reserved"), reservedMessage);
    assertFalse(Files.exists(file));
  }

  @Test
  void replacesAnExistingFileLeavingNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafetensorsWriter.write(file, List.of(RawTensor.ofFloats("old", new long[] {1}, new float[] {1})), Map.of());
    SafetensorsWriter.write(file, List.of(RawTensor.ofFloats("new", new long[] {2}, new float[] {2, 3})), Map.of());

    SafetensorsFile st = SafetensorsFile.open(file);
    assertEquals(List.of("new"), st.tensors().stream().map(RawTensor::name).toList());
    assertArrayEquals(new float[] {2, 3}, st.tensors().get(0).toFloats());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void writesTensorsReadFromAnotherFile() throws IOException {
    Path first = dir.resolve("first.safetensors");
    Path copy = dir.resolve("copy.safetensors");
    SafetensorsWriter.write(first, List.of(RawTensor.ofFloats("a", new long[] {2}, new float[] {1, 2}),
        RawTensor.ofFloats("b", new long[] {3}, new float[] {3, 4, 5})), Map.of());

    SafetensorsWriter.write(copy, SafetensorsFile.open(first).tensors(), Map.of());

    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(copy));
  }

  @Test
  void rewritingTheHuggingFaceFileReproducesItByteForByte() throws IOException, URISyntaxException {
    // written by Hugging Face safetensors; see src/test/resources/dev/sapling/model/format/README.md
    Path reference = Path.of(getClass().getResource("hf_reference.safetensors").toURI());
    SafetensorsFile st = SafetensorsFile.open(reference);
    Path copy = dir.resolve("copy.safetensors");

    SafetensorsWriter.write(copy, st.tensors(), st.metadata());

    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(copy));
  }

  @Test
  void ofFloatsRefusesValuesThatDoNotFillTheShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RawTensor.ofFloats("w", new long[] {2, 3}, new float[5]));
    assertEquals("tensor 'w': shape [2, 3] holds 6 values but 5 were given", e.getMessage());
  }

  private static JsonNode header(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return new ObjectMapper().readTree(Arrays.copyOfRange(all, 8, 8 + (int) n));
  }
}
