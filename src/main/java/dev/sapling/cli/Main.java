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

  /** Every subcommand, in the order {@code --help} lists them. Add a new command here. */
  static List<Command> commands() {
    return List.of(
        new PilotCommand(),
        new QcCommand(),
        new GateCommand(),
        new GenerateCommand(),
        new ScoreCommand(),
        new LogitsCommand(),
        new ConvertCommand(),
        new BenchCommand(),
        new CheckCommand(),
        new IfevalCommand(),
        new KernelCommand(),
        new ScriptCommand());
  }

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs one command line; returns its exit code. Never throws. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    Map<String, Command> byName = new LinkedHashMap<>();
    for (Command c : commands()) {
      byName.put(c.name(), c);
    }
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
      err.println("usage: sapling COMMAND [options]   (sapling COMMAND --help for details)");
      err.println();
      for (Command c : byName.values()) {
        err.printf("  %-10s %s%n", c.name(), c.summary());
      }
      return argv.length == 0 ? 2 : 0;
    }
    Command command = byName.get(argv[0]);
    if (command == null) {
      String near = Args.nearest(argv[0], byName.keySet());
      err.println("sapling: unknown command '" + argv[0] + "'; known: " + String.join(", ", byName.keySet())
          + (near == null ? "" : "; did you mean " + near + "?"));
      return 2;
    }
    List<String> rest = Arrays.asList(argv).subList(1, argv.length);
    Flags.Named declared = command.flags().resolve(command.name(), rest);
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
      err.println("sapling " + command.name() + ": " + e.getMessage());
      err.println(declared.flags().synopsis(declared.name()) + "   (sapling " + declared.name()
          + " --help lists every flag)");
      return 2;
    } catch (SaplingException e) {
      err.println("sapling " + command.name() + ": " + e.getMessage());
      if (Boolean.getBoolean("sapling.debug")) {
        e.printStackTrace(err);
      }
      return 1;
    } catch (Exception e) {
      err.println("sapling " + command.name() + ": unexpected " + e.getClass().getName() + ": " + e.getMessage());
      err.println("(rerun with SAPLING_JAVA_OPTS=-Dsapling.debug=true for the stack trace)");
      if (Boolean.getBoolean("sapling.debug")) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }
}
