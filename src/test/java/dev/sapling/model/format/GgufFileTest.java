package dev.sapling.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
  static final Path STORIES = Path.of("models/stories260K/stories260K.gguf");

  @TempDir
  Path dir;

  @Test
  void readsTheEmbeddedStoriesModel() throws IOException {
    GgufFile gguf = GgufFile.open(STORIES);
    assertEquals(3, gguf.version());
    assertEquals("llama", gguf.architecture());
    assertEquals(48, gguf.tensors().size());
    assertEquals(5, gguf.integer("llama.block_count").getAsLong());
    assertEquals(512, gguf.array("tokenizer.ggml.tokens").orElseThrow().size());
    RawTensor emb = gguf.tensor("token_embd.weight").orElseThrow();
    assertArrayEquals(new long[] {512, 64}, emb.shape(), "GGUF [64, 512] reads row-major as [vocab, hidden]");
    RawTensor out = gguf.tensor("output.weight").orElseThrow();
    assertArrayEquals(emb.toFloats(), out.toFloats(), "stories260K stores the same values in both");
    assertArrayEquals(new long[] {172, 64}, gguf.tensor("blk.0.ffn_gate.weight").orElseThrow().shape());
  }

  @Test
  void dequantizesQ8AndWidensF16() throws IOException {
    ByteBuffer q8 = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
    q8.putShort(Half.fromFloat(0.5f));
    for (int i = 0; i < 32; i++) {
      q8.put((byte) (i - 16));
    }
    ByteBuffer f16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    f16.putShort(Half.fromFloat(1.5f)).putShort(Half.fromFloat(-2f));
    Path file = new GgufTestWriter().put("general.architecture", "llama")
        .tensor("q", 8, new long[] {1, 32}, q8.array())
        .tensor("h", 1, new long[] {2}, f16.array())
        .write(dir.resolve("q.gguf"));
    GgufFile gguf = GgufFile.open(file);
    float[] q = gguf.tensor("q").orElseThrow().toFloats();
    assertEquals(-8f, q[0]);
    assertEquals(7.5f, q[31]);
    assertArrayEquals(new float[] {1.5f, -2f}, gguf.tensor("h").orElseThrow().toFloats());
  }

  @Test
  void truncatedFileNamesFileAndWhatWasBeingRead() throws IOException {
    byte[] all = Files.readAllBytes(STORIES);
    Path header = dir.resolve("header-cut.gguf");
    Files.write(header, Arrays.copyOf(all, 4000));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(header));
    assertTrue(e.getMessage().contains("header-cut.gguf") && e.getMessage().contains("truncated"), e.getMessage());

    Path data = dir.resolve("data-cut.gguf");
    Files.write(data, Arrays.copyOf(all, all.length - 100));
    e = assertThrows(ModelFormatException.class, () -> GgufFile.open(data));
    assertTrue(e.getMessage().contains("data-cut.gguf") && e.getMessage().contains("tensor 'blk.4.ffn_norm.weight'")
        && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void unknownTensorTypeNamesTensorAndType() throws IOException {
    Path file = new GgufTestWriter().put("general.architecture", "llama")
        .tensor("blk.0.attn_q.weight", 12, new long[] {256}, new byte[144])
        .write(dir.resolve("q4k.gguf"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(file));
    assertTrue(e.getMessage().contains("q4k.gguf") && e.getMessage().contains("blk.0.attn_q.weight")
        && e.getMessage().contains("Q4_K"), e.getMessage());
  }

  @Test
  void notGgufAndWrongValueTypesAreNamed() throws IOException {
    Path text = Files.writeString(dir.resolve("model.gguf"), "hello, this is not a model");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(text));
    assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());

    Path file = new GgufTestWriter().put("general.architecture", "llama").put("llama.block_count", "five")
        .write(dir.resolve("typed.gguf"));
    GgufFile gguf = GgufFile.open(file);
    e = assertThrows(ModelFormatException.class, () -> gguf.integer("llama.block_count"));
    assertTrue(e.getMessage().contains("llama.block_count") && e.getMessage().contains("integer"), e.getMessage());
    assertEquals(List.of(), gguf.tensors());
  }
}
