package dev.sapling.pipeline.instructions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.data.RecordLog;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.qc.Distribution;
import dev.sapling.pipeline.qc.QcMetrics;
import dev.sapling.pipeline.qc.QcReport;
import dev.sapling.pipeline.run.PlannedBatches;
import dev.sapling.pipeline.run.RecordSeeds;
import dev.sapling.pipeline.run.Stage;
import dev.sapling.pipeline.run.StageContext;
import dev.sapling.pipeline.run.StageReport;
import dev.sapling.pipeline.text.RougeTokens;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Self-Instruct's instruction generation. Each round builds {@code promptsPerRound} prompts, each a numbered list of
 * seed tasks and (once there are some) accepted machine instructions, shuffled, ending with the next number; each
 * prompt is sampled {@code samplesPerPrompt} times, every sample stopping at the end of its line (where the next
 * number or a blank line starts);
 * every candidate is screened in planned order against the pool and recorded. Rounds stop when {@code count} are
 * accepted or at {@code maxRounds}; a shortfall is recorded in QC and the pipeline goes on with what it has.
 *
 * <p>Resume: a round's prompts depend only on the run seed, the round number and the pool after the earlier rounds,
 * which the committed records rebuild; a round cut short is sampled again and only its missing records are written.
 *
 * <pre>{@code
 * new StageRunner(runDir, model, 1234, RunSettings.defaults(), System.err)
 *     .run(new InstructionsStage(SelfInstruct.fewShot(8).count(20).build(), SeedTasks.selfInstruct()));
 * }</pre>
 */
public final class InstructionsStage extends Stage {
  public static final String NAME = "instructions";

  private final InstructionsConfig config;
  private final SeedTasks seeds;

  public InstructionsStage(InstructionsConfig config, SeedTasks seeds) {
    super(NAME, new Recorded(config, seeds.source(), seeds.sha256(), seeds.tasks().size(), seeds.problems().size()),
        List.of());
    this.config = config;
    this.seeds = seeds;
  }

  /**
   * What the manifest records as this stage's config: the settings plus the seed file's identity.
   *
   * @param seedsSha256 SHA-256 of the seed file's bytes
   * @param seedsMalformed malformed seed lines that were skipped
   */
  public record Recorded(InstructionsConfig instructions, String seedsSource, String seedsSha256, int seedTasks,
      int seedsMalformed) {}

  /** Self-Instruct's filters with the config's thresholds, over the seed instructions (the one place they are wired). */
  static InstructionFilters filtersFor(InstructionsConfig config, List<String> seedInstructions) {
    return new InstructionFilters(seedInstructions, config.minWords(), config.maxWords(), config.maxRougeL(),
        config.blacklist());
  }

  /** One accepted or seed task as a prompt line shows it. */
  private record Task(String id, String text) {}

  @Override
  public StageReport run(StageContext ctx) {
    for (String problem : seeds.problems()) {
      ctx.note("seed file: " + problem);
    }
    List<Task> seedTasks = seeds.tasks().stream().map(t -> new Task(t.id(), t.instruction())).toList();
    InstructionFilters screen = filtersFor(config, seedTasks.stream().map(Task::text).toList());
    List<Task> machine = new ArrayList<>();
    List<InstructionRecord> committed = readCommitted(ctx);
    Generator generator = Generator.of(ctx.model());
    SamplingParams params = SamplingParams.defaults().withTemperature(config.temperature()).withTopP(config.topP())
        .withMaxNewTokens(config.maxNewTokens()).withN(config.samplesPerPrompt())
        .withStop(config.stop());
    Stats stats = new Stats();
    int perRound = config.promptsPerRound() * config.samplesPerPrompt();
    int written = 0; // records of earlier rounds, committed or written now
    int round = 0;
    while (machine.size() < config.count() && round < config.maxRounds()) {
      round++;
      List<List<Task>> shown = planRound(ctx.seed(), round, seedTasks, machine);
      int already = Math.max(0, Math.min(perRound, committed.size() - written));
      List<InstructionRecord> records;
      if (already == perRound) {
        records = committed.subList(written, written + perRound);
        for (InstructionRecord r : records) {
          if (r.kept()) {
            screen.offer(new InstructionCandidate(r.instruction(), r.finishReason(), List.of())); // rejoins the pool
            machine.add(new Task(r.id(), r.instruction()));
          }
        }
      } else {
        records = sampleRound(ctx, generator, params, round, shown, screen, machine);
        for (int i = 0; i < records.size(); i++) {
          if (i >= already) {
            ctx.log().append(Json.line(records.get(i)));
          } else if (!Json.line(records.get(i)).equals(Json.line(committed.get(written + i)))) {
            ctx.note("warning: candidate " + records.get(i).candidateId() + " sampled again differs from the "
                + "committed one; kept the committed record (is the device or thread count different from the "
                + "first run?)");
          }
        }
      }
      records.forEach(stats::add);
      written += perRound;
      ctx.progress(Math.min(machine.size(), config.count()), config.count(), "instructions accepted (round "
          + round + ")");
    }
    return report(round, machine.size(), stats);
  }

