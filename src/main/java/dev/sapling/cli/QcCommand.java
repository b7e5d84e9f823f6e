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
public final class QcCommand implements Command {
  @Override
  public String name() {
    return "qc";
  }

  @Override
  public String summary() {
    return "print a run's QC metrics (a table, or --json)";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: sapling qc RUN_DIR [--json]",
        "  RUN_DIR  a run folder written by ./sapling pilot (e.g. runs/pilot)",
        "  --json   one JSON object: stage -> its QC report (metrics, filters, distributions, counts)");
  }

  @Override
  public java.util.Set<String> switches() {
    return java.util.Set.of("json");
  }

  /** Every flag and word of the command, read in one place. */
  private record Options(Path dir, boolean json) {
    static Options parse(Args a) {
      boolean json = a.flag("json");
      a.requireAllKnown();
      if (a.positional().size() != 1) {
        throw new CliUsageException("expected one run folder, got " + a.positional().size() + " words");
      }
      return new Options(Path.of(a.positional().get(0)), json);
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
