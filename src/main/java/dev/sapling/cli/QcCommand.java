package dev.sapling.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.data.Json;
import dev.sapling.pipeline.Run;
import dev.sapling.pipeline.Runs;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code ./sapling qc runs/NAME [--json]}: the QC metrics of every finished stage of a run, as a table or, with
 * {@code --json}, as one JSON object mapping each stage to its QC report.
 *
 * <pre>{@code
 * ./sapling qc runs/pilot --json | jq '.responses.metrics.runaway_rate'
 * }</pre>
 */
public final class QcCommand extends Command {
  static final Flags FLAGS = Flags.of().with(OutputArgs.GROUP.only(OutputArgs.JSON))
      .withPositionals(new Flags.Positional("RUN_DIR", "a run folder written by ./sapling pilot (e.g. runs/pilot)"))
      .withNotes("With --json: one JSON object, stage -> its QC report (metrics, filters, distributions, counts).");

  QcCommand() {
    super(FLAGS);
  }

  /** Every flag and word of the command, read in one place. */
  private record Options(Path dir, boolean json) {
    static Options parse(Args a) {
      return new Options(Path.of(a.positional().get(0)), a.get(OutputArgs.JSON));
    }
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) {
    Options o = Options.parse(args);
    Run run = Runs.open(o.dir());
    if (o.json()) {
      ObjectNode all = Json.mapper().createObjectNode();
      for (String stage : run.stages()) {
        all.set(stage, run.stage(stage).manifest().qcMetrics());
      }
      out.println(Json.line(all));
    } else {
      out.println(run.qc().print(1000));
      run.notes().forEach(n -> out.println("note: " + n));
    }
    return 0;
  }
}
