package dev.sapling.pipeline.bestofn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Json;
import dev.sapling.data.Manifest;
import dev.sapling.data.RecordLog;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.pipeline.critique.Critic;
import dev.sapling.pipeline.critique.Critics;
import dev.sapling.pipeline.critique.CritiqueStage;
import dev.sapling.pipeline.critique.ResponseFlags;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.gate.GateResult;
import dev.sapling.pipeline.run.RunSettings;
import dev.sapling.pipeline.run.Stage;
import dev.sapling.pipeline.run.StageContext;
import dev.sapling.pipeline.run.StageReport;
import dev.sapling.pipeline.run.StageRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Critique and pairs over hand-written responses on the embedded model: one critique per response, pairs that
 * follow the margins, the TRL export, QC the gate reads, and byte-identical files from a second run.
 */
class PairsStageTest {
  @TempDir
  static Path dir;
  static LoadedModel model;
  static Path run;
  static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();

  /** Three instructions, three answers each: an echo, a story that ran to the token limit, a blank one... */
  static final List<Map<String, Object>> RESPONSES = new ArrayList<>();

  static {
    String[][] answers = {
        {"Tell me about a cat.", "The cat sat on the mat. It was a happy cat.", "stop",
            "Once upon a time there was a big dog who liked to run and play in the park with", "length",
            "Tell me about a cat.", "stop"},
        {"Write about the sun.", "The sun is big and bright. It makes the day warm.", "stop",
            " ", "stop", "The sun the sun the sun the sun the sun the sun the sun the sun", "length"},
        {"Say something kind.", "You are a good friend and I like you very much.", "eos",
            "Lily said thank you to her mom and they hugged.", "stop", "Thank you.<|im_end|>", "stop"}};
    for (int i = 0; i < answers.length; i++) {
      String id = String.format("i-%06d", i + 1);
      for (int k = 0; k < 3; k++) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id + "/r" + k);
        r.put("instruction_id", id);
        r.put("sample_index", k);
        r.put("instruction", answers[i][0]);
        r.put("prompt", answers[i][0] + "\n");
        r.put("text", answers[i][1 + 2 * k]);
        r.put("finish_reason", answers[i][2 + 2 * k]);
        RESPONSES.add(r);
      }
    }
  }

  /** The responses stage stand-in: writes {@link #RESPONSES}. */
  static final class HandWritten extends Stage {
    HandWritten() {
      super("responses", Map.of("hand_written", RESPONSES.size()), List.of());
    }

    public boolean usesModel() {
      return false;
    }

    public StageReport run(StageContext ctx) {
      for (int i = ctx.log().count(); i < RESPONSES.size(); i++) {
        ctx.log().append(Json.line(RESPONSES.get(i)));
      }
      return new StageReport(Json.mapper().createObjectNode(), List.of());
    }
  }

  static final BestOfNConfig CONFIG = BestOfN.minGap(0.1).hardNegatives().build();

  static void pipeline(Path runDir) {
    StageRunner runner = new StageRunner(runDir, model, 7, RunSettings.defaults().withBatchRows(4),
        new PrintStream(ERR, true));
    runner.run(new HandWritten());
    runner.run(new CritiqueStage(Critics.logprob().build()));
    runner.run(new PairsStage(CONFIG));
  }

  @BeforeAll
  static void runIt() {
    model = new CleanModelLoader().load(Path.of("models/stories260K/stories260K.gguf"));
    run = dir.resolve("run");
    pipeline(run);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<JsonNode> records(String stage) {
    return RecordLog.records(run.resolve(stage).resolve("data.jsonl"));
  }

  @Test
  void everyResponseGetsOneCritiqueKeyedByItsId() {
    List<JsonNode> critiques = records(CritiqueStage.NAME);
    assertEquals(RESPONSES.stream().map(r -> r.get("id")).toList(),
        critiques.stream().map(c -> c.path("id").asText()).toList());
    JsonNode blank = critiques.get(4);
    assertEquals(Critic.EMPTY_RESPONSE, blank.path("degenerate").path(0).asText());
    assertTrue(blank.path("flags").toString().contains(ResponseFlags.EMPTY));
    assertTrue(critiques.get(2).path("flags").toString().contains(ResponseFlags.REPEATS_INSTRUCTION));
    assertTrue(critiques.get(1).path("flags").toString().contains(ResponseFlags.RUNAWAY));
    assertTrue(critiques.get(5).path("flags").toString().contains(ResponseFlags.REPETITIVE));
    assertTrue(critiques.get(8).path("flags").toString().contains(ResponseFlags.ROLE_MARKER));
    for (JsonNode c : critiques) {
      if (c.path("degenerate").isEmpty()) {
        assertEquals(c.path("scores").path("response_logprob").asDouble(), c.path("margin").asDouble(), 0);
        assertTrue(c.path("scores").has("ifd"));
      }
    }
    Manifest m = Manifest.read(run.resolve(CritiqueStage.NAME).resolve(Manifest.FILE));
    assertEquals(1.0, m.qcMetrics().path("metrics").path("degenerate_count").asDouble());
  }

  @Test
  void pairsFollowTheMarginsAndNameBothSides() {
    Map<String, Double> margin = new HashMap<>();
    Map<String, String> text = new HashMap<>();
    for (JsonNode c : records(CritiqueStage.NAME)) {
      margin.put(c.path("id").asText(), c.path("margin").isNumber() ? c.path("margin").asDouble() : Double.NaN);
    }
    RESPONSES.forEach(r -> text.put((String) r.get("id"), (String) r.get("text")));
    List<JsonNode> pairs = records(PairsStage.NAME);
    assertTrue(pairs.size() >= 6, "pairs: " + pairs.size());
    for (JsonNode p : pairs) {
      String chosen = p.path("chosen_id").asText();
      String instruction = p.path("instruction_id").asText();
      double best = margin.entrySet().stream().filter(e -> e.getKey().startsWith(instruction + "/"))
          .mapToDouble(Map.Entry::getValue).filter(Double::isFinite).max().orElseThrow();
      assertEquals(best, margin.get(chosen), 0, "the chosen has the best margin");
      assertEquals(text.get(chosen), p.path("chosen").asText());
      String kind = p.path("kind").asText();
      String rejected = p.path("rejected_id").asText();
      if (kind.equals(PreferencePair.BEST_OF_N) || kind.equals(PreferencePair.RUNAWAY)) {
        assertEquals(text.get(rejected), p.path("rejected").asText());
        assertEquals(margin.get(rejected), p.path("rejected_score").asDouble(), 0, "its critique score");
      }
      if (kind.equals(PreferencePair.BEST_OF_N)) {
        assertTrue(p.path("gap").asDouble() >= 0.1 - 1e-9, p.toString());
      }
      if (kind.equals(PreferencePair.TRUNCATED) || kind.equals(PreferencePair.REPETITION)) {
        assertEquals(chosen + "#" + kind, rejected);
        assertTrue(p.has("rejected_score"), "scored by the critic: " + p);
      }
      if (kind.equals(PreferencePair.OTHER_INSTRUCTION)) {
        assertTrue(!rejected.startsWith(instruction + "/") && text.containsKey(rejected));
      }
      assertEquals(p.path("chosen_score").asDouble() - p.path("rejected_score").asDouble(), p.path("gap").asDouble(),
          1e-12);
    }
    assertTrue(pairs.stream().anyMatch(p -> p.path("kind").asText().equals(PreferencePair.OTHER_INSTRUCTION)));
  }

  @Test
  void theTrlExportHasPromptChosenRejectedForEveryPair() throws Exception {
    List<String> lines = Files.readAllLines(run.resolve(PairsStage.NAME).resolve(PairsStage.TRL_FILE));
    List<JsonNode> pairs = records(PairsStage.NAME);
    assertEquals(pairs.size(), lines.size());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode row = Json.mapper().readTree(lines.get(i));
      assertEquals(List.of("prompt", "chosen", "rejected"), iterable(row));
      assertEquals(pairs.get(i).path("prompt").asText(), row.path("prompt").asText());
      assertEquals(pairs.get(i).path("chosen").asText(), row.path("chosen").asText());
      assertEquals(pairs.get(i).path("rejected").asText(), row.path("rejected").asText());
    }
  }

  private static List<String> iterable(JsonNode row) {
    List<String> names = new ArrayList<>();
    row.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void theManifestCarriesWhatTheGateReads() {
    Manifest m = Manifest.read(run.resolve(PairsStage.NAME).resolve(Manifest.FILE));
    JsonNode metrics = m.qcMetrics().path("metrics");
    assertEquals(records(PairsStage.NAME).size(), metrics.path(Gate.PAIR_COUNT).asInt());
    for (String name : List.of(Gate.MARGIN_MEDIAN, Gate.RUNAWAY_RATE, Gate.CONTAMINATION_RATE)) {
      assertTrue(metrics.path(name).isNumber(), name + " in " + metrics);
    }
    assertEquals(List.of(CritiqueStage.NAME, "responses").stream().sorted().toList(),
        m.inputs().stream().map(Manifest.Input::stage).sorted().toList());
    GateResult gate = Gate.standard().explain(run.resolve(PairsStage.NAME));
    assertTrue(gate.checks().stream().filter(c -> c.name().equals("data_sha256")).allMatch(c -> c.passed()));
    assertTrue(gate.checks().stream().filter(c -> c.name().equals(Gate.PAIR_COUNT)).allMatch(c -> c.passed()));
  }

  @Test
  void aSecondRunWritesTheSameBytesAndAnUnchangedRunIsReused() throws Exception {
    Path again = dir.resolve("again");
    pipeline(again);
    for (String file : List.of("critique/data.jsonl", "pairs/data.jsonl", "pairs/" + PairsStage.TRL_FILE)) {
      assertArrayEquals(Files.readAllBytes(run.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
    }
    StageRunner runner = new StageRunner(again, model, 7, RunSettings.defaults().withBatchRows(4),
        new PrintStream(ERR, true));
    runner.run(new HandWritten());
    runner.run(new CritiqueStage(Critics.logprob().build()));
    assertEquals(StageRunner.Action.REUSED, runner.run(new PairsStage(CONFIG)).action());
    assertEquals(StageRunner.Action.RAN, runner.run(new PairsStage(BestOfN.minGap(0.5).build())).action(),
        "a changed min_gap reruns the stage");
  }
}
