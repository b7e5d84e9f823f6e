package dev.sapling.pipeline.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.data.RecordLog;
import dev.sapling.pipeline.instructions.InstructionsStage;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.qc.Distribution;
import dev.sapling.pipeline.qc.QcMetrics;
import dev.sapling.pipeline.qc.QcReport;
import dev.sapling.pipeline.run.PlannedBatches;
import dev.sapling.pipeline.run.Stage;
import dev.sapling.pipeline.run.StageContext;
import dev.sapling.pipeline.run.StageReport;
import dev.sapling.pipeline.text.Repetition;
import dev.sapling.pipeline.text.RoleMarkers;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Samples {@code k} responses to every kept instruction with a plain prompt (the instruction and a newline, no chat
 * template), keeping each sample's finish_reason, token ids and token log-probs, and cutting (and recording why) at a
 * fabricated next turn or a repetition run. Batches are planned over the instructions in id order; each
 * instruction's samples draw from its own record seed.
 *
 * <pre>{@code
 * runner.run(new ResponsesStage(Responses.sample(4).build()));
 * }</pre>
 */
public final class ResponsesStage extends Stage {
  public static final String NAME = "responses";

  private final ResponsesConfig config;
  private final TurnCut cut;

  public ResponsesStage(ResponsesConfig config) {
    this(config, cutFor(config));
  }

  /** A stage with its own cut rule (tests). */
  public ResponsesStage(ResponsesConfig config, TurnCut cut) {
    super(NAME, config, List.of(InstructionsStage.NAME));
    this.config = config;
    this.cut = cut;
  }

  /** The cut the config asks for (the single place it is wired). */
  static TurnCut cutFor(ResponsesConfig config) {
    Repetition repetition = Repetition.standard().withThreshold(config.repetitionThreshold());
    return (instruction, text) -> {
      Optional<TurnCut.Cut> turn = RoleMarkers.nextTurn(text).map(h -> new TurnCut.Cut(h.at(), TurnCut.NEXT_TURN));
      OptionalInt loop = repetition.cutAt(text);
      if (loop.isPresent() && (turn.isEmpty() || loop.getAsInt() < turn.get().at())) {
        return Optional.of(new TurnCut.Cut(loop.getAsInt(), TurnCut.REPETITION));
      }
      return turn;
    };
  }

  @Override
  public StageReport run(StageContext ctx) {
    List<JsonNode> instructions = InstructionsStage.kept(ctx.input(InstructionsStage.NAME).records());
    Generator generator = Generator.of(ctx.model());
    SamplingParams params = SamplingParams.defaults().withTemperature(config.temperature()).withTopP(config.topP())
        .withMaxNewTokens(config.maxNewTokens()).withN(config.k());
    List<String> prompts = instructions.stream().map(i -> i.path("instruction").asText() + config.promptSuffix())
        .toList();
    List<int[]> ids = prompts.stream().map(generator::encodePrompt).toList();
    long[] seeds = new long[instructions.size()];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = ctx.recordSeed(instructions.get(i).path("id").asText());
    }
    int total = instructions.size() * config.k();
    int committed = ctx.committedBefore();
    int position = 0;
    for (PlannedBatches.Batch b : PlannedBatches.plan(instructions.size(), config.k(), ctx.settings().batchRows())) {
      int size = (b.to() - b.from()) * config.k();
      if (position + size <= committed) {
        position += size;
        continue;
      }
      for (Completion c : PlannedBatches.generate(generator, b, ids, seeds, params)) {
        String line = Json.line(record(instructions.get(c.promptIndex()), prompts.get(c.promptIndex()),
            seeds[c.promptIndex()], c));
        ctx.commit(position++, line);
      }
      ctx.progress(position, total, "responses");
    }
    return report(ctx);
  }

  private ResponseRecord record(JsonNode instruction, String prompt, long seed, Completion c) {
    String raw = c.text();
    Optional<TurnCut.Cut> where = cut.find(instruction.path("instruction").asText(), raw);
    String text = where.map(w -> raw.substring(0, w.at())).orElse(raw);
    String id = instruction.path("id").asText() + "/r" + c.sampleIndex();
    return new ResponseRecord(id, instruction.path("id").asText(), c.sampleIndex(),
        instruction.path("instruction").asText(), prompt, text, raw, where.map(TurnCut.Cut::reason).orElse(null),
        where.map(TurnCut.Cut::at).orElse(null), c.finishReason().jsonName(), c.promptTokenIds().length,
        c.tokenIds().length, c.tokenIds(), c.logprobs(), config.temperature(), config.topP(), seed);
  }

  private StageReport report(StageContext ctx) {
    List<JsonNode> records = RecordLog.records(ctx.log().file());
    int n = records.size();
    List<String> finish = records.stream().map(r -> r.path("finish_reason").asText()).toList();
    List<String> texts = records.stream().map(r -> r.path("text").asText()).toList();
    QcReport qc = QcReport.of(NAME)
        .withMetric("responses", n)
        .withMetric(Gate.RUNAWAY_RATE, QcMetrics.runawayRate(finish))
        .withMetric("empty_rate", QcMetrics.rate(texts, String::isBlank))
        .withMetric("cut_rate", QcMetrics.rate(records, r -> r.hasNonNull("cut")))
        .withMetric(Gate.CONTAMINATION_RATE, QcMetrics.contaminationRate(texts, QcMetrics.evaluationPrompts()))
        .withDistribution("completion_tokens", Distribution.of(records.stream()
            .map(r -> r.path("completion_tokens").asDouble()).toList()));
    for (Map.Entry<String, Long> e : QcMetrics.countBy(finish).entrySet()) {
      qc = qc.withCount("finish_" + e.getKey(), e.getValue());
    }
    List<String> cuts = records.stream().filter(r -> r.hasNonNull("cut")).map(r -> r.get("cut").asText()).toList();
    for (Map.Entry<String, Long> e : QcMetrics.countBy(cuts).entrySet()) {
      qc = qc.withCount("cut_" + e.getKey(), e.getValue());
    }
    List<String> notes = new ArrayList<>();
    if (n == 0) {
      notes.add("no responses: the instructions stage accepted no instruction");
    }
    return new StageReport(Json.mapper().valueToTree(qc), notes);
  }
}
