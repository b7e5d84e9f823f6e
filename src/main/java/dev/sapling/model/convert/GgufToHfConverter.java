package dev.sapling.model.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.data.AtomicFiles;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.format.GgufFile;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.SafetensorsWriter;
import dev.sapling.model.format.TensorType;
import dev.sapling.model.loader.GgufConfigReader;
import dev.sapling.model.loader.GgufTokenizerReader;
import dev.sapling.model.loader.GgufWeightSource;
import dev.sapling.model.tokenizer.SentencePieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Converts a llama-architecture GGUF file into a Hugging Face folder: {@code config.json}, {@code model.safetensors}
 * (Q/K rows back in rotate-half order; Q8_0 dequantized to F32; F32/F16/BF16 kept), {@code tokenizer.json} that
 * Hugging Face {@code tokenizers} encodes token-for-token like the GGUF vocabulary, {@code tokenizer_config.json}
 * (no chat template) and {@code generation_config.json}. The folder appears complete or not at all.
 *
 * <pre>{@code
 * new GgufToHfConverter().convert(Path.of("stories260K.gguf"), Path.of("stories260K-hf"));
 * }</pre>
 */
public final class GgufToHfConverter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Writes the folder {@code out}, which must not exist or be empty. */
  public void convert(Path ggufPath, Path out) throws IOException {
    if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
      throw new ModelFormatException(out + ": already exists and is not an empty folder; choose a new output folder");
    }
    GgufFile gguf = GgufFile.open(ggufPath);
    ModelConfig config = GgufConfigReader.read(gguf);
    SentencePieceTokenizer tokenizer = GgufTokenizerReader.read(gguf);
    GgufWeightSource source = new GgufWeightSource(gguf, config);

    List<RawTensor> tensors = new ArrayList<>();
    for (String name : source.names()) {
      RawTensor t = source.find(name).orElseThrow();
      tensors.add(t.type() == TensorType.Q8_0 ? t.withFloats(t.name(), t.toFloats()) : t); // no Q8_0 in safetensors
    }

    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".partial-");
    try {
      ObjectNode hfConfig = config.toHfConfig(MAPPER);
      hfConfig.put("torch_dtype", torchDtype(tensors));
      write(staging.resolve("config.json"), hfConfig);
      SafetensorsWriter.write(staging.resolve("model.safetensors"), tensors,
          Map.of("format", "pt", "converted_from", ggufPath.getFileName().toString()));
      AtomicFiles.writeString(staging.resolve("tokenizer.json"), tokenizer.toHuggingFaceJson());
      write(staging.resolve("tokenizer_config.json"), tokenizerConfig(tokenizer, gguf));
      write(staging.resolve("generation_config.json"), generationConfig(config));
      if (staging.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // createTempDirectory makes 0700; the result is an ordinary model folder others may read
        Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      if (Files.exists(out)) {
        Files.delete(out); // empty, checked above
      }
      Files.move(staging, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteRecursively(staging);
    }
  }

  private static ObjectNode tokenizerConfig(SentencePieceTokenizer tokenizer, GgufFile gguf) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("add_bos_token", GgufTokenizerReader.addsBos(gguf));
    n.put("add_eos_token", false);
    tokenizer.bosId().ifPresent(id -> n.put("bos_token", tokenizer.piece(id)));
    tokenizer.eosId().ifPresent(id -> n.put("eos_token", tokenizer.piece(id)));
    n.put("tokenizer_class", "LlamaTokenizerFast");
    n.put("clean_up_tokenization_spaces", false);
    n.put("legacy", true);
    return n;
  }

  private static ObjectNode generationConfig(ModelConfig config) {
    ObjectNode n = MAPPER.createObjectNode();
    config.bosTokenId().ifPresent(id -> n.put("bos_token_id", id));
    if (!config.eosTokenIds().isEmpty()) {
      n.put("eos_token_id", config.eosTokenIds().get(0));
    }
    n.put("do_sample", false);
    return n;
  }

  private static String torchDtype(List<RawTensor> tensors) {
    if (tensors.stream().anyMatch(t -> t.type() == TensorType.BF16)) {
      return "bfloat16";
    }
    if (tensors.stream().anyMatch(t -> t.type() == TensorType.F16)) {
      return "float16";
    }
    return "float32";
  }

  private static void write(Path file, ObjectNode json) throws IOException {
    AtomicFiles.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
