package dev.sapling.cli;

import ai.djl.Device;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.SaplingException;
import dev.sapling.runtime.device.DeviceSelector;
import java.nio.file.Path;

/**
 * The shared flag group of every model-using command, {@code --model PATH} and {@code --device cpu|gpu|auto}, and
 * loading the model they name. Loading logs the manifest's key facts to stderr, never to stdout.
 *
 * <pre>{@code
 * static final Flags FLAGS = Flags.of(IDS).with(ModelArgs.GROUP);     // --model required, --device default cpu
 * try (LoadedModel model = ModelArgs.load(args, err)) { ... }
 * }</pre>
 */
final class ModelArgs {
  static final Flag<Path> MODEL = Flag.of("model", "PATH", Flag.Type.PATH,
      "a .gguf file or a Hugging Face folder (config.json, *.safetensors, tokenizer.json)").mandatory();
  static final Flag<String> DEVICE = Flag.of("device", "cpu|gpu|auto",
      Flag.Type.of("cpu, gpu or auto", new DeviceWord()),
      "where to run (auto = gpu when one is visible); gpu never falls back to the CPU").withDefault("cpu");
  /** The group as generate, score and logits use it; others vary which flags are required or defaulted. */
  static final Flags.Group GROUP = Flags.Group.of("model and device", MODEL, DEVICE);

  private ModelArgs() {}

  static LoadedModel load(Args args, java.io.PrintStream err) {
    Path model = args.get(MODEL);
    Device device = device(args.get(DEVICE));
    LoadOptions options = LoadOptions.defaults().withDevice(device); // the loader picks the ops (docs/gpu.md)
    LoadedModel loaded = new CleanModelLoader(options).load(model);
    err.println("loaded " + loaded.manifest().architecture() + " from " + loaded.manifest().path() + " ("
        + loaded.manifest().format() + ", " + loaded.manifest().computeDtype() + " on " + loaded.device()
        + ", loader " + loaded.manifest().loaderVersion() + ")");
    return loaded;
  }

  /** The device for a {@code --device} value; {@code gpu} without a visible GPU is an error, never the CPU. */
  static Device device(String name) {
    return DeviceSelector.standard().select(name);
  }

  /**
   * A {@code --device} word, checked when the command line is parsed and kept as given. A class, not a method
   * reference: the first lambda of a run costs the JVM milliseconds, and every command declares {@code --device}.
   */
  private static final class DeviceWord implements java.util.function.Function<String, String> {
    @Override
    public String apply(String word) {
      try {
        DeviceSelector.Request.parse(word);
        return word;
      } catch (SaplingException e) {
        throw new Flag.Problem("unknown value '" + word + "'; expected cpu, gpu or auto");
      }
    }
  }
}
