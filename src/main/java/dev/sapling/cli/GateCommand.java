package dev.sapling.cli;

import dev.sapling.pipeline.Run;
import dev.sapling.pipeline.Runs;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.gate.GateFailedException;
import dev.sapling.pipeline.gate.GateResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./sapling gate DIR}: checks a dataset's provenance and QC thresholds ({@link Gate#standard()}). DIR is a stage
 * folder (with manifest.json) or a run folder (its last stage is checked). Exit 0 with the summary when it passes;
 * exit 1 with every failed check when not; {@code --force REASON} accepts a failing dataset and records the reason in
 * its manifest.
 *
 * <pre>{@code
 * ./sapling gate runs/pilot
 * }</pre>
 */
public final class GateCommand extends Command {
  static final Flag<String> FORCE = Flag.of("force", "REASON",
      Flag.Type.TEXT.notBlank(),
      "accept a failing dataset; the reason is recorded in its manifest");
  static final Flags FLAGS = Flags.of(FORCE)
      .withPositionals(new Flags.Positional("DIR",
          "a run folder (its last stage is checked) or a stage folder holding manifest.json"))
      .withNotes("Thresholds: Gate.standard() (max runaway rate, min median margin, max contamination, min pair "
          + "count).");

  GateCommand() {
    super(FLAGS);
  }

  /** Every flag and word of the command, read in one place. */
  private record Options(Path dir, String force) {
    static Options parse(Args a) {
      return new Options(Path.of(a.positional().get(0)), a.optional(FORCE).orElse(null));
    }
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) {
    Options o = Options.parse(args);
    Gate gate = o.force() == null ? Gate.standard() : Gate.standard().force(o.force());
    GateResult result;
    try {
      result = Files.isRegularFile(o.dir().resolve("manifest.json")) ? Run.gate(gate, o.dir())
          : Runs.open(o.dir()).gate(gate);
    } catch (GateFailedException e) {
      out.print(e.result().summary());
      err.println("sapling gate: " + e.getMessage());
      return 1;
    }
    out.print(result.summary());
    return 0;
  }
}
