package dev.sapling.pipeline.bestofn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.SaplingException;
import dev.sapling.data.AtomicFiles;
import dev.sapling.data.Json;
import dev.sapling.data.RecordLog;
import dev.sapling.pipeline.critique.Critic;
import dev.sapling.pipeline.critique.CritiqueConfig;
import dev.sapling.pipeline.critique.CritiqueStage;
import dev.sapling.pipeline.critique.ResponseFlags;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.qc.Distribution;
import dev.sapling.pipeline.qc.QcMetrics;
import dev.sapling.pipeline.qc.QcReport;
import dev.sapling.pipeline.responses.ResponsesStage;
import dev.sapling.pipeline.run.Stage;
import dev.sapling.pipeline.run.StageContext;
import dev.sapling.pipeline.run.StageReport;
import dev.sapling.pipeline.text.NGramIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Best-of-N preference pairs from the critique: per instruction the candidate with the highest margin is chosen and
 * preferred to every candidate at least {@code min_gap} below it; the configured hard negatives follow
 * ({@link PreferencePair}). Negatives made from text (truncated, repetition) and answers taken from another
 * instruction are scored with the same {@link Critic} the critique stage used, rebuilt from its manifest's config.
 * Besides {@code data.jsonl}, the stage writes {@value #TRL_FILE}: the pairs in TRL's preference format
 * ({@code prompt}, {@code chosen}, {@code rejected}), replaced atomically once every record is committed.
 *
 * <p>Instructions are processed in planned chunks of {@code max(1, batch_rows / 4)} (up to three scored negatives
 * each), so a resumed stage scores the chunks an uninterrupted one does and writes only what was not committed.
 *
 * <pre>{@code
 * runner.run(new PairsStage(BestOfN.minGap(0.1).hardNegatives().build()));
 * }</pre>
 */
public final class PairsStage extends Stage {
  public static final String NAME = "pairs";
  /** The TRL preference export in the stage folder. */
  public static final String TRL_FILE = "trl_preference.jsonl";

  private final BestOfNConfig config;

  public PairsStage(BestOfNConfig config) {
    super(NAME, config, List.of(ResponsesStage.NAME, CritiqueStage.NAME));
    this.config = config;
  }

  @Override
  public StageReport run(StageContext ctx) {
    CritiqueConfig critique = CritiqueStage.recorded(ctx.input(CritiqueStage.NAME).manifest().config());
    Map<String, JsonNode> responses = new HashMap<>();
    for (JsonNode r : ctx.input(ResponsesStage.NAME).records()) {
      responses.put(r.path("id").asText(), r);
    }
    Map<String, List<Pairing.Candidate>> byInstruction = new LinkedHashMap<>();
    for (JsonNode c : ctx.input(CritiqueStage.NAME).records()) {
      String id = c.path("id").asText();
      JsonNode r = responses.get(id);
      if (r == null) {
        throw new SaplingException(ctx.input(CritiqueStage.NAME).dataFile() + ": critique record '" + id + "' has no "
            + "response in " + ctx.input(ResponsesStage.NAME).dataFile() + "; rerun the critique stage");
      }
      byInstruction.computeIfAbsent(c.path("instruction_id").asText(), k -> new ArrayList<>()).add(candidate(r, c));
    }
    List<String> ids = new ArrayList<>(byInstruction.keySet());
    List<Pairing.Group> plan = Pairing.plan(new ArrayList<>(byInstruction.values()), ids, config, ctx::recordSeed,
        critique.flags());

    int committed = ctx.committedBefore();
    int chunk = Math.max(1, ctx.settings().batchRows() / 4);
    int total = plan.stream().mapToInt(g -> g.pairs().size()).sum();
    Critic critic = null;
    int position = 0;
    for (int from = 0; from < plan.size(); from += chunk) {
      List<Pairing.Group> part = plan.subList(from, Math.min(plan.size(), from + chunk));
      int size = part.stream().mapToInt(g -> g.pairs().size()).sum();
      if (position + size <= committed) {
        position += size;
        continue;
      }
      List<Pairing.Planned> planned = part.stream().flatMap(g -> g.pairs().stream()).toList();
      List<Pairing.Planned> toScore = planned.stream().filter(Pairing.Planned::needsScore).toList();
      Map<Pairing.Planned, Critic.Verdict> verdicts = new IdentityHashMap<>();
      if (!toScore.isEmpty()) {
        if (critic == null) {
          critic = Critic.of(ctx.model(), critique);
        }
        List<Critic.Verdict> scored = critic.score(toScore.stream()
            .map(p -> new Critic.Item(p.rejected().prompt(), p.rejected().instruction(), p.rejected().text())).toList());
        for (int i = 0; i < toScore.size(); i++) {
          verdicts.put(toScore.get(i), scored.get(i));
        }
      }
      for (Pairing.Group g : part) {
        for (int j = 0; j < g.pairs().size(); j++) {
          Pairing.Planned p = g.pairs().get(j);
          Critic.Verdict v = verdicts.get(p);
          Pairing.Candidate rejected = v == null ? p.rejected() : p.rejected().scored(v.margin(), v.responseTokens());
          ctx.commit(position++, Json.line(pair(g.instructionId() + "/p" + j, g.instructionId(), p.kind(),
              p.chosen(), rejected)));
        }
      }
      ctx.progress(position, total, "pairs");
    }
    List<JsonNode> records = RecordLog.records(ctx.log().file());
    writeTrl(ctx.dir().resolve(TRL_FILE), records);
    return report(records, plan);
  }

  private static Pairing.Candidate candidate(JsonNode response, JsonNode critique) {
    List<String> flags = new ArrayList<>();
    critique.path("flags").forEach(f -> flags.add(f.asText()));
    JsonNode margin = critique.path("margin");
    return new Pairing.Candidate(response.path("id").asText(), response.path("sample_index").asInt(),
        response.path("prompt").asText(), response.path("instruction").asText(), response.path("text").asText(),
        response.path("finish_reason").asText(), margin.isNumber() ? margin.asDouble() : Double.NaN, flags,
        critique.path("response_tokens").asInt());
  }

  private static PreferencePair pair(String id, String instructionId, String kind, Pairing.Candidate chosen,
      Pairing.Candidate rejected) {
    Double c = finite(chosen.margin());
    Double r = finite(rejected.margin());
    return new PreferencePair(id, instructionId, kind, chosen.prompt(), chosen.id(), rejected.id(), chosen.text(),
        rejected.text(), c, r, c == null || r == null ? null : c - r, chosen.tokens(), rejected.tokens(),
        chosen.flags(), rejected.flags());
  }

  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }

  /** The pairs as TRL's standard preference rows, in record order. */
  static void writeTrl(Path file, List<JsonNode> pairs) {
    StringBuilder s = new StringBuilder();
    for (JsonNode p : pairs) {
      Map<String, String> row = new LinkedHashMap<>();
      row.put("prompt", p.path("prompt").asText());
      row.put("chosen", p.path("chosen").asText());
      row.put("rejected", p.path("rejected").asText());
      s.append(Json.line(row)).append('\n');
    }
    try {
      AtomicFiles.writeString(file, s.toString());
    } catch (IOException e) {
      throw new SaplingException(file + ": cannot write the TRL export (" + e.getMessage() + "); the pairs in "
          + file.resolveSibling("data.jsonl") + " are committed; free space or fix permissions and rerun");
    }
  }

  private StageReport report(List<JsonNode> records, List<Pairing.Group> plan) {
    QcReport qc = qc(records, plan.size(), QcMetrics.evaluationPrompts())
        .withMetric("instructions_with_chosen", plan.stream().filter(g -> g.chosen().isPresent()).count())
        .withCount("below_min_gap", plan.stream().mapToLong(Pairing.Group::tiesDropped).sum())
        .withCount("unrankable_candidates", plan.stream().mapToLong(Pairing.Group::unrankable).sum());
    List<String> notes = new ArrayList<>();
    long none = plan.stream().filter(g -> g.pairs().isEmpty()).count();
    if (none > 0) {
      notes.add(none + " of " + plan.size() + " instructions gave no pair (no rankable candidate, or every other "
          + "candidate within min_gap " + config.minGap() + " of the best)");
    }
    notes.add(String.format(Locale.ROOT, "%d pairs; TRL preference export: %s", records.size(), TRL_FILE));
    return new StageReport(Json.mapper().valueToTree(qc), notes);
  }

  /**
   * The QC of pair records: what the gate reads ({@code pair_count}; {@code margin_median}, the median gap;
   * {@code runaway_rate}, the share of pairs whose chosen ran to max_new_tokens; {@code contamination_rate}, the
   * share of pairs whose prompt, chosen or rejected shares a 13-gram with {@code evaluation}), the gap histogram,
   * chosen/rejected token lengths and their ratio, pairs by kind and each kind's median gap.
   */
  static QcReport qc(List<JsonNode> records, int instructions, NGramIndex evaluation) {
    List<Double> gaps = records.stream().map(r -> number(r.path("gap"))).toList();
    Distribution gap = Distribution.of(gaps);
    List<Integer> chosenTokens = records.stream().map(r -> r.path("chosen_tokens").asInt()).toList();
    List<Integer> rejectedTokens = records.stream().map(r -> r.path("rejected_tokens").asInt()).toList();
    QcReport qc = QcReport.of(NAME)
        .withMetric(Gate.PAIR_COUNT, records.size())
        .withMetric(Gate.MARGIN_MEDIAN, gap.p50())
        .withMetric(Gate.RUNAWAY_RATE, QcMetrics.rate(records, r -> flagged(r.path("chosen_flags"), ResponseFlags.RUNAWAY)))
        .withMetric(Gate.CONTAMINATION_RATE, QcMetrics.rate(records, r -> evaluation.overlaps(r.path("prompt").asText())
            || evaluation.overlaps(r.path("chosen").asText()) || evaluation.overlaps(r.path("rejected").asText())))
        .withMetric("instructions", instructions)
        .withMetric("instructions_with_pairs", records.stream().map(r -> r.path("instruction_id").asText())
            .distinct().count())
        .withMetric("chosen_rejected_length_ratio", QcMetrics.lengthRatio(chosenTokens, rejectedTokens))
        .withDistribution("gap", gap)
        .withDistribution("chosen_tokens", Distribution.of(chosenTokens.stream().map(Integer::doubleValue).toList()))
        .withDistribution("rejected_tokens", Distribution.of(rejectedTokens.stream().map(Integer::doubleValue)
            .toList()));
    Map<String, Long> kinds = QcMetrics.countBy(records.stream().map(r -> r.path("kind").asText()).toList());
    for (String kind : PreferencePair.KINDS) {
      qc = qc.withCount("kind_" + kind, kinds.getOrDefault(kind, 0L));
      List<Double> of = records.stream().filter(r -> r.path("kind").asText().equals(kind))
          .map(r -> number(r.path("gap"))).toList();
      if (!of.isEmpty()) {
        qc = qc.withMetric("gap_median_" + kind, Distribution.of(of).p50());
      }
    }
    return qc;
  }

  private static boolean flagged(JsonNode flags, String flag) {
    for (JsonNode f : flags) {
      if (f.asText().equals(flag)) {
        return true;
      }
    }
    return false;
  }

  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
