package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores responses with IFEval's verifiable instructions in strict and loose mode, as the reference evaluator does:
 * a blank response follows nothing; in loose mode an instruction is followed if any of the mode's variants of the
 * response is non-blank and follows it.
 *
 * <pre>{@code
 * IfevalReport report = Ifeval.evaluate(IfevalData.bundledPrompts(), IfevalData.readResponses(file));
 * report.write(outDir);
 * System.out.println(report.accuracies());
 * }</pre>
 */
public final class Ifeval {
  private Ifeval() {}

  /** The verdicts for one prompt's response in one mode. */
  public static IfevalResult evaluate(IfevalPrompt prompt, String response, IfevalMode mode) {
    List<String> variants = mode.variants(response);
    List<Boolean> follows = new ArrayList<>();
    for (Instruction instruction : prompt.instructions()) {
      boolean followed = false;
      for (String text : variants) {
        if (!PyText.strip(text).isEmpty() && instruction.isFollowed(text)) {
          followed = true;
          break;
        }
      }
      follows.add(followed);
    }
    return new IfevalResult(prompt.instructionIdList(), prompt.prompt(), response, !follows.contains(false), follows);
  }

  /**
   * Scores every response against its prompt, in the order of {@code prompts}; prompts without a response are
   * skipped, and a response whose prompt is not among {@code prompts} is an error naming it.
   */
  public static IfevalReport evaluate(List<IfevalPrompt> prompts, Map<String, String> responses) {
    Set<String> known = new LinkedHashSet<>();
    for (IfevalPrompt p : prompts) {
      known.add(p.prompt());
    }
    for (String prompt : responses.keySet()) {
      if (!known.contains(prompt)) {
        throw new IfevalException("response for an unknown prompt: \"" + abbreviate(prompt) + "\"; every prompt must"
            + " match an IFEval prompt exactly (see input_data.jsonl)");
      }
    }
    List<IfevalResult> strict = new ArrayList<>();
    List<IfevalResult> loose = new ArrayList<>();
    for (IfevalPrompt p : prompts) {
      String response = responses.get(p.prompt());
      if (response != null) {
        strict.add(evaluate(p, response, IfevalMode.STRICT));
        loose.add(evaluate(p, response, IfevalMode.LOOSE));
      }
    }
    return new IfevalReport(strict, loose);
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace("\n", "\\n");
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
  }
}
