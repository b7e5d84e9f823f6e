package dev.sapling.cli;

import dev.sapling.model.convert.GgufToHfConverter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code sapling convert IN.gguf OUT_DIR}: writes a Hugging Face folder from a GGUF file. */
final class ConvertCommand implements Command {
  @Override
  public String name() {
    return "convert";
  }

  @Override
  public String summary() {
    return "convert a llama GGUF file into a Hugging Face folder (safetensors + tokenizer.json)";
  }

  @Override
  public String usage() {
    return "usage: sapling convert IN.gguf OUT_DIR\n"
        + "  writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json;\n"
        + "  OUT_DIR must not exist (or be empty). Prints OUT_DIR on success.";
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    args.requireAllKnown();
    List<String> files = args.positional();
    if (files.size() != 2) {
      throw new CliUsageException("expected IN.gguf and OUT_DIR, got " + files.size() + " argument(s)");
    }
    Path in = Path.of(files.get(0));
    Path outDir = Path.of(files.get(1));
    new GgufToHfConverter().convert(in, outDir);
    err.println("converted " + in + " -> " + outDir);
    out.println(outDir.toAbsolutePath());
    return 0;
  }
}
