package dev.sapling.cli;

import java.io.PrintStream;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code ./sapling} subcommand; its word and its {@code --help} line are listed in {@link Main#commands()}. Its
 * result goes to {@code out} and nothing else does; progress, logs and warnings go to {@code err}. A failure is an
 * exception (or a non-zero return), never a silent zero.
 *
 * <p>A command declares its flags once, passing them to its constructor: {@link Main} parses the command line against
 * them (rejecting unknown flags, missing values, bad values, missing required flags and stray words with exit code 2,
 * before anything runs) and prints {@code --help} from them, and {@link #run} reads the values typed.
 *
 * <pre>{@code
 * final class HelloCommand extends Command {
 *   static final Flag<String> NAME = Flag.of("name", "WHO", Flag.Type.TEXT, "whom to greet").withDefault("world");
 *   static final Flags FLAGS = Flags.of(NAME).withNotes("Prints one greeting.");
 *   HelloCommand() { super(FLAGS); }
 *   public int run(Args args, PrintStream out, PrintStream err) { out.println("hi " + args.get(NAME)); return 0; }
 * }
 * // listed in Main.commands() as: new Entry("hello", "print a greeting", new HelloCommand())
 * }</pre>
 */
public abstract class Command {
  private final Flags flags;

  /** A command that accepts {@code flags}. */
  protected Command(Flags flags) {
    this.flags = Objects.requireNonNull(flags, "flags");
  }

  /**
   * A command whose declaration is costly to build (it loads the classes it names) and is built when first asked
   * for, so that {@code ./sapling --help} does not pay for it: such a command overrides {@link #flags()}.
   */
  protected Command() {
    this.flags = null;
  }

  /** Everything this command accepts: flags, positional words, subcommands; declared once. */
  public Flags flags() {
    if (flags == null) {
      throw new IllegalStateException(getClass().getName() + " declares its flags lazily and must override flags()");
    }
    return flags;
  }

  /** The switches of {@link #flags()}, for splitting words by hand ({@link Args#parse(java.util.List, Set)}). */
  public Set<String> switches() {
    return flags().switchNames();
  }

  /** Runs the command on arguments parsed against {@link #flags()}; returns the process exit code. */
  public abstract int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
