package dev.sapling.pipeline;

import dev.sapling.SaplingException;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads the model an experiment samples from, through {@link CleanModelLoader} (base-model semantics, weights
 * hashed, manifest recorded). A folder holding one {@code .gguf} and no {@code config.json} loads that file.
 *
 * <pre>{@code
 * LoadedModel m = Models.load("models/stories260K");
 * }</pre>
 */
public final class Models {
  /** The model Sapling embeds, used when none is given. */
  public static final Path DEFAULT = Path.of("models/stories260K/stories260K.gguf");

  private Models() {}

  public static LoadedModel load(String path) {
    return load(Path.of(path));
  }

  public static LoadedModel load(Path path) {
    return load(path, LoadOptions.defaults());
  }

  public static LoadedModel load(Path path, LoadOptions options) {
    return new CleanModelLoader(options).load(resolve(path));
  }

  /** {@code path} itself, or the single {@code .gguf} inside a folder that is not a Hugging Face folder. */
  public static Path resolve(Path path) {
    if (!Files.isDirectory(path) || Files.exists(path.resolve("config.json"))) {
      return path;
    }
    try (Stream<Path> files = Files.list(path)) {
      List<Path> gguf = files.filter(f -> f.getFileName().toString().endsWith(".gguf")).sorted().toList();
      if (gguf.size() == 1) {
        return gguf.get(0);
      }
      if (gguf.size() > 1) {
        throw new SaplingException(path + " holds " + gguf.size() + " .gguf files; pass one of them: " + gguf);
      }
      return path;
    } catch (IOException e) {
      throw new SaplingException(path + ": cannot list the model folder (" + e.getMessage() + ")");
    }
  }
}
