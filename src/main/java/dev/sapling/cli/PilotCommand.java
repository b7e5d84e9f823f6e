package dev.sapling.cli;

import ai.djl.Device;
import dev.sapling.model.TensorOps;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.pipeline.Experiment;
import dev.sapling.pipeline.Models;
import dev.sapling.pipeline.Run;
import dev.sapling.pipeline.Sapling;
import dev.sapling.pipeline.Seeds;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.instructions.SeedTasks;
import dev.sapling.pipeline.instructions.SelfInstruct;
import dev.sapling.pipeline.responses.Responses;
import dev.sapling.pipeline.run.RunSettings;
import dev.sapling.runtime.device.FusedOps;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code ./sapling pilot}: the Stage-1 pipeline on the embedded default model and seed tasks unless others are given.
 * Progress goes to stderr; the QC table and the run folder to stdout. Rerunning the same command reuses finished
 * stages and resumes an interrupted one.
 *
 * <pre>{@code
 * ./sapling pilot --count 20 --out runs/pilot-20
 * }</pre>
 */
public final class PilotCommand implements Command {
  @Override
  public String name() {
    return "pilot";
  }

  @Override
  public String summary() {
    return "run the pipeline (instructions → responses → ...) into runs/NAME, with QC";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: sapling pilot [--model PATH] [--seeds FILE] [--count N] [--k K] [--seed S] [--out runs/NAME] "
            + "[--device cpu|gpu] [--batch-rows R]",
        "  --model PATH    a .gguf file or model folder (default " + Models.DEFAULT + ")",
        "  --seeds FILE    seed tasks, Self-Instruct JSONL (default: the 175 embedded Self-Instruct tasks)",
        "  --count N       instructions to accept (default 20)",
        "  --k K           responses per instruction (default 4)",
        "  --seed S        run seed (default " + Experiment.DEFAULT_SEED + ")",
        "  --out DIR       run folder (default runs/pilot)",
        "  --device D      cpu or gpu (default cpu); gpu never falls back to cpu",
        "  --batch-rows R  rows per generation batch (default " + RunSettings.DEFAULT_BATCH_ROWS
            + "; speed only, never part of a stage's signature)",
        "Rerunning reuses finished stages, reruns changed ones and resumes an interrupted one.");
  }

  /** Every flag of the command, read in one place. */
  private record Options(Path model, Path seeds, int count, int k, long seed, Path out, String device, int batchRows) {
    static Options parse(Args a) {
      Options o = new Options(a.path("model").orElse(Models.DEFAULT), a.path("seeds").orElse(null),
          a.intValue("count", 20), a.intValue("k", 4), a.longValue("seed", Experiment.DEFAULT_SEED),
          a.path("out").orElse(Path.of("runs", "pilot")), a.string("device").orElse("cpu"),
          a.intValue("batch-rows", RunSettings.DEFAULT_BATCH_ROWS));
      a.requireAllKnown();
      if (o.count < 1 || o.k < 1 || o.batchRows < 1) {
        throw new CliUsageException("--count, --k and --batch-rows must be integers >= 1");
      }
      return o;
    }
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) {
    Options o = Options.parse(args);
    Device device = ModelArgs.device(o.device());
    LoadOptions load = LoadOptions.defaults().withDevice(device);
    if (device.isGpu()) {
      load = load.withOps(FusedOps.load().orElse(TensorOps.composed()));
    }
    SeedTasks seeds = o.seeds() == null ? Seeds.selfInstruct() : Seeds.jsonl(o.seeds());
    long start = System.nanoTime();
    try (LoadedModel model = Models.load(o.model(), load)) {
      err.println("pilot: model " + model.manifest().path() + " on " + model.device() + "; " + seeds.tasks().size()
          + " seed tasks from " + seeds.source() + "; writing " + o.out());
      Run run = Sapling.experiment(o.out().getFileName().toString())
          .dir(o.out())
          .model(model)
          .seeds(seeds)
          .seed(o.seed())
          .settings(RunSettings.defaults().withBatchRows(o.batchRows()).withDevice(o.device()))
          .progressTo(err)
          .generate(SelfInstruct.defaults().count(o.count()))
          .respond(Responses.sample(o.k()))
          .run();
      out.println(run.qc().print(1000));
      for (String note : run.notes()) {
        out.println("note: " + note);
      }
      out.print("gate (./sapling gate " + o.out() + " enforces it): "
          + Gate.standard().explain(run.datasetDir()).summary());
      out.println("artifacts: " + run.dir());
      err.printf("pilot: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
    return 0;
  }
}
