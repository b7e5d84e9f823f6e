package dev.sapling.cli;

import java.io.PrintStream;
import java.util.Set;

/**
 * One {@code ./sapling} subcommand. Its result goes to {@code out} and nothing else does; progress, logs and warnings
 * go to {@code err}. A failure is an exception (or a non-zero return), never a silent zero.
 *
 * <p>A command declares its flags once, in {@link #flags()}: {@link Main} parses the command line against them
 * (rejecting unknown flags, missing values, bad values, missing required flags and stray words with exit code 2,
 * before anything runs) and prints {@code --help} from them, and {@link #run} reads the values typed.
 *
 * <pre>{@code
 * final class HelloCommand implements Command {
 *   static final Flag<String> NAME = Flag.of("name", "WHO", Flag.Type.TEXT, "whom to greet").withDefault("world");
 *   static final Flags FLAGS = Flags.of(NAME).withNotes("Prints one greeting.");
 *   public String name() { return "hello"; }
 *   public String summary() { return "print a greeting"; }
 *   public Flags flags() { return FLAGS; }
 *   public int run(Args args, PrintStream out, PrintStream err) { out.println("hi " + args.get(NAME)); return 0; }
 * }
 * }</pre>
 */
public interface Command {
  /** The word after {@code ./sapling}. */
  String name();

  /** One line for {@code ./sapling --help}. */
  String summary();

  /** Everything this command accepts: flags, positional words, subcommands; declared once. */
  Flags flags();

  /** The switches of {@link #flags()}, for splitting words by hand ({@link Args#parse(java.util.List, Set)}). */
  default Set<String> switches() {
    return flags().switchNames();
  }

  /** Runs the command on arguments parsed against {@link #flags()}; returns the process exit code. */
  int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
