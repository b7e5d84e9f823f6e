package dev.sapling.pipeline.qc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.data.Json;
import dev.sapling.pipeline.text.NGramIndex;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class QcReportTest {
  @Test
  void distributionHasNumpysQuantilesAndAClosedLastBin() {
    Distribution d = Distribution.of(List.of(4.0, 1.0, Double.NaN, 3.0, 2.0), 2);
    assertEquals(4, d.count());
    assertEquals(1, d.nan());
    assertEquals(2.5, d.mean(), 1e-12);
    assertEquals(2.5, d.p50(), 1e-12);
    assertEquals(1.75, d.p25(), 1e-12);   // numpy.quantile([1,2,3,4], 0.25) = 1.75
    assertEquals(1.15, d.p05(), 1e-12);   // 1 + 0.15 * (2 - 1)
    assertEquals(List.of(1.0, 2.5, 4.0), d.edges());
    assertEquals(List.of(2L, 2L), d.counts());
    Distribution flat = Distribution.of(List.of(7.0, 7.0), 3);
    assertEquals(List.of(2L, 0L, 0L), flat.counts());
    assertTrue(Double.isNaN(Distribution.of(List.of()).p50()));
  }

  @Test
  void metricsHaveKnownValuesOnHandBuiltInputs() {
    assertEquals(0.25, QcMetrics.runawayRate(List.of("stop", "length", "eos", "stop")), 0);
    assertTrue(Double.isNaN(QcMetrics.runawayRate(List.of())));
    assertEquals(0.5, QcMetrics.duplicateRate(List.of("A", "a", "b", "B "), s -> s.strip().toLowerCase()), 0);
    assertEquals(2.0, QcMetrics.lengthRatio(List.of(10, 30), List.of(10)), 0);
    assertEquals(Map.of("runaway", 2L, "truncated", 1L), QcMetrics.countBy(List.of("runaway", "truncated", "runaway")));
    NGramIndex eval = NGramIndex.of(13, List.of("one two three four five six seven eight nine ten eleven twelve thirteen"));
    assertEquals(0.5, QcMetrics.contaminationRate(List.of("so: one two three four five six seven eight nine ten"
        + " eleven twelve thirteen", "unrelated text"), eval), 0);
  }

  @Test
  void evaluationPromptsCatchACopiedIfevalPrompt() {
    NGramIndex eval = QcMetrics.evaluationPrompts();
    String copied = dev.sapling.eval.ifeval.IfevalData.bundledPrompts().get(0).prompt();
    assertTrue(eval.overlaps(copied));
    assertEquals(0.0, QcMetrics.contaminationRate(List.of("Tell me a story about a small red fox."), eval), 0);
  }

  @Test
  void reportRendersAsTablesAndRoundTripsThroughJson() throws Exception {
    QcReport responses = QcReport.of("responses").withMetric("runaway_rate", 0.25);
    QcReport qc = QcReport.of("pairs").withMetric("pair_count", 3).withCount("pairs.truncated", 1)
        .withFilter("too_short", 7, 2).withDistribution("margin", Distribution.of(List.of(0.1, 0.2, 0.3, 0.4), 2))
        .including(responses);
    Table t = qc.table();
    assertEquals(List.of("stage", "metric", "value"), t.columnNames());
    assertEquals(2 + 1 + 3, t.rowCount());
    assertEquals("responses.runaway_rate", t.stringColumn("metric").get(1));
    Table h = qc.histogramTable("margin");
    assertEquals(List.of("bin", "bin_start", "bin_end", "count"), h.columnNames());
    assertEquals(2L, h.longColumn("count").get(0));
    assertEquals(7L, qc.filterTable().longColumn("kept").get(0));
    String json = Json.line(qc);
    assertTrue(json.contains("\"metrics\":{\"pair_count\":3.0,\"responses.runaway_rate\":0.25}"), json);
    assertEquals(qc, Json.mapper().readValue(json, QcReport.class));
  }
}
