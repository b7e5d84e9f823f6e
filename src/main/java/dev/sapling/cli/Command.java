package dev.sapling.cli;

import java.io.PrintStream;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code ./sapling} subcommand. Its result goes to {@code out} and nothing else does; progress, logs and warnings
 * go to {@code err}. A failure is an exception (or a non-zero return), never a silent zero.
 *
 * <p>A command declares its flags once, in {@link #flags()}: {@link Main} parses the command line against them
 * (rejecting unknown flags, bad values and missing required flags with exit code 2) and prints {@code --help} from
 * them, and {@link #run} reads the values typed.
 *
 * <pre>{@code
 * final class HelloCommand implements Command {
 *   static final Flag<String> NAME = Flag.of("name", "WHO", Flag.Type.TEXT, "whom to greet").withDefault("world");
 *   static final Flags FLAGS = Flags.of(NAME).withNotes("Prints one greeting.");
 *   public String name() { return "hello"; }
 *   public String summary() { return "print a greeting"; }
 *   public Optional<Flags> flags() { return Optional.of(FLAGS); }
 *   public int run(Args args, PrintStream out, PrintStream err) { out.println("hi " + args.get(NAME)); return 0; }
 * }
 * }</pre>
 *
 * <p>A command without a declaration (flags empty) writes {@link #usage()} by hand, lists its {@link #switches()},
 * reads flags by name and calls {@link Args#requireAllKnown()}; converting it means declaring each flag it reads
 * as a {@link Flag}, returning them from {@code flags()}, and deleting {@code usage()} and {@code switches()}.
 */
public interface Command {
  /** The word after {@code ./sapling}. */
  String name();

  /** One line for {@code ./sapling --help}. */
  String summary();

  /** This command's flags, declared once; empty for a command that still reads its flags by name. */
  default Optional<Flags> flags() {
    return Optional.empty();
  }

  /** Full usage text for {@code ./sapling NAME --help}: rendered from {@link #flags()} when declared. */
  default String usage() {
    return flags().map(f -> f.usage(name())).orElse("usage: sapling " + name());
  }

  /** Flags of this command that take no value (e.g. {@code greedy} for {@code --greedy}). */
  default Set<String> switches() {
    return flags().map(Flags::switchNames).orElse(Set.of());
  }

  /** Runs the command; returns the process exit code. */
  int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