  /** The tasks each prompt of round {@code round} shows: a function of the seed, the round and the pool only. */
  private List<List<Task>> planRound(long seed, int round, List<Task> seedTasks, List<Task> machine) {
    SplittableRandom rng = new SplittableRandom(RecordSeeds.of(seed, NAME, String.format(Locale.ROOT, "round-%03d",
        round)));
    List<List<Task>> prompts = new ArrayList<>();
    for (int p = 0; p < config.promptsPerRound(); p++) {
      int fromMachine = Math.min(config.machineTasks(), machine.size());
      List<Task> tasks = new ArrayList<>(sample(rng, machine, fromMachine));
      tasks.addAll(sample(rng, seedTasks, Math.min(seedTasks.size(), config.promptTasks() - fromMachine)));
      shuffle(rng, tasks);
      prompts.add(tasks);
    }
    return prompts;
  }

  private static <T> List<T> sample(SplittableRandom rng, List<T> from, int k) {
    List<T> copy = new ArrayList<>(from);
    for (int i = 0; i < k; i++) {
      Collections.swap(copy, i, i + rng.nextInt(copy.size() - i));
    }
    return copy.subList(0, k);
  }

  private static <T> void shuffle(SplittableRandom rng, List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      Collections.swap(list, i, rng.nextInt(i + 1));
    }
  }

  /** Self-Instruct's prompt: the header, the numbered tasks (whitespace collapsed, trailing colon dropped), the next number. */
  String prompt(List<Task> tasks) {
    StringBuilder sb = new StringBuilder(config.header()).append('\n');
    for (int i = 0; i < tasks.size(); i++) {
      String t = tasks.get(i).text().replaceAll("\\s+", " ").strip();
      while (t.endsWith(":")) {
        t = t.substring(0, t.length() - 1);
      }
      sb.append(i + 1).append(". ").append(t).append('\n');
    }
    return sb.append(tasks.size() + 1).append('.').toString();
  }

  private List<InstructionRecord> sampleRound(StageContext ctx, Generator generator, SamplingParams params, int round,
      List<List<Task>> shown, InstructionFilters screen, List<Task> machine) {
    List<String> prompts = shown.stream().map(this::prompt).toList();
    List<int[]> ids = prompts.stream().map(generator::encodePrompt).toList();
    long[] seedsPerPrompt = new long[prompts.size()];
    for (int p = 0; p < prompts.size(); p++) {
      seedsPerPrompt[p] = ctx.recordSeed(promptId(round, p));
    }
    List<Completion> completions = new ArrayList<>();
    for (PlannedBatches.Batch b : PlannedBatches.plan(prompts.size(), params.n(), ctx.settings().batchRows())) {
      completions.addAll(PlannedBatches.generate(generator, b, ids, seedsPerPrompt, params));
    }
    List<InstructionRecord> out = new ArrayList<>();
    for (Completion c : completions) {
      int p = c.promptIndex();
      String text = c.text().replaceAll("\\s+", " ").strip();
      List<String> shownTexts = shown.get(p).stream().map(Task::text).toList();
      String finish = c.finishReason().jsonName();
      String droppedBy = null;
      List<SimilarInstruction> similar = List.of();
      double avgSimilarity = 0;
      if (machine.size() >= config.count()) {
        droppedBy = "count_reached";
      } else {
        FilterVerdict v = screen.offer(new InstructionCandidate(text, finish, shownTexts));
        droppedBy = v.droppedBy().orElse(null);
        similar = v.mostSimilar();
        avgSimilarity = v.avgSimilarityScore();
      }
      String id = null;
      if (droppedBy == null) {
        id = String.format(Locale.ROOT, "i-%06d", machine.size() + 1);
        machine.add(new Task(id, text));
      }
      out.add(new InstructionRecord(id, promptId(round, p) + "-s" + c.sampleIndex(), droppedBy == null, text,
          droppedBy, similar, avgSimilarity, round, promptId(round, p), c.sampleIndex(),
          shown.get(p).stream().map(Task::id).toList(), prompts.get(p), c.text(), finish,
          c.promptTokenIds().length, c.tokenIds().length, seedsPerPrompt[p]));
    }
    return out;
  }

  private static String promptId(int round, int prompt) {
    return String.format(Locale.ROOT, "r%03d-p%02d", round, prompt);
  }

  private static List<InstructionRecord> readCommitted(StageContext ctx) {
    List<InstructionRecord> out = new ArrayList<>();
    int line = 0;
    for (String s : RecordLog.lines(ctx.log().file())) {
      line++;
      try {
        out.add(Json.mapper().readValue(s, InstructionRecord.class));
      } catch (IOException e) {
        throw new UncheckedIOException(ctx.log().file() + ":" + line + ": not an instruction record", e);
      }
    }
    return out;
  }

  /** Counts for QC, over every candidate. */
  private static final class Stats {
    final List<InstructionRecord> all = new ArrayList<>();
    final Map<String, Long> dropped = new TreeMap<>();

    void add(InstructionRecord r) {
      all.add(r);
      if (r.droppedBy() != null) {
        dropped.merge(r.droppedBy(), 1L, Long::sum);
      }
    }
  }

  private StageReport report(int rounds, int accepted, Stats s) {
    int n = s.all.size();
    List<InstructionRecord> kept = s.all.stream().filter(InstructionRecord::kept).toList();
    List<String> keptTexts = kept.stream().map(InstructionRecord::instruction).toList();
    QcReport qc = QcReport.of(NAME)
        .withMetric("requested", config.count())
        .withMetric("accepted", accepted)
        .withMetric("shortfall", Math.max(0, config.count() - accepted))
        .withMetric("rounds", rounds)
        .withMetric("candidates", n)
        .withMetric("kept_rate", n == 0 ? 0 : (double) kept.size() / n)
        .withMetric(Gate.RUNAWAY_RATE, QcMetrics.runawayRate(s.all.stream().map(InstructionRecord::finishReason)
            .toList()))
        .withMetric("duplicate_rate", QcMetrics.duplicateRate(keptTexts, t -> t.strip().toLowerCase(Locale.ROOT)))
        .withMetric(Gate.CONTAMINATION_RATE, QcMetrics.contaminationRate(keptTexts, QcMetrics.evaluationPrompts()))
        .withMetric("seeds_malformed", seeds.problems().size())
        .withDistribution("instruction_words", Distribution.of(kept.stream()
            .map(r -> (double) RougeTokens.count(r.instruction())).toList()))
        .withDistribution("avg_similarity_score", Distribution.of(s.all.stream()
            .filter(r -> !"count_reached".equals(r.droppedBy())).map(InstructionRecord::avgSimilarityScore).toList()));
    long screened = n - s.dropped.getOrDefault("count_reached", 0L);
    long remaining = screened;
    for (String f : InstructionFilters.NAMES) { // filters run in order: each sees what the earlier ones kept
      long d = s.dropped.getOrDefault(f, 0L);
      qc = qc.withFilter(f, remaining - d, d);
      remaining -= d;
    }
    for (Map.Entry<String, Long> e : QcMetrics.countBy(s.all.stream().map(InstructionRecord::finishReason).toList())
        .entrySet()) {
      qc = qc.withCount("finish_" + e.getKey(), e.getValue());
    }
    List<String> notes = new ArrayList<>();
    if (accepted < config.count()) {
      notes.add("shortfall: accepted " + accepted + " of " + config.count() + " instructions after " + rounds
          + " rounds (max_rounds " + config.maxRounds() + "); later stages go on with the " + accepted);
    }
    if (!seeds.problems().isEmpty()) {
      notes.add(seeds.problems().size() + " malformed seed lines skipped in " + seeds.source());
    }
    return new StageReport(Json.mapper().valueToTree(qc), notes);
  }

  /** The kept instructions of a finished stage's records (id, text), in id order. */
  public static List<JsonNode> kept(List<JsonNode> records) {
    return records.stream().filter(r -> r.path("kept").asBoolean()).toList();
  }
}
