package dev.sapling.model.loader;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.data.Hashing;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.Transformer;
import dev.sapling.model.WeightSource;
import dev.sapling.model.Weights;
import dev.sapling.model.WeightsBuilder;
import dev.sapling.model.format.GgufFile;
import dev.sapling.model.format.ModelFormatException;
import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.SafetensorsFile;
import dev.sapling.model.format.SafetensorsIndex;
import dev.sapling.model.format.TensorType;
import dev.sapling.model.tokenizer.HfTokenizer;
import dev.sapling.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a model so that it is used as a <em>base</em> model, and says exactly what was loaded. Accepts a Hugging
 * Face folder ({@code config.json}, {@code model.safetensors} or a sharded index, {@code tokenizer.json}) or a GGUF
 * file. It never unpickles: {@code pytorch_model.bin}, {@code *.pt} and {@code *.pth} are refused. Chat templates are
 * ignored and recorded as stripped; the tokenizer adds no special tokens; whether prompts start with BOS is decided
 * here, once, and recorded in the {@link ModelManifest}. The transformer runs the fastest ops the device has unless
 * the options name others ({@link LoadOptions#resolveOps}): a model loaded here alone, in a notebook or a script, runs
 * as fast as one the CLI loads.
 *
 * <pre>{@code
 * LoadedModel model = new CleanModelLoader().load(Path.of("models/stories260K/stories260K.gguf"));
 * LoadedModel onGpu = new CleanModelLoader(LoadOptions.defaults().withDevice(Device.gpu())).load(hfFolder);
 * }</pre>
 */
public final class CleanModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(CleanModelLoader.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CONVERT_HINT = "Sapling never unpickles PyTorch pickles. Convert once to safetensors with Python: "
      + "`from transformers import AutoModelForCausalLM; AutoModelForCausalLM.from_pretrained(DIR)"
      + ".save_pretrained(OUT, safe_serialization=True)` (and copy tokenizer.json), then load OUT";

  private final LoadOptions options;
  private final WeightHashCache hashes = new WeightHashCache();

  public CleanModelLoader() {
    this(LoadOptions.defaults());
  }

  public CleanModelLoader(LoadOptions options) {
    this.options = options;
  }

  /** Loads the model at {@code path} (a GGUF file or a Hugging Face folder). */
  public LoadedModel load(Path path) {
    Path p = path.toAbsolutePath().normalize();
    if (!Files.exists(p)) {
      throw new ModelFormatException(p + ": no such file or folder; pass a Hugging Face model folder or a .gguf file");
    }
    checkDevice();
    if (Files.isDirectory(p)) {
      return loadFolder(p);
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (isPickle(name)) {
      throw new ModelFormatException(p + ": refusing to load a PyTorch pickle. " + CONVERT_HINT);
    }
    if (name.endsWith(".gguf")) {
      return loadGguf(p);
    }
    if (name.endsWith(".safetensors") || name.equals("config.json")) {
      throw new ModelFormatException(p + ": pass the model folder (" + p.getParent() + "), not one of its files");
    }
    throw new ModelFormatException(p + ": unknown model file type; expected a .gguf file or a Hugging Face folder");
  }

  private void checkDevice() {
    Device device = options.device();
    if (device.isGpu() && Engine.getInstance().getGpuCount() <= device.getDeviceId()) {
      throw new ModelFormatException("the GPU (" + device + ") was requested but the PyTorch engine sees "
          + Engine.getInstance().getGpuCount() + " GPU(s); Sapling does not fall back to the CPU silently. "
          + "Check nvidia-smi and the GPU bridge setup (docs/gpu.md), or pass --device cpu");
    }
  }

  private LoadedModel loadGguf(Path file) {
    GgufFile gguf = options.retry().call("open " + file, () -> GgufFile.open(file));
    ModelConfig config = GgufConfigReader.read(gguf);
    Tokenizer tokenizer = GgufTokenizerReader.read(gguf);
    Optional<String> template = gguf.string("tokenizer.chat_template");
    boolean addBos = GgufTokenizerReader.addsBos(gguf);
    String bosSource = gguf.metadata().containsKey("tokenizer.ggml.add_bos_token")
        ? "gguf tokenizer.ggml.add_bos_token" : "default for SentencePiece llama vocabularies (add BOS)";
    WeightSource source = new GgufWeightSource(gguf, config);
    List<Path> files = List.of(file);
    return build(file, "gguf", config, tokenizer, source, gguf.tensors(), files, template, addBos, bosSource);
  }

  private LoadedModel loadFolder(Path dir) {
    List<Path> entries = options.retry().call("list " + dir, () -> {
      try (Stream<Path> s = Files.list(dir)) {
        return s.sorted().collect(Collectors.toList());
      }
    });
    if (entries.isEmpty()) {
      throw new ModelFormatException(dir + ": the folder is empty; expected config.json, model.safetensors "
          + "(or model.safetensors.index.json with shards) and tokenizer.json");
    }
    List<Path> safetensors = entries.stream().filter(e -> e.getFileName().toString().endsWith(".safetensors")).toList();
    List<Path> pickles = entries.stream().filter(e -> isPickle(e.getFileName().toString().toLowerCase(Locale.ROOT)))
        .toList();
    List<Path> ggufs = entries.stream().filter(e -> e.getFileName().toString().endsWith(".gguf")).toList();
    Path configFile = dir.resolve("config.json");
    if (!Files.exists(configFile) && safetensors.isEmpty() && ggufs.size() == 1) {
      return loadGguf(ggufs.get(0));
    }
    if (safetensors.isEmpty() && !pickles.isEmpty()) {
      throw new ModelFormatException(dir + ": only PyTorch pickle weights found (" + names(pickles) + "). "
          + CONVERT_HINT);
    }
    if (!pickles.isEmpty()) {
      LOG.info("{}: ignoring pickle files {}; loading safetensors", dir, names(pickles));
    }
    if (!Files.exists(configFile)) {
      throw new ModelFormatException(dir + ": config.json is missing; a Hugging Face model folder needs "
          + "config.json, *.safetensors and tokenizer.json");
    }
    Path tokenizerFile = dir.resolve("tokenizer.json");
    if (!Files.exists(tokenizerFile)) {
      String hint = Files.exists(dir.resolve("tokenizer.model"))
          ? " (tokenizer.model, a SentencePiece file, is there: write tokenizer.json with "
              + "`AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR)` in Python)"
          : "";
      throw new ModelFormatException(dir + ": tokenizer.json is missing; Sapling needs the Hugging Face tokenizers "
          + "file" + hint);
    }
    JsonNode configJson = readJson(configFile);
    ModelConfig config = ModelConfig.fromHfConfig(configJson, configFile.toString());

    List<RawTensor> tensors;
    List<Path> weightFiles;
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.exists(index)) {
      SafetensorsIndex idx = options.retry().call("open " + index, () -> SafetensorsIndex.open(index));
      tensors = idx.tensors();
      weightFiles = idx.files();
    } else {
      Path single = dir.resolve("model.safetensors");
      if (!Files.exists(single)) {
        if (safetensors.size() != 1) {
          throw new ModelFormatException(dir + ": no model.safetensors or model.safetensors.index.json"
              + (safetensors.isEmpty() ? "" : "; found " + names(safetensors) + " without an index"));
        }
        single = safetensors.get(0);
      }
      Path file = single;
      tensors = options.retry().call("open " + file, () -> SafetensorsFile.open(file)).tensors();
      weightFiles = List.of(file);
    }

    JsonNode tokConfig = Files.exists(dir.resolve("tokenizer_config.json"))
        ? readJson(dir.resolve("tokenizer_config.json")) : MAPPER.createObjectNode();
    Optional<String> template = chatTemplate(dir, tokConfig);
    OptionalInt bos = config.bosTokenId();
    OptionalInt eos = config.eosTokenIds().isEmpty() ? OptionalInt.empty() : OptionalInt.of(config.eosTokenIds().get(0));
    Tokenizer tokenizer = options.retry().call("read " + tokenizerFile, () -> HfTokenizer.load(tokenizerFile, bos, eos));
    boolean addBos;
    String bosSource;
    if (tokConfig.has("add_bos_token")) {
      addBos = tokConfig.get("add_bos_token").asBoolean();
      bosSource = "tokenizer_config.json add_bos_token";
    } else {
      addBos = postProcessorAddsBos(tokenizerFile, bos);
      bosSource = "tokenizer.json post_processor (applied by Sapling explicitly, never by encode)";
    }
    WeightSource source = new SafetensorsWeightSource(dir.toString(), tensors);
    return build(dir, "safetensors", config, tokenizer, source, tensors, weightFiles, template, addBos, bosSource);
  }

  private LoadedModel build(Path path, String format, ModelConfig config, Tokenizer tokenizer, WeightSource source,
      List<RawTensor> tensors, List<Path> weightFiles, Optional<String> template, boolean addBos, String bosSource) {
    if (tokenizer.vocabSize() > config.vocabSize()) {
      throw new ModelFormatException(path + ": the tokenizer has " + tokenizer.vocabSize() + " ids but the model's "
          + "vocab_size is " + config.vocabSize() + "; tokenizer and weights do not belong together");
    }
    template.ifPresent(t -> LOG.info("{}: chat template ignored (base model semantics); recorded as stripped", path));
    String storedDtype = tensors.stream().map(RawTensor::type).map(TensorType::name)
        .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining("+"));
    DataType computeType = options.computeType().orElseGet(() -> defaultComputeType(tensors));
    List<ModelManifest.WeightFile> files = new ArrayList<>();
    for (Path f : weightFiles) {
      long bytes = options.retry().call("stat " + f, () -> Files.size(f));
      String sha = options.hashWeights() ? options.retry().call("hash " + f, () -> hashes.sha256(f)) : "not-hashed";
      files.add(new ModelManifest.WeightFile(f.getFileName().toString(), bytes, sha));
    }
    String configSha = Hashing.sha256(config.toHfConfig(MAPPER).toString());
    NDManager manager = NDManager.newBaseManager(options.device());
    try {
      Weights weights = new WeightsBuilder(config, source, manager, computeType).build();
      Transformer transformer = new Transformer(config, weights, options.resolveOps());
      ModelManifest manifest = new ModelManifest(ModelManifest.LOADER_VERSION, path.toString(), format,
          config.architecture().modelType(), configSha, files, tokenizer.sha256(), storedDtype,
          computeType.name().toLowerCase(Locale.ROOT), options.device().toString(), template.isPresent(),
          template.map(Hashing::sha256), addBos, tokenizer.bosId(), bosSource);
      return new LoadedModel(config, tokenizer, transformer, manifest, manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private DataType defaultComputeType(List<RawTensor> tensors) {
    if (!options.device().isGpu()) {
      return DataType.FLOAT32;
    }
    boolean allF32 = tensors.stream().allMatch(t -> t.type() == TensorType.F32);
    if (allF32) {
      return DataType.FLOAT32;
    }
    boolean anyF16 = tensors.stream().anyMatch(t -> t.type() == TensorType.F16);
    return anyF16 ? DataType.FLOAT16 : DataType.BFLOAT16;
  }

  private Optional<String> chatTemplate(Path dir, JsonNode tokConfig) {
    JsonNode t = tokConfig.get("chat_template");
    if (t != null && !t.isNull()) {
      return Optional.of(t.isTextual() ? t.asText() : t.toString());
    }
    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.exists(jinja)) {
      return Optional.of(options.retry().call("read " + jinja, () -> Files.readString(jinja)));
    }
    return Optional.empty();
  }

  private boolean postProcessorAddsBos(Path tokenizerFile, OptionalInt bos) {
    if (bos.isEmpty()) {
      return false;
    }
    JsonNode single = readJson(tokenizerFile).path("post_processor").path("single");
    if (!single.isArray() || single.isEmpty()) {
      return false;
    }
    return single.get(0).has("SpecialToken");
  }

  private JsonNode readJson(Path file) {
    return options.retry().call("read " + file, () -> {
      try {
        return MAPPER.readTree(file.toFile());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new ModelFormatException(file + ": not valid JSON at line " + e.getLocation().getLineNr() + ": "
            + e.getOriginalMessage(), e);
      }
    });
  }

  private static boolean isPickle(String lowerName) {
    return lowerName.endsWith(".bin") || lowerName.endsWith(".pt") || lowerName.endsWith(".pth")
        || lowerName.endsWith(".ckpt") || lowerName.endsWith(".pkl");
  }

  private static String names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
  }
}
