package dev.sapling.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsIndexTest {
  @TempDir Path dir;
  Path shard1;
  Path shard2;
  Path index;

  @BeforeEach
  void writeTwoShards() throws IOException {
    shard1 = dir.resolve("model-00001-of-00002.safetensors");
    shard2 = dir.resolve("model-00002-of-00002.safetensors");
    index = dir.resolve("model.safetensors.index.json");
    SafetensorsWriter.write(shard2, List.of(
        RawTensor.ofFloats("lm_head.weight", new long[] {2, 2}, new float[] {5, 6, 7, 8}),
        RawTensor.ofFloats("model.norm.weight", new long[] {2}, new float[] {9, 10})), Map.of("format", "pt"));
    SafetensorsWriter.write(shard1, List.of(
        RawTensor.ofFloats("model.embed_tokens.weight", new long[] {2, 2}, new float[] {1, 2, 3, 4})),
        Map.of("format", "pt"));
  }

  private void writeIndex(String weightMap) throws IOException {
    Files.writeString(index, "{\"metadata\":{\"total_size\":40},\"weight_map\":{" + weightMap + "}}");
  }

  private static final String GOOD_MAP = "\"lm_head.weight\":\"model-00002-of-00002.safetensors\","
      + "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
      + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\"";

  private String refusal() {
    return assertThrows(ModelFormatException.class, () -> SafetensorsIndex.open(index)).getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), () -> "message should mention '" + p + "': " + message);
    }
  }

  @Test
  void opensEveryShardOnceAndFindsEachTensor() throws IOException {
    writeIndex(GOOD_MAP);

    SafetensorsIndex st = SafetensorsIndex.open(index);

    assertEquals(List.of(shard1, shard2), st.files().stream().map(Path::toAbsolutePath).toList());
    assertEquals(List.of("model.embed_tokens.weight", "lm_head.weight", "model.norm.weight"),
        st.tensors().stream().map(RawTensor::name).toList());
    RawTensor head = st.tensor("lm_head.weight").orElseThrow();
    assertArrayEquals(new float[] {5, 6, 7, 8}, head.toFloats());
    assertEquals(shard2.toAbsolutePath().toString(), head.file());
    assertArrayEquals(new float[] {1, 2, 3, 4}, st.tensor("model.embed_tokens.weight").orElseThrow().toFloats());
    assertTrue(st.tensor("model.layers.0.mlp.up_proj.weight").isEmpty());
  }

  @Test
  void exposesOnlyTensorsTheWeightMapNames() throws IOException {
    writeIndex("\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
        + "\"lm_head.weight\":\"model-00002-of-00002.safetensors\"");

    SafetensorsIndex st = SafetensorsIndex.open(index);

    assertEquals(List.of("model.embed_tokens.weight", "lm_head.weight"),
        st.tensors().stream().map(RawTensor::name).toList());
    assertTrue(st.tensor("model.norm.weight").isEmpty());
  }

  @Test
  void refusesMissingShardNamingIndexShardAndTensor() throws IOException {
    writeIndex(GOOD_MAP + ",\"model.layers.0.mlp.up_proj.weight\":\"model-00003-of-00003.safetensors\"");
    assertMentions(refusal(), index.toString(), "'model-00003-of-00003.safetensors'",
        "tensor 'model.layers.0.mlp.up_proj.weight'", "does not exist");
  }

  @Test
  void refusesTensorThatItsShardLacks() throws IOException {
    writeIndex(GOOD_MAP + ",\"model.layers.0.mlp.up_proj.weight\":\"model-00001-of-00002.safetensors\"");
    assertMentions(refusal(), index.toString(), "tensor 'model.layers.0.mlp.up_proj.weight'",
        shard1.toString(), "has no tensor of that name");
  }

  @Test
  void refusesIndexWithoutWeightMap() throws IOException {
    Files.writeString(index, "{\"metadata\":{}}");
    assertMentions(refusal(), index.toString(), "'weight_map' is missing");
  }

  @Test
  void refusesIndexThatIsNotJson() throws IOException {
    Files.writeString(index, "{\"weight_map\":");
    assertMentions(refusal(), index.toString(), "not valid JSON");
  }

  @Test
  void refusesShardNameThatLeavesTheFolder() throws IOException {
    writeIndex("\"w\":\"../elsewhere.safetensors\"");
    assertMentions(refusal(), index.toString(), "tensor 'w'", "'../elsewhere.safetensors'", "index's folder");
  }

  @Test
  void reportsMalformedShardByItsOwnName() throws IOException {
    writeIndex(GOOD_MAP);
    Files.write(shard2, new byte[] {1, 2, 3});
    assertMentions(refusal(), shard2.toString(), "3 bytes", "truncated");
  }
}
