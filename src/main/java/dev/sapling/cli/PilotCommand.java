package dev.sapling.cli;

import ai.djl.Device;
import dev.sapling.model.loader.LoadOptions;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.pipeline.Experiment;
import dev.sapling.pipeline.Models;
import dev.sapling.pipeline.Run;
import dev.sapling.pipeline.Runs;
import dev.sapling.pipeline.Sapling;
import dev.sapling.pipeline.Seeds;
import dev.sapling.pipeline.bestofn.BestOfN;
import dev.sapling.pipeline.critique.Critics;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.gate.GateFailedException;
import dev.sapling.pipeline.gate.GateResult;
import dev.sapling.pipeline.instructions.SeedTasks;
import dev.sapling.pipeline.instructions.SelfInstruct;
import dev.sapling.pipeline.responses.Responses;
import dev.sapling.pipeline.run.RunSettings;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code ./sapling pilot}: the Stage-1 pipeline on the embedded default model and seed tasks unless others are given.
 * Progress goes to stderr; the QC table, the gate's verdict and the run folder to stdout. Rerunning the same command
 * reuses finished stages and resumes an interrupted one. Exit 0 when the gate passes the pairs dataset,
 * {@value #GATE_REFUSED} when every stage finished but the gate refused it (its failed checks are printed), 1 on an
 * error.
 *
 * <pre>{@code
 * ./sapling pilot --count 20 --out runs/pilot-20
 * }</pre>
 */
public final class PilotCommand extends Command {
  /** The exit code when every stage finished and the gate refused the dataset. */
  public static final int GATE_REFUSED = 3;
  static final Flag<Path> SEEDS = Flag.of("seeds", "FILE", Flag.Type.PATH,
      "seed tasks, Self-Instruct JSONL (default: the 175 embedded Self-Instruct tasks)");
  static final Flag<Integer> COUNT = Flag.of("count", "N", Flag.Type.INT.atLeast(1), "instructions to accept")
      .withDefault(20);
  static final Flag<Integer> K = Flag.of("k", "K", Flag.Type.INT.atLeast(1), "responses per instruction")
      .withDefault(4);
  static final Flag<Integer> BATCH_ROWS = Flag.of("batch-rows", "R", Flag.Type.INT.atLeast(1),
      "rows per generation batch (speed only, never part of a stage's signature)")
      .withDefault(RunSettings.DEFAULT_BATCH_ROWS);
  static final Flags FLAGS = Flags.of(SEEDS, COUNT, K, BATCH_ROWS)
      .with(ModelArgs.GROUP.defaulting(ModelArgs.MODEL, Models.DEFAULT),
          SamplingArgs.GROUP.only(SamplingArgs.SEED).defaulting(SamplingArgs.SEED, Experiment.DEFAULT_SEED),
          OutputArgs.GROUP.only(OutputArgs.OUT).defaulting(OutputArgs.OUT, Path.of("runs", "pilot")))
      .withNotes("--out is the run folder; every record's random stream derives from --seed. Rerunning reuses finished "
          + "stages, reruns changed ones and resumes an interrupted one. Exit 0 when the gate passes the pairs, "
          + GATE_REFUSED + " when every stage finished but the gate refused them (the failed checks are printed), 1 on "
          + "an error.");

  PilotCommand() {
    super(FLAGS);
  }

  /** Every flag of the command, read in one place. */
  private record Options(Path model, Path seeds, int count, int k, long seed, Path out, String device, int batchRows) {
    static Options parse(Args a) {
      return new Options(a.get(ModelArgs.MODEL), a.optional(SEEDS).orElse(null), a.get(COUNT), a.get(K),
          a.get(SamplingArgs.SEED), a.get(OutputArgs.OUT), a.get(ModelArgs.DEVICE), a.get(BATCH_ROWS));
    }
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) {
    Options o = Options.parse(args);
    Device device = ModelArgs.device(o.device());
    LoadOptions load = LoadOptions.defaults().withDevice(device); // the loader picks the ops (docs/gpu.md)
    SeedTasks seeds = o.seeds() == null ? Seeds.selfInstruct() : Seeds.jsonl(o.seeds());
    long start = System.nanoTime();
    try (LoadedModel model = Models.load(o.model(), load)) {
      err.println("pilot: model " + model.manifest().path() + " on " + model.device() + "; " + seeds.tasks().size()
          + " seed tasks from " + seeds.source() + "; writing " + o.out());
      Experiment experiment = Sapling.experiment(o.out().getFileName().toString())
          .dir(o.out())
          .model(model)
          .seeds(seeds)
          .seed(o.seed())
          .settings(RunSettings.defaults().withBatchRows(o.batchRows()).withDevice(o.device()))
          .progressTo(err)
          .generate(SelfInstruct.defaults().count(o.count()))
          .respond(Responses.sample(o.k()))
          .critique(Critics.logprob())
          .bestOfN(BestOfN.standard().hardNegatives())
          .gate(Gate.standard());
      Run run;
      GateResult refused = null;
      try {
        run = experiment.run();
      } catch (GateFailedException e) {
        run = Runs.open(o.out());
        refused = e.result();
      }
      out.println(run.qc().print(1000));
      for (String note : run.notes()) {
        out.println("note: " + note);
      }
      out.print("gate: " + (refused != null ? refused : Gate.standard().explain(run.datasetDir())).summary());
      out.println("artifacts: " + run.dir());
      err.printf("pilot: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
      if (refused != null) {
        err.println("pilot: every stage finished and its artifacts are kept, but the gate REFUSED the dataset "
            + refused.dataset() + ": " + String.join("; ", refused.failures().stream().map(c -> c.name() + " "
            + c.observed() + " (needs " + c.threshold() + ")").toList()) + ". A base model too small to follow "
            + "instructions gives such data; try a larger one (--model), or accept it knowingly with ./sapling gate "
            + run.datasetDir() + " --force REASON. Exit " + GATE_REFUSED + ".");
        return GATE_REFUSED;
      }
    }
    return 0;
  }
}
