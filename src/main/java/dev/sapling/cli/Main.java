package dev.sapling.cli;

import dev.sapling.SaplingException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code ./sapling}: dispatches to one {@link Command} per subcommand, parsing its words against the
 * command's {@link Flags} first, so that {@code --help} and every usage error come from the declaration and a usage
 * error stops before anything runs. Results go to stdout, all else to stderr; the exit code is non-zero on every
 * failure (2 for a usage error, 1 for any other).
 *
 * <pre>{@code
 * int code = Main.run(new String[] {"generate", "--model", "m.gguf", "--greedy"}, System.out, System.err);
 * }</pre>
 */
public final class Main {
  private Main() {}

  /** One subcommand as {@code ./sapling --help} lists it: the word after {@code ./sapling}, one line, the command. */
  record Entry(String name, String summary, Command command) {}

  /** Every subcommand, in the order {@code --help} lists them. Add a new command here. */
  static List<Entry> commands() {
    return List.of(
        new Entry("pilot", "run the pipeline (instructions → responses → critique → pairs → gate) into runs/NAME, "
            + "with QC", new PilotCommand()),
        new Entry("qc", "print a run's QC metrics (a table, or --json)", new QcCommand()),
        new Entry("gate", "check a dataset's provenance and QC thresholds (exit 1 listing every failed check)",
            new GateCommand()),
        new Entry("generate", "continue prompts with the base model (greedy or sampled; --json for one line per "
            + "completion)", new GenerateCommand()),
        new Entry("score", "log-probabilities of continuations given contexts (teacher forcing), one JSON line per "
            + "pair", new ScoreCommand()),
        new Entry("logits", "print the model's raw logits for token ids as JSON", new LogitsCommand()),
        new Entry("convert", "convert a llama GGUF file into a Hugging Face folder (safetensors + tokenizer.json)",
            new ConvertCommand()),
        new Entry("bench", "measure sampling and scoring tokens/s at several batch sizes", new BenchCommand()),
        new Entry("check", "run a device check or benchmark (smoke, fixtures, adamw, sampling)", new CheckCommand()),
        new Entry("ifeval", "score responses with IFEval's verifiable instructions (strict and loose)",
            new IfevalCommand()),
        new Entry("kernel", "install or run the Sapling Jupyter kernel", new KernelCommand()),
        new Entry("script", "run a .jsh script with the kernel's imports and helpers", new ScriptCommand()));
  }

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs one command line; returns its exit code. Never throws. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (Entry e : commands()) {
      byName.put(e.name(), e);
    }
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
      err.println("usage: sapling COMMAND [options]   (sapling COMMAND --help for details)");
      err.println();
      for (Entry e : byName.values()) {
        err.printf("  %-10s %s%n", e.name(), e.summary());
      }
      return argv.length == 0 ? 2 : 0;
    }
    Entry entry = byName.get(argv[0]);
    if (entry == null) {
      String near = Args.nearest(argv[0], byName.keySet());
      err.println("sapling: unknown command '" + argv[0] + "'; known: " + String.join(", ", byName.keySet())
          + (near == null ? "" : "; did you mean " + near + "?"));
      return 2;
    }
    Command command = entry.command();
    List<String> rest = Arrays.asList(argv).subList(1, argv.length);
    Flags.Named declared = command.flags().resolve(entry.name(), rest);
    if (rest.contains("--help") || rest.contains("-h")) {
      err.println(declared.usage());
      return 0;
    }
    try {
      Args args = command.flags().parse(rest);
      int code = command.run(args, out, err);
      out.flush();
      return code;
    } catch (CliUsageException e) {
      err.println("sapling " + entry.name() + ": " + e.getMessage());
      err.println(declared.flags().synopsis(declared.name()) + "   (sapling " + declared.name()
          + " --help lists every flag)");
      return 2;
    } catch (SaplingException e) {
      err.println("sapling " + entry.name() + ": " + e.getMessage());
      if (Boolean.getBoolean("sapling.debug")) {
        e.printStackTrace(err);
      }
      return 1;
    } catch (Exception e) {
      err.println("sapling " + entry.name() + ": unexpected " + e.getClass().getName() + ": " + e.getMessage());
      err.println("(rerun with SAPLING_JAVA_OPTS=-Dsapling.debug=true for the stack trace)");
      if (Boolean.getBoolean("sapling.debug")) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }
}
