package dev.sapling.cli;

import dev.sapling.model.convert.GgufToHfConverter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code sapling convert IN.gguf OUT_DIR}: writes a Hugging Face folder from a GGUF file. */
final class ConvertCommand extends Command {
  static final Flags FLAGS = Flags.of()
      .withPositionals(new Flags.Positional("IN.gguf", "a llama GGUF file"),
          new Flags.Positional("OUT_DIR", "the folder to write; it must not exist (or be empty)"))
      .withNotes("Writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json, "
          + "generation_config.json. Prints OUT_DIR on success.");

  ConvertCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    List<String> files = args.positional();
    Path in = Path.of(files.get(0));
    Path outDir = Path.of(files.get(1));
    new GgufToHfConverter().convert(in, outDir);
    err.println("converted " + in + " -> " + outDir);
    out.println(outDir.toAbsolutePath());
    return 0;
  }
}
