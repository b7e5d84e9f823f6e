package dev.sapling.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.SaplingException;
import dev.sapling.model.loader.LoadedModel;
import java.io.PrintStream;

/**
 * {@code sapling logits --model PATH --ids 1,450,2 [--all-positions]}: prints
 * {@code {"ids": [...], "logits": [[...vocab floats...], ...]}} — the tool for comparing a port with Python.
 */
final class LogitsCommand extends Command {
  static final Flag<int[]> IDS = Flag.of("ids", "LIST", Flag.Type.INT_LIST,
      "comma-separated token ids, used exactly as given (no BOS added)").mandatory();
  static final Flag<Boolean> ALL_POSITIONS = Flag.toggle("all-positions",
      "logits of every position, not only the last");
  static final Flags FLAGS = Flags.of(IDS, ALL_POSITIONS).with(ModelArgs.GROUP)
      .withNotes("Prints one JSON object: {\"ids\": [...], \"logits\": [[...], ...]} (float32 values).");

  LogitsCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    int[] ids = args.get(IDS);
    boolean all = args.get(ALL_POSITIONS);
    try (LoadedModel model = ModelArgs.load(args, err)) {
      try {
        model.config().requireTokenIds("--ids", ids);
      } catch (SaplingException e) {
        throw new CliUsageException(e.getMessage()); // a bad flag value: exit 2 with the usage
      }
      float[] logits = model.logits(ids, all);
      int vocab = model.config().vocabSize();
      int rows = logits.length / vocab;
      JsonGenerator g = new ObjectMapper().getFactory().createGenerator(out);
      g.writeStartObject();
      g.writeArrayFieldStart("ids");
      for (int id : ids) {
        g.writeNumber(id);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("logits");
      for (int r = 0; r < rows; r++) {
        g.writeStartArray();
        for (int v = 0; v < vocab; v++) {
          g.writeNumber(logits[r * vocab + v]);
        }
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.flush();
      out.println();
    }
    return 0;
  }
}
