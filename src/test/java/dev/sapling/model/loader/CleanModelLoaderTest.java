package dev.sapling.model.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.data.Hashing;
import dev.sapling.model.convert.GgufToHfConverter;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.SafetensorsFile;
import dev.sapling.model.format.SafetensorsWriter;
import dev.sapling.model.format.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanModelLoaderTest {
  static final Path STORIES = Path.of("models/stories260K/stories260K.gguf");
  static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir
  Path dir;

  private Path storiesCopy() throws Exception {
    Path copy = dir.resolve("gguf").resolve("stories260K.gguf");
    Files.createDirectories(copy.getParent());
    return Files.copy(STORIES, copy);
  }

  private Path converted() throws Exception {
    Path out = dir.resolve("hf");
    new GgufToHfConverter().convert(STORIES, out);
    return out;
  }

  @Test
  void manifestRecordsProvenanceOfAGgufModel() throws Exception {
    Path file = storiesCopy();
    try (LoadedModel model = new CleanModelLoader().load(file)) {
      ModelManifest m = model.manifest();
      assertEquals(ModelManifest.LOADER_VERSION, m.loaderVersion());
      assertEquals(file.toAbsolutePath().toString(), m.path());
      assertEquals("gguf", m.format());
      assertEquals("llama", m.architecture());
      assertEquals(Hashing.sha256(STORIES), m.weightFiles().get(0).sha256());
      assertEquals(Files.size(STORIES), m.weightFiles().get(0).bytes());
      assertEquals("F32", m.storedDtype());
      assertEquals("float32", m.computeDtype());
      assertFalse(m.chatTemplateStripped());
      assertTrue(m.addBos());
      assertEquals(1, m.bosId().getAsInt());
      assertEquals(64, m.configSha256().length());
      assertEquals(64, m.tokenizerSha256().length());
      ObjectNode json = m.toJson(MAPPER);
      for (String key : List.of("loader_version", "path", "format", "architecture", "config_sha256", "weight_files",
          "tokenizer_sha256", "stored_dtype", "compute_dtype", "device", "chat_template_stripped", "add_bos")) {
        assertTrue(json.has(key), key);
      }
      assertArrayEquals(new int[] {1}, model.promptIds(""), "BOS is explicit: promptIds adds it, encode never does");
      assertEquals(0, model.tokenizer().encode("").length);
    }
  }

  @Test
  void weightHashIsCachedBesideTheModelKeyedBySizeAndMtime() throws Exception {
    Path file = storiesCopy();
    WeightHashCache cache = new WeightHashCache();
    String sha = cache.sha256(file);
    Path cacheFile = file.getParent().resolve(".sapling-cache/sha256.json");
    assertTrue(Files.exists(cacheFile));
    // a forged cache entry with matching size+mtime is trusted (proving the cache is used) ...
    ObjectNode forged = (ObjectNode) MAPPER.readTree(cacheFile.toFile());
    ((ObjectNode) forged.get("stories260K.gguf")).put("sha256", "a".repeat(64));
    Files.writeString(cacheFile, forged.toString());
    assertEquals("a".repeat(64), cache.sha256(file));
    // ... and a changed mtime invalidates it
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
    assertEquals(sha, cache.sha256(file));
  }

  @Test
  void refusesPicklesWithAConversionHint() throws Exception {
    Path pt = Files.write(dir.resolve("model.pt"), new byte[] {(byte) 0x80, 2});
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(pt));
    assertTrue(e.getMessage().contains("never unpickles") && e.getMessage().contains("safe_serialization"),
        e.getMessage());

    Path folder = Files.createDirectories(dir.resolve("pickled"));
    Files.writeString(folder.resolve("config.json"), "{}");
    Files.write(folder.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
    Files.writeString(folder.resolve("tokenizer.json"), "{}");
    e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(folder));
    assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("safetensors"), e.getMessage());
  }

  @Test
  void emptyFolderMissingTokenizerAndMissingConfigAreNamed() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(empty));
    assertTrue(e.getMessage().contains("empty") && e.getMessage().contains("config.json"), e.getMessage());

    Path hf = converted();
    Files.delete(hf.resolve("tokenizer.json"));
    e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(hf));
    assertTrue(e.getMessage().contains("tokenizer.json is missing"), e.getMessage());

    Files.delete(hf.resolve("config.json"));
    e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(hf));
    assertTrue(e.getMessage().contains("config.json is missing"), e.getMessage());

    e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void shapeThatDisagreesWithConfigNamesTensorAndShapes() throws Exception {
    Path hf = converted();
    ObjectNode config = (ObjectNode) MAPPER.readTree(hf.resolve("config.json").toFile());
    config.put("intermediate_size", 160);
    Files.writeString(hf.resolve("config.json"), config.toString());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(hf));
    assertTrue(e.getMessage().contains("model.layers.0.mlp.gate_proj.weight") && e.getMessage().contains("[172, 64]")
        && e.getMessage().contains("[160, 64]"), e.getMessage());
  }

  @Test
  void missingTensorIsNamedWithItsExpectedShape() throws Exception {
    Path hf = converted();
    SafetensorsFile st = SafetensorsFile.open(hf.resolve("model.safetensors"));
    List<RawTensor> kept = new ArrayList<>();
    for (RawTensor t : st.tensors()) {
      if (!t.name().equals("model.layers.3.self_attn.v_proj.weight")) {
        kept.add(copy(t));
      }
    }
    Files.delete(hf.resolve("model.safetensors"));
    SafetensorsWriter.write(hf.resolve("model.safetensors"), kept, Map.of());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(hf));
    assertTrue(e.getMessage().contains("model.layers.3.self_attn.v_proj.weight") && e.getMessage().contains("missing")
        && e.getMessage().contains("[32, 64]"), e.getMessage());
  }

  @Test
  void chatTemplateIsIgnoredAndRecordedAsStripped() throws Exception {
    Path hf = converted();
    ObjectNode tc = (ObjectNode) MAPPER.readTree(hf.resolve("tokenizer_config.json").toFile());
    String template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}";
    tc.put("chat_template", template);
    Files.writeString(hf.resolve("tokenizer_config.json"), tc.toString());
    try (LoadedModel model = new CleanModelLoader().load(hf)) {
      assertTrue(model.manifest().chatTemplateStripped());
      assertEquals(Hashing.sha256(template), model.manifest().chatTemplateSha256().orElseThrow());
      assertEquals("safetensors", model.manifest().format());
      assertEquals("tokenizer_config.json add_bos_token", model.manifest().bosSource());
      int[] ids = model.tokenizer().encode("Hello");
      assertTrue(ids.length > 0 && ids[0] != 1, "encode adds no BOS even though add_bos_token is true");
    }
  }

  /**
   * Guard for DJL 0.36's CPU JNI, which has no BF16 and kills the JVM when asked for one: BF16 weights load on the
   * CPU widened to F32 in Java, and asking for BF16 compute on the CPU is a clear error, not a crash.
   */
  @Test
  void bf16WeightsAreWidenedInJavaOnTheCpuAndBf16ComputeIsRefused() throws Exception {
    Path hf = converted();
    SafetensorsFile st = SafetensorsFile.open(hf.resolve("model.safetensors"));
    List<RawTensor> bf16 = new ArrayList<>();
    for (RawTensor t : st.tensors()) {
      bf16.add(toBf16(t));
    }
    Files.delete(hf.resolve("model.safetensors"));
    SafetensorsWriter.write(hf.resolve("model.safetensors"), bf16, Map.of());
    try (LoadedModel model = new CleanModelLoader().load(hf)) {
      assertEquals("BF16", model.manifest().storedDtype());
      assertEquals(DataType.FLOAT32, model.transformer().computeType());
      assertEquals(DataType.FLOAT32, model.transformer().weights().embedding().getDataType());
    }
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> new CleanModelLoader(LoadOptions.defaults().withComputeType(DataType.BFLOAT16)).load(hf));
    assertTrue(e.getMessage().contains("not available on the CPU"), e.getMessage());
  }

  @Test
  void gpuRequestedWithoutAGpuIsAnErrorNotACpuFallback() throws Exception {
    Path file = storiesCopy();
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> new CleanModelLoader(LoadOptions.defaults().withDevice(Device.gpu())).load(file));
    assertTrue(e.getMessage().contains("does not fall back to the CPU"), e.getMessage());
  }

  @Test
  void unknownGgufArchitectureIsNamed() throws Exception {
    Path file = new dev.sapling.model.format.GgufTestWriter().put("general.architecture", "mamba")
        .write(dir.resolve("mamba.gguf"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> new CleanModelLoader().load(file));
    assertTrue(e.getMessage().contains("mamba.gguf") && e.getMessage().contains("'mamba'"), e.getMessage());
  }

  static RawTensor copy(RawTensor t) {
    ByteBuffer b = ByteBuffer.allocate(t.data().remaining());
    b.put(t.data().duplicate());
    b.flip();
    return new RawTensor(t.name(), t.type(), t.shape(), b, t.file());
  }

  static RawTensor toBf16(RawTensor t) {
    float[] v = t.toFloats();
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putShort((short) (Float.floatToIntBits(f) >>> 16));
    }
    b.flip();
    return new RawTensor(t.name(), TensorType.BF16, t.shape(), b, t.file());
  }
}
