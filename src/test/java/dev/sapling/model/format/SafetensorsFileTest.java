package dev.sapling.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsFileTest {
  @TempDir Path dir;

  /** A safetensors file made by hand: the 8-byte length of {@code header}, the header, then {@code data}. */
  static Path craft(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Files.write(file, b.array());
    return file;
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private Path craft(String header, int dataBytes) throws IOException {
    return craft(dir.resolve("model.safetensors"), header, new byte[dataBytes]);
  }

  private ModelFormatException refused(Path file) {
    return assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file));
  }

  private static void assertMentions(ModelFormatException e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), () -> "message should mention '" + p + "': " + e.getMessage());
    }
  }

  @Test
  void readsHandCraftedFileWithShapesValuesAndMetadata() throws IOException {
    // "b" lies first in the data although the header lists "a" first
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    byte[] data = floats(-1.5f, 2.25f, 1, 2, 3, 4, 5, 6);
    Path file = craft(dir.resolve("m.safetensors"), header, data);

    SafetensorsFile st = SafetensorsFile.open(file);

    assertEquals(List.of("b", "a"), st.tensors().stream().map(RawTensor::name).toList());
    RawTensor a = st.tensor("a").orElseThrow();
    assertEquals(TensorType.F32, a.type());
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloats());
    assertArrayEquals(new float[] {-1.5f, 2.25f}, st.tensor("b").orElseThrow().toFloats());
    assertEquals(file.toString(), a.file());
    assertEquals(Map.of("format", "pt"), st.metadata());
    assertTrue(st.tensor("c").isEmpty());
    assertEquals(file, st.path());
  }

  @Test
  void readsFileWrittenByHuggingFaceSafetensors() throws IOException, URISyntaxException {
    // see src/test/resources/dev/sapling/model/format/README.md for how the fixture was made
    Path file = Path.of(getClass().getResource("hf_reference.safetensors").toURI());
    float[] v = {0f, -0f, 1f, -2.5f, 1e-40f, 65504f, -3.140625f, 0.1f, 1e-5f, 123.456f, Float.POSITIVE_INFINITY, -7f};

    SafetensorsFile st = SafetensorsFile.open(file);

    assertEquals(List.of("a.f32", "d.scalar", "b.bf16", "c.f16"), st.tensors().stream().map(RawTensor::name).toList());
    assertEquals(Map.of("format", "pt", "made_by", "safetensors.torch.save_file"), st.metadata());
    RawTensor f32 = st.tensor("a.f32").orElseThrow();
    assertArrayEquals(new long[] {2, 2, 3}, f32.shape());
    assertArrayEquals(v, f32.toFloats());
    assertArrayEquals(new long[] {}, st.tensor("d.scalar").orElseThrow().shape());
    assertArrayEquals(new float[] {42f}, st.tensor("d.scalar").orElseThrow().toFloats());
    RawTensor bf16 = st.tensor("b.bf16").orElseThrow();
    assertEquals(TensorType.BF16, bf16.type());
    assertArrayEquals(new long[] {3, 4}, bf16.shape());
    // torch rounds to nearest even; the values it printed for this tensor
    assertArrayEquals(new float[] {0f, -0f, 1f, -2.5f, 9.183549615799121e-41f, 65536f, -3.140625f, 0.10009765625f,
        1.0013580322265625e-05f, 123.5f, Float.POSITIVE_INFINITY, -7f}, bf16.toFloats());
    RawTensor f16 = st.tensor("c.f16").orElseThrow();
    assertEquals(TensorType.F16, f16.type());
    float[] f16Values = f16.toFloats();
    for (int i = 0; i < v.length; i++) {
      assertEquals(Half.toFloat(Half.fromFloat(v[i])), f16Values[i], "torch and Half agree on F16 of " + v[i]);
    }
  }

  @Test
  void readsEmptyAndScalarTensorsAndAcceptsSpacePaddedHeader() throws IOException {
    String header = "{\"empty\":{\"dtype\":\"BF16\",\"shape\":[0,4],\"data_offsets\":[0,0]},"
        + "\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}      ";
    Path file = craft(dir.resolve("m.safetensors"), header, floats(7f));

    SafetensorsFile st = SafetensorsFile.open(file);

    assertEquals(0, st.tensor("empty").orElseThrow().toFloats().length);
    assertArrayEquals(new float[] {7f}, st.tensor("scalar").orElseThrow().toFloats());
    assertEquals(Map.of(), st.metadata());
  }

  @Test
  void mapsInSeveralChunksWithTheSameValues() throws IOException {
    List<RawTensor> written = List.of(
        RawTensor.ofFloats("x", new long[] {3}, new float[] {1, 2, 3}),
        RawTensor.ofFloats("y", new long[] {2, 2}, new float[] {4, 5, 6, 7}),
        RawTensor.ofFloats("z", new long[] {5}, new float[] {8, 9, 10, 11, 12}));
    Path file = dir.resolve("m.safetensors");
    SafetensorsWriter.write(file, written, Map.of());

    SafetensorsFile st = SafetensorsFile.open(file, 20); // x+y = 28 bytes: no two share a 20-byte chunk

    for (RawTensor w : written) {
      assertArrayEquals(w.toFloats(), st.tensor(w.name()).orElseThrow().toFloats(), w.name());
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file, 16));
    assertMentions(e, file.toString(), "'z'", "20 bytes");
  }

  @Test
  void readsTensorsPastTwoGigabytes() throws IOException {
    // a sparse file: a tiny tensor, a 2.1 GB zero-filled tensor, and a tiny tensor past the 2 GiB mark
    long big = 2_100_000_000L;
    String header = "{\"head\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"hole\":{\"dtype\":\"BF16\",\"shape\":[" + big / 2 + "],\"data_offsets\":[8," + (8 + big) + "]},"
        + "\"tail\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + (8 + big) + "," + (20 + big) + "]}}";
    Path file = craft(dir.resolve("big.safetensors"), header, floats(1, 2));
    long dataStart = 8 + header.getBytes(StandardCharsets.UTF_8).length;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(floats(3, 4, 5)), dataStart + 8 + big);
    }

    SafetensorsFile st = SafetensorsFile.open(file);

    assertArrayEquals(new float[] {1, 2}, st.tensor("head").orElseThrow().toFloats());
    assertArrayEquals(new float[] {3, 4, 5}, st.tensor("tail").orElseThrow().toFloats());
    assertEquals(big, st.tensor("hole").orElseThrow().data().capacity());
  }

  @Test
  void refusesFileShorterThanTheHeaderLength() throws IOException {
    Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3, 4, 5});
    assertMentions(refused(file), file.toString(), "5 bytes", "truncated");
  }

  @Test
  void refusesHeaderLengthBeyondTheFile() throws IOException {
    Path file = dir.resolve("cut.safetensors");
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
    Files.write(file, b.array());
    assertMentions(refused(file), file.toString(), "header length 1000", "beyond the end", "20 bytes");
  }

  @Test
  void refusesHeaderLengthOver100Megabytes() throws IOException {
    Path file = dir.resolve("huge.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L);
    Files.write(file, b.array());
    assertMentions(refused(file), file.toString(), "100000001", "100 MB");

    Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
    assertMentions(refused(file), file.toString(), "18446744073709551615", "100 MB");
  }

  /** A header that is not one JSON object: the message names the file and says what was found. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"a":{"dtype":"F32",  | not valid JSON
      [1,2,3]               | JSON array;expected a JSON object
      {} {}                 | not valid JSON
      """)
  void refusesAHeaderThatIsNotOneJsonObject(String header, String mentions) throws IOException {
    Path file = craft(header, 0);
    ModelFormatException e = refused(file);
    assertMentions(e, file.toString());
    assertMentions(e, mentions.split(";"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dtype", "shape", "data_offsets"})
  void refusesEntryMissingAField(String field) throws IOException {
    String entry = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    String without = entry.replaceAll("\"" + field + "\":(\"F32\"|\\[[0-9,]*\\]),?", "").replace(",}", "}");
    Path file = craft("{\"w\":" + without + "}", 8);
    assertMentions(refused(file), file.toString(), "tensor 'w'", "no '" + field + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"I64", "F8_E4M3", "F64", "Q8_0"})
  void refusesUnsupportedDtypeNamingTheSupportedOnes(String dtype) throws IOException {
    Path file = craft("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
    assertMentions(refused(file), file.toString(), "tensor 'w'", "dtype " + dtype, "F32, F16 and BF16");
  }

  @Test
  void refusesOffsetsBeyondTheDataSection() throws IOException {
    Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12);
    assertMentions(refused(file), file.toString(), "tensor 'w'", "[0, 16]", "out of range", "12 bytes");
  }

  @Test
  void refusesTruncatedFileWrittenByTheWriter() throws IOException {
    Path file = dir.resolve("m.safetensors");
    SafetensorsWriter.write(file, List.of(RawTensor.ofFloats("a", new long[] {2}, new float[] {1, 2}),
        RawTensor.ofFloats("b", new long[] {2}, new float[] {3, 4})), Map.of());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 1);
    }
    assertMentions(refused(file), file.toString(), "tensor 'b'", "out of range", "truncated");
  }

  /** One tensor entry {@code w} whose offsets or shape are wrong: the message names the tensor and the fault. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"dtype":"F32","shape":[1],"data_offsets":[8,4]}                           | 8  | [8, 4];begin <= end
      {"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}                         | 8  | 8 bytes;[2, 3];needs 12 bytes
      {"dtype":"F32","shape":[2,-2],"data_offsets":[0,16]}                       | 16 | 'shape';negative value -2
      {"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}       | 0  | overflows
      {"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}                         | 4  | 'data_offsets';non-negative integers
      """)
  void refusesATensorEntryWhoseOffsetsOrShapeAreWrong(String entry, int dataBytes, String mentions)
      throws IOException {
    Path file = craft("{\"w\":" + entry + "}", dataBytes);
    ModelFormatException e = refused(file);
    assertMentions(e, file.toString(), "tensor 'w'");
    assertMentions(e, mentions.split(";"));
  }

  @Test
  void refusesOverlappingTensors() throws IOException {
    Path file = craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
        + "\"c\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 24);
    assertMentions(refused(file), file.toString(), "tensor 'c'", "overlaps tensor 'a'", "[8, 16)", "[0, 12)");
  }

  @Test
  void refusesDuplicateTensorNamesInHeader() throws IOException {
    Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
    assertMentions(refused(file), file.toString(), "not valid JSON", "Duplicate field 'w'");
  }

  @Test
  void refusesMetadataThatIsNotStrings() throws IOException {
    Path file = craft("{\"__metadata__\":{\"total_size\":8}}", 0);
    assertMentions(refused(file), file.toString(), "'__metadata__.total_size'", "expected a string");
  }
}
