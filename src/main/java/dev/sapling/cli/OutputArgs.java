package dev.sapling.cli;

import java.nio.file.Path;

/**
 * The shared flag group of output: {@code --out DIR} where a command writes files, {@code --json} where it can print
 * JSON instead of text. A command takes the ones it has ({@code GROUP.only(JSON)}) and says in its notes what goes
 * where.
 *
 * <pre>{@code
 * static final Flags FLAGS = Flags.of().with(OutputArgs.GROUP.only(OutputArgs.JSON))
 *     .withNotes("With --json: one JSON object per line: ...");
 * }</pre>
 */
final class OutputArgs {
  static final Flag<Path> OUT = Flag.of("out", "DIR", Flag.Type.PATH, "the folder the results are written to");
  static final Flag<Boolean> JSON = Flag.toggle("json", "print JSON instead of text (its fields are listed below)");
  static final Flags.Group GROUP = Flags.Group.of("output", OUT, JSON);

  private OutputArgs() {}
}
