package dev.sapling.cli;

import java.io.PrintStream;

/**
 * One {@code ./sapling} subcommand. Its result goes to {@code out} and nothing else does; progress, logs and warnings
 * go to {@code err}. A failure is an exception (or a non-zero return), never a silent zero.
 *
 * <pre>{@code
 * final class HelloCommand implements Command {
 *   public String name() { return "hello"; }
 *   public String summary() { return "print a greeting"; }
 *   public int run(Args args, PrintStream out, PrintStream err) { out.println("hi"); return 0; }
 * }
 * }</pre>
 */
public interface Command {
  /** The word after {@code ./sapling}. */
  String name();

  /** One line for {@code ./sapling --help}. */
  String summary();

  /** Full usage text for {@code ./sapling NAME --help}. */
  default String usage() {
    return "usage: sapling " + name();
  }

  /** Flags of this command that take no value (e.g. {@code greedy} for {@code --greedy}). */
  default java.util.Set<String> switches() {
    return java.util.Set.of();
  }

  /** Runs the command; returns the process exit code. */
  int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
