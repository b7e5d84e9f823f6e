package dev.sapling.eval.ifeval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agreement with the official evaluator on GPT-4's responses to the first 271 IFEval prompts (test resources copied
 * from shared/data/ifeval/reference-dev, Apache-2.0). Every disagreement must be listed, with its reason, in
 * {@code known_disagreements.tsv}; a new one or a listed one that vanished fails the test.
 */
class ReferenceAgreementTest {
  private static final String DIR = "/dev/sapling/eval/ifeval/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static IfevalReport report;
  private static Map<String, String> responses;

  @BeforeAll
  static void evaluate() throws URISyntaxException {
    responses = IfevalData.readResponses(resource("input_response_data_gpt4.jsonl"));
    report = Ifeval.evaluate(IfevalData.bundledPrompts(), responses);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ReferenceAgreementTest.class.getResource(DIR + name).toURI());
  }

  private static List<JsonNode> referenceLines(IfevalMode mode) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = ReferenceAgreementTest.class.getResourceAsStream(DIR + mode.fileName());
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  /** Disagreements as "mode<TAB>prompt index<TAB>instruction id<TAB>reference verdict". */
  private static TreeSet<String> disagreements(IfevalMode mode, int[] total) throws IOException {
    List<JsonNode> reference = referenceLines(mode);
    List<IfevalResult> ours = report.results(mode);
    assertEquals(reference.size(), ours.size());
    TreeSet<String> out = new TreeSet<>();
    for (int i = 0; i < ours.size(); i++) {
      JsonNode ref = reference.get(i);
      IfevalResult r = ours.get(i);
      assertEquals(ref.get("prompt").asText(), r.prompt());
      for (int j = 0; j < r.followInstructionList().size(); j++) {
        total[0]++;
        boolean expected = ref.get("follow_instruction_list").get(j).asBoolean();
        if (expected != r.followInstructionList().get(j)) {
          out.add(String.format("%s\t%03d\t%s\t%s", mode.name().toLowerCase(), i, r.instructionIdList().get(j),
              expected));
        }
      }
    }
    return out;
  }

  private static TreeSet<String> listedDisagreements() throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (InputStream in = ReferenceAgreementTest.class.getResourceAsStream(DIR + "known_disagreements.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        assertTrue(f.length == 5 && !f[4].isBlank(), "known_disagreements.tsv needs 5 fields with a reason: " + line);
        out.add(String.join("\t", f[0], f[1], f[2], f[3]));
      }
    }
    return out;
  }

  @Test
  void agreesOnAtLeast99PercentOfInstructionsInBothModesAndOnlyWhereListed() throws IOException {
    TreeSet<String> all = new TreeSet<>();
    for (IfevalMode mode : IfevalMode.values()) {
      int[] total = {0};
      TreeSet<String> d = disagreements(mode, total);
      double agreement = 1.0 - (double) d.size() / total[0];
      System.err.printf("IFEval %s agreement: %d/%d instructions = %.4f%n", mode, total[0] - d.size(), total[0],
          agreement);
      assertTrue(agreement >= 0.99, mode + " agreement " + agreement + " is below 0.99");
      all.addAll(d);
    }
    TreeSet<String> listed = listedDisagreements();
    TreeSet<String> unlisted = new TreeSet<>(all);
    unlisted.removeAll(listed);
    TreeSet<String> vanished = new TreeSet<>(listed);
    vanished.removeAll(all);
    assertTrue(unlisted.isEmpty() && vanished.isEmpty(), "new disagreements (add them with a reason to "
        + "known_disagreements.tsv, or fix the checker):\n" + String.join("\n", unlisted)
        + "\nlisted disagreements that no longer occur (remove them):\n" + String.join("\n", vanished));
  }

  @Test
  void writesResultFilesIdenticalToTheReferenceWhereEveryVerdictAgrees(@TempDir Path out) throws IOException {
    report.write(out);
    for (IfevalMode mode : IfevalMode.values()) {
      List<String> ours = Files.readAllLines(out.resolve(mode.fileName()), StandardCharsets.UTF_8);
      List<JsonNode> reference = referenceLines(mode);
      List<String> referenceText;
      try (InputStream in = ReferenceAgreementTest.class.getResourceAsStream(DIR + mode.fileName())) {
        referenceText = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      }
      int identical = 0;
      for (int i = 0; i < ours.size(); i++) {
        JsonNode ref = reference.get(i);
        List<Boolean> refList = new ArrayList<>();
        ref.get("follow_instruction_list").forEach(n -> refList.add(n.asBoolean()));
        if (refList.equals(report.results(mode).get(i).followInstructionList())) {
          assertEquals(referenceText.get(i), ours.get(i), mode + " line " + (i + 1));
          identical++;
        }
      }
      assertTrue(identical >= ours.size() * 0.97, mode + ": only " + identical + " identical lines");
    }
  }

  @Test
  void reportsTheFourAccuraciesOfTheReference() throws IOException {
    IfevalReport.Accuracies a = report.accuracies();
    System.err.println(a);
    double[] expected = new double[4];
    for (IfevalMode mode : IfevalMode.values()) {
      int prompts = 0;
      int all = 0;
      int instructions = 0;
      int followed = 0;
      for (JsonNode ref : referenceLines(mode)) {
        prompts++;
        all += ref.get("follow_all_instructions").asBoolean() ? 1 : 0;
        for (JsonNode v : ref.get("follow_instruction_list")) {
          instructions++;
          followed += v.asBoolean() ? 1 : 0;
        }
      }
      expected[mode == IfevalMode.STRICT ? 0 : 2] = (double) all / prompts;
      expected[mode == IfevalMode.STRICT ? 1 : 3] = (double) followed / instructions;
    }
    System.err.printf("reference: %.4f %.4f %.4f %.4f%n", expected[0], expected[1], expected[2], expected[3]);
    assertEquals(expected[0], a.promptLevelStrict(), 0.02);
    assertEquals(expected[1], a.instructionLevelStrict(), 0.01);
    assertEquals(expected[2], a.promptLevelLoose(), 0.02);
    assertEquals(expected[3], a.instructionLevelLoose(), 0.01);
  }
}
