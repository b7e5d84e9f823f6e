package dev.sapling.pipeline.critique;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.data.RecordLog;
import dev.sapling.pipeline.qc.Distribution;
import dev.sapling.pipeline.qc.QcMetrics;
import dev.sapling.pipeline.qc.QcReport;
import dev.sapling.pipeline.responses.ResponsesStage;
import dev.sapling.pipeline.run.Stage;
import dev.sapling.pipeline.run.StageContext;
import dev.sapling.pipeline.run.StageReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores every response with the {@link Critic} and flags it ({@link ResponseFlags}): one record per response, in
 * the responses stage's order, keyed by the response id, with every criterion's score, the margin best-of-N ranks by,
 * what is degenerate and the flags. Nothing is dropped.
 *
 * <p>Responses are scored in planned chunks of the run's {@code batch_rows} responses (the batch size the stage
 * started with is kept when it resumes), so a resumed stage scores exactly the chunks an uninterrupted one does and
 * writes only the records it had not committed.
 *
 * <pre>{@code
 * runner.run(new CritiqueStage(Critics.logprob().build()));
 * }</pre>
 */
public final class CritiqueStage extends Stage {
  public static final String NAME = "critique";

  private final CritiqueConfig config;

  public CritiqueStage(CritiqueConfig config) {
    super(NAME, config, List.of(ResponsesStage.NAME));
    this.config = config;
  }

  /** The critique config a finished critique stage recorded (what later stages score with). */
  public static CritiqueConfig recorded(JsonNode manifestConfig) {
    try {
      return Json.mapper().treeToValue(manifestConfig, CritiqueConfig.class);
    } catch (Exception e) {
      throw new dev.sapling.SaplingException("critique manifest: its config is not a critique config ("
          + e.getMessage() + "); rerun the critique stage");
    }
  }

  @Override
  public StageReport run(StageContext ctx) {
    List<JsonNode> responses = ctx.input(ResponsesStage.NAME).records();
    Critic critic = Critic.of(ctx.model(), config);
    int committed = ctx.committedBefore();
    int chunk = ctx.settings().batchRows();
    for (int from = 0; from < responses.size(); from += chunk) {
      int to = Math.min(responses.size(), from + chunk);
      if (to <= committed) {
        continue;
      }
      List<JsonNode> part = responses.subList(from, to);
      List<Critic.Verdict> verdicts = critic.score(part.stream().map(CritiqueStage::item).toList());
      for (int i = 0; i < part.size(); i++) {
        ctx.commit(from + i, Json.line(record(part.get(i), verdicts.get(i), critic.rankBy())));
      }
      ctx.progress(to, responses.size(), "responses scored");
    }
    return report(RecordLog.records(ctx.log().file()));
  }

  /** What the critic scores for one responses-stage record. */
  public static Critic.Item item(JsonNode response) {
    return new Critic.Item(response.path("prompt").asText(), response.path("instruction").asText(),
        response.path("text").asText());
  }

  private CritiqueRecord record(JsonNode response, Critic.Verdict v, String rankBy) {
    Map<String, Double> scores = new LinkedHashMap<>();
    v.scores().forEach((k, s) -> scores.put(k, finite(s)));
    ResponseFlags flags = ResponseFlags.of(response.path("instruction").asText(), response.path("text").asText(),
        response.path("finish_reason").asText(), config.flags());
    return new CritiqueRecord(response.path("id").asText(), response.path("instruction_id").asText(),
        response.path("sample_index").asInt(), rankBy, finite(v.margin()), scores, v.degenerate(), flags.names(),
        v.fittedToContext(), v.responseTokens());
  }

  /** {@code x}, or null when it is NaN or infinite (JSON has no NaN). */
  static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }

  /** The stage's QC over its records: margins and scores, degenerate counts, flag counts. */
  static StageReport report(List<JsonNode> records) {
    QcReport qc = qc(records);
    List<String> notes = new ArrayList<>();
    if (records.isEmpty()) {
      notes.add("no responses to score");
    }
    long degenerate = records.stream().filter(r -> !r.path("degenerate").isEmpty()).count();
    if (degenerate > 0) {
      notes.add(degenerate + " of " + records.size() + " responses have a degenerate score (see degenerate_* counts);"
          + " best-of-N leaves them out of ranking");
    }
    return new StageReport(Json.mapper().valueToTree(qc), notes);
  }

  /** The QC report of critique records (public through {@link #report}; a function of the records alone). */
  public static QcReport qc(List<JsonNode> records) {
    int n = records.size();
    List<Double> margins = records.stream().map(r -> number(r.path("margin"))).toList();
    long degenerate = records.stream().filter(r -> !r.path("degenerate").isEmpty()).count();
    QcReport qc = QcReport.of(NAME)
        .withMetric("responses", n)
        .withMetric("degenerate_count", degenerate)
        .withMetric("degenerate_rate", n == 0 ? Double.NaN : (double) degenerate / n)
        .withMetric("flagged_rate", QcMetrics.rate(records, r -> !r.path("flags").isEmpty()))
        .withMetric("fitted_to_context_rate", QcMetrics.rate(records, r -> r.path("fitted_to_context").asBoolean()))
        .withDistribution("margin", Distribution.of(margins))
        .withDistribution("response_tokens", Distribution.of(records.stream()
            .map(r -> r.path("response_tokens").asDouble()).toList()));
    List<String> names = new ArrayList<>();
    records.forEach(r -> r.path("scores").fieldNames().forEachRemaining(f -> {
      if (!names.contains(f)) {
        names.add(f);
      }
    }));
    for (String name : names) {
      qc = qc.withDistribution("score." + name, Distribution.of(records.stream()
          .map(r -> number(r.path("scores").path(name))).toList()));
    }
    List<String> flags = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (JsonNode r : records) {
      r.path("flags").forEach(f -> flags.add(f.asText()));
      r.path("degenerate").forEach(d -> reasons.add(d.asText()));
    }
    Map<String, Long> flagCounts = QcMetrics.countBy(flags);
    for (String f : ResponseFlags.NAMES) {
      qc = qc.withCount("flag_" + f, flagCounts.getOrDefault(f, 0L));
    }
    for (Map.Entry<String, Long> e : QcMetrics.countBy(reasons).entrySet()) {
      qc = qc.withCount("degenerate_" + e.getKey(), e.getValue());
    }
    return qc;
  }

  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
