package dev.sapling.pipeline.bestofn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.pipeline.critique.ResponseFlags;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.qc.QcReport;
import dev.sapling.pipeline.text.NGramIndex;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pairs stage's QC on hand-built pairs with known answers. */
class PairsQcTest {
  private static final String LEAKED = "write a letter to your friend about the best day of your summer holiday and "
      + "why it was so good";

  private static JsonNode pair(String instruction, String kind, double chosen, double rejected, int chosenTokens,
      int rejectedTokens, boolean chosenRunaway, String rejectedText) {
    return Json.mapper().valueToTree(new PreferencePair(instruction + "/p0", instruction, kind, "Say hi.\n",
        instruction + "/r0", instruction + "/r1", "Hi!", rejectedText, chosen, rejected, chosen - rejected,
        chosenTokens, rejectedTokens, chosenRunaway ? List.of(ResponseFlags.RUNAWAY) : List.of(), List.of()));
  }

  @Test
  void reportsWhatTheGateReadsAndPairsByKind() {
    List<JsonNode> pairs = List.of(
        pair("i-1", PreferencePair.BEST_OF_N, -1.0, -1.5, 10, 20, false, "Hello there."),
        pair("i-1", PreferencePair.BEST_OF_N, -1.0, -1.2, 10, 30, false, "Hey."),
        pair("i-2", PreferencePair.TRUNCATED, -2.0, -1.9, 30, 15, true, "Hi"),
        pair("i-2", PreferencePair.REPETITION, -2.0, -1.0, 30, 40, true, "Hi hi hi hi hi hi hi hi"),
        pair("i-3", PreferencePair.OTHER_INSTRUCTION, -1.0, -3.0, 20, 20, false, "Sure: " + LEAKED + "."));
    QcReport qc = PairsStage.qc(pairs, 4, NGramIndex.of(13, List.of(LEAKED)));
    assertEquals(5, qc.metrics().get(Gate.PAIR_COUNT));
    // gaps 0.5, 0.2, -0.1, -1.0, 2.0: median 0.2
    assertEquals(0.2, qc.metrics().get(Gate.MARGIN_MEDIAN), 1e-12);
    assertEquals(0.4, qc.metrics().get(Gate.RUNAWAY_RATE), 1e-12, "2 of 5 chosen ran away");
    assertEquals(0.2, qc.metrics().get(Gate.CONTAMINATION_RATE), 1e-12, "the rejected shares a 13-gram");
    assertEquals(4, qc.metrics().get("instructions"));
    assertEquals(3, qc.metrics().get("instructions_with_pairs"));
    assertEquals(20.0 / 25.0, qc.metrics().get("chosen_rejected_length_ratio"), 1e-12);
    assertEquals(2L, qc.counts().get("kind_best_of_n"));
    assertEquals(1L, qc.counts().get("kind_truncated"));
    assertEquals(0L, qc.counts().get("kind_runaway"), "every kind counted, zeros too");
    assertEquals(0.35, qc.metrics().get("gap_median_best_of_n"), 1e-12);
    assertEquals(-1.0, qc.metrics().get("gap_median_repetition"), 1e-12);
    assertEquals(-1.0, qc.distributions().get("gap").min(), 1e-12);
    assertEquals(2.0, qc.distributions().get("gap").max(), 1e-12);
    assertEquals(20, qc.histogramTable("gap").rowCount());
  }

  @Test
  void noPairsGiveNoMedianAndACountOfZero() {
    QcReport qc = PairsStage.qc(List.of(), 3, NGramIndex.of(13, List.of(LEAKED)));
    assertEquals(0, qc.metrics().get(Gate.PAIR_COUNT));
    assertEquals(Double.NaN, qc.metrics().get(Gate.MARGIN_MEDIAN));
  }
}
