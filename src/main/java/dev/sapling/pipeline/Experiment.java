package dev.sapling.pipeline;

import dev.sapling.SaplingException;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.pipeline.bestofn.BestOfN;
import dev.sapling.pipeline.bestofn.BestOfNConfig;
import dev.sapling.pipeline.bestofn.PairsStage;
import dev.sapling.pipeline.critique.Critics;
import dev.sapling.pipeline.critique.CritiqueConfig;
import dev.sapling.pipeline.critique.CritiqueStage;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.gate.GateResult;
import dev.sapling.pipeline.instructions.InstructionsConfig;
import dev.sapling.pipeline.instructions.InstructionsStage;
import dev.sapling.pipeline.instructions.SeedTasks;
import dev.sapling.pipeline.responses.ResponsesConfig;
import dev.sapling.pipeline.responses.ResponsesStage;
import dev.sapling.pipeline.run.RunSettings;
import dev.sapling.pipeline.run.Stage;
import dev.sapling.pipeline.run.StageRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Stage-1 experiment, described step by step and run into {@code runs/NAME/}: instructions from seed tasks,
 * {@code k} responses each, critique, best-of-N pairs, the gate. Immutable: every method returns a new experiment.
 * Every default comes from the literature and is written into each stage's manifest.
 *
 * <pre>{@code
 * Run run = Sapling.experiment("pilot-100")
 *     .model(Models.load("models/stories260K"))
 *     .seeds(Seeds.selfInstruct())
 *     .generate(SelfInstruct.fewShot(8).count(100))
 *     .respond(Responses.sample(4).temperature(0.7).topP(0.9))
 *     .critique(Critics.logprob())
 *     .bestOfN(BestOfN.minGap(0.1).hardNegatives())
 *     .gate(Gate.standard())
 *     .run();
 * run.qc();
 * }</pre>
 */
public final class Experiment {
  /** The run seed when none is given. */
  public static final long DEFAULT_SEED = 1234;

  private String name;
  private Path dir;
  private LoadedModel model;
  private SeedTasks seeds;
  private InstructionsConfig instructions = InstructionsConfig.builder().build();
  private ResponsesConfig responses = ResponsesConfig.builder().build();
  private CritiqueConfig critique = Critics.logprob().build();
  private BestOfNConfig bestOfN = BestOfN.standard().build();
  private long seed = DEFAULT_SEED;
  private RunSettings settings = RunSettings.defaults();
  private PrintStream err = System.err;
  private Gate gate;

  Experiment(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new SaplingException("experiment name '" + name + "': use letters, digits, '.', '_' and '-' (it names "
          + "the folder runs/NAME)");
    }
    this.name = name;
  }

  private Experiment(Experiment o) {
    name = o.name;
    dir = o.dir;
    model = o.model;
    seeds = o.seeds;
    instructions = o.instructions;
    responses = o.responses;
    critique = o.critique;
    bestOfN = o.bestOfN;
    seed = o.seed;
    settings = o.settings;
    err = o.err;
    gate = o.gate;
  }

  private Experiment with(Consumer<Experiment> change) {
    Experiment e = new Experiment(this);
    change.accept(e);
    return e;
  }

  /** The model every stage samples from and scores with; its loader manifest is recorded. */
  public Experiment model(LoadedModel m) {
    return with(e -> e.model = m);
  }

  /** The seed tasks (default: the embedded Self-Instruct tasks). */
  public Experiment seeds(SeedTasks s) {
    return with(e -> e.seeds = s);
  }

  /** Instruction generation. */
  public Experiment generate(InstructionsConfig c) {
    return with(e -> e.instructions = c);
  }

  public Experiment generate(InstructionsConfig.Builder c) {
    return generate(c.build());
  }

  /** Response sampling. */
  public Experiment respond(ResponsesConfig c) {
    return with(e -> e.responses = c);
  }

  public Experiment respond(ResponsesConfig.Builder c) {
    return respond(c.build());
  }

  /** How every response is scored (default {@link Critics#logprob()}). */
  public Experiment critique(CritiqueConfig c) {
    return with(e -> e.critique = c);
  }

  public Experiment critique(CritiqueConfig.Builder c) {
    return critique(c.build());
  }

  /** How preference pairs are made from the scores (default {@link BestOfN#standard()}). */
  public Experiment bestOfN(BestOfNConfig c) {
    return with(e -> e.bestOfN = c);
  }

  public Experiment bestOfN(BestOfNConfig.Builder c) {
    return bestOfN(c.build());
  }

  /**
   * The gate the finished dataset must pass; {@link #run()} then throws {@link
   * dev.sapling.pipeline.gate.GateFailedException} listing every failed check unless it passes or is forced.
   */
  public Experiment gate(Gate g) {
    return with(e -> e.gate = g);
  }

  /** The run seed: every record's random stream derives from it (default {@value #DEFAULT_SEED}). */
  public Experiment seed(long s) {
    return with(e -> e.seed = s);
  }

  /** Where the run goes (default {@code runs/NAME}). */
  public Experiment dir(Path d) {
    return with(e -> e.dir = d);
  }

  /** How it executes (batch size, device label): never part of a stage's signature. */
  public Experiment settings(RunSettings s) {
    return with(e -> e.settings = s);
  }

  /** Where progress and notes go (default stderr). */
  public Experiment progressTo(PrintStream stream) {
    return with(e -> e.err = stream);
  }

  /** The run folder this experiment writes. */
  public Path runDir() {
    return dir != null ? dir : Path.of("runs", name);
  }

  /** The stages in order, as configured. */
  public List<Stage> stages() {
    List<Stage> stages = new ArrayList<>();
    stages.add(new InstructionsStage(instructions, seeds != null ? seeds : SeedTasks.selfInstruct()));
    stages.add(new ResponsesStage(responses));
    stages.add(new CritiqueStage(critique));
    stages.add(new PairsStage(bestOfN));
    return stages;
  }

  /**
   * Runs every stage: unchanged finished stages are reused, changed ones rerun with everything after them, an
   * interrupted one resumes after its last committed record.
   */
  public Run run() {
    if (model == null) {
      throw new SaplingException("experiment '" + name + "' has no model; add .model(Models.load(\"models/"
          + "stories260K\"))");
    }
    StageRunner runner = new StageRunner(runDir(), model, seed, settings, err);
    for (Stage stage : stages()) {
      runner.run(stage);
    }
    Run run = new Run(runDir());
    if (gate != null) {
      GateResult result = run.gate(gate);
      err.println("gate: " + result.summary().lines().findFirst().orElse(""));
    }
    return run;
  }

  @Override
  public String toString() {
    return "experiment " + name + " → " + runDir() + " (seed " + seed + ")";
  }
}
