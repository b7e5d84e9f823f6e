package dev.sapling.pipeline.critique;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.pipeline.qc.QcReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The critique stage's QC on hand-built records with known answers. */
class CritiqueQcTest {
  private static JsonNode record(String id, Double margin, List<String> degenerate, List<String> flags,
      boolean fitted, int tokens) {
    Map<String, Double> scores = new java.util.LinkedHashMap<>();
    scores.put(Criterion.RESPONSE_LOGPROB, margin);
    scores.put(Criterion.IFD, margin == null ? null : margin / 2);
    try { // as the stage writes it, one JSON line
      return Json.mapper().readTree(Json.line(new CritiqueRecord(id, id.substring(0, 8), 0,
          Criterion.RESPONSE_LOGPROB, margin, scores, degenerate, flags, fitted, tokens)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void countsDegenerateScoresAndFlagsAndSummarisesTheMargins() {
    List<JsonNode> records = List.of(
        record("i-000001/r0", -1.0, List.of(), List.of(), false, 10),
        record("i-000001/r1", -2.0, List.of(), List.of(ResponseFlags.RUNAWAY), true, 30),
        record("i-000002/r0", null, List.of(Critic.EMPTY_RESPONSE), List.of(ResponseFlags.EMPTY), false, 0),
        record("i-000002/r1", -3.0, List.of(Criterion.IFD), List.of(ResponseFlags.RUNAWAY,
            ResponseFlags.REPETITIVE), false, 20));
    QcReport qc = CritiqueStage.qc(records);
    assertEquals(4, qc.metrics().get("responses"));
    assertEquals(2, qc.metrics().get("degenerate_count"));
    assertEquals(0.5, qc.metrics().get("degenerate_rate"));
    assertEquals(0.75, qc.metrics().get("flagged_rate"));
    assertEquals(0.25, qc.metrics().get("fitted_to_context_rate"));
    assertEquals(1L, qc.counts().get("degenerate_empty_response"));
    assertEquals(1L, qc.counts().get("degenerate_ifd"));
    assertEquals(2L, qc.counts().get("flag_runaway"));
    assertEquals(1L, qc.counts().get("flag_empty"));
    assertEquals(1L, qc.counts().get("flag_repetitive"));
    assertEquals(0L, qc.counts().get("flag_role_marker"), "every flag is counted, zeros too");
    assertEquals(0L, qc.counts().get("flag_repeats_instruction"));
    assertEquals(-2.0, qc.distributions().get("margin").p50(), 1e-12);
    assertEquals(1, qc.distributions().get("margin").nan(), "the empty response has no margin");
    assertEquals(-1.0, qc.distributions().get("score.ifd").p50(), 1e-12);
    assertEquals(20, qc.distributions().get("margin").counts().size(), "histogram bins for the notebook");
    assertTrue(qc.table().rowCount() > 10);
    assertEquals(20, qc.histogramTable("margin").rowCount());
  }

  @Test
  void aDegenerateScoreIsLeftOutAndNamed() {
    JsonNode r = record("i-000002/r0", null, List.of(Critic.EMPTY_RESPONSE), List.of(ResponseFlags.EMPTY), false, 0);
    assertTrue(!r.has("margin"), "JSON has no NaN: Json's convention leaves nulls out");
    assertTrue(r.path("scores").isEmpty());
    assertEquals("empty_response", r.path("degenerate").path(0).asText());
  }
}
