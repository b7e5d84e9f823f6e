package dev.sapling.cli;

import ai.djl.Device;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.SaplingException;
import dev.sapling.runtime.device.DeviceSelector;
import java.nio.file.Path;

/**
 * The flags every model-using command shares: {@code --model PATH} and {@code --device cpu|gpu}. Loading logs the
 * manifest's key facts to stderr, never to stdout.
 */
final class ModelArgs {
  static final String USAGE = "  --model PATH       a .gguf file or a Hugging Face folder (config.json, *.safetensors, "
      + "tokenizer.json)\n  --device cpu|gpu|auto   where to run (default cpu; auto = gpu when one is visible); gpu never falls back to cpu\n";

  private ModelArgs() {}

  static LoadedModel load(Args args, java.io.PrintStream err) {
    Path model = args.requiredPath("model");
    Device device = device(args.string("device").orElse("cpu"));
    LoadOptions options = LoadOptions.defaults().withDevice(device); // the loader picks the ops (docs/gpu.md)
    LoadedModel loaded = new CleanModelLoader(options).load(model);
    err.println("loaded " + loaded.manifest().architecture() + " from " + loaded.manifest().path() + " ("
        + loaded.manifest().format() + ", " + loaded.manifest().computeDtype() + " on " + loaded.device()
        + ", loader " + loaded.manifest().loaderVersion() + ")");
    return loaded;
  }

  static Device device(String name) {
    try {
      return DeviceSelector.standard().select(name);
    } catch (SaplingException e) {
      if (e.getMessage().startsWith("--device: unknown value")) {
        throw new CliUsageException(e.getMessage());
      }
      throw e;
    }
  }

}
