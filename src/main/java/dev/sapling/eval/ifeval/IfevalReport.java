package dev.sapling.eval.ifeval;

import dev.sapling.data.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The strict and loose verdicts for a set of responses, their four accuracies, and the reference-shaped result files.
 *
 * <pre>{@code
 * IfevalReport r = Ifeval.evaluate(prompts, responses);
 * r.write(Path.of("runs/pilot/eval/ifeval"));   // eval_results_strict.jsonl, eval_results_loose.jsonl
 * r.accuracies().promptLevelStrict();
 * }</pre>
 */
public record IfevalReport(List<IfevalResult> strict, List<IfevalResult> loose) {
  public IfevalReport {
    strict = List.copyOf(strict);
    loose = List.copyOf(loose);
  }

  /**
   * IFEval's four headline numbers, each in [0, 1].
   *
   * <pre>{@code
   * Accuracies a = report.accuracies();
   * System.out.println(a);   // prompt-level strict accuracy: 0.7934 ...
   * }</pre>
   */
  public record Accuracies(double promptLevelStrict, double instructionLevelStrict, double promptLevelLoose,
      double instructionLevelLoose) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT,
          "prompt-level strict accuracy: %.4f%ninstruction-level strict accuracy: %.4f%n"
              + "prompt-level loose accuracy: %.4f%ninstruction-level loose accuracy: %.4f",
          promptLevelStrict, instructionLevelStrict, promptLevelLoose, instructionLevelLoose);
    }
  }

  /** The four accuracies; NaN when there are no responses. */
  public Accuracies accuracies() {
    return new Accuracies(promptLevel(strict), instructionLevel(strict), promptLevel(loose), instructionLevel(loose));
  }

  /** The results of one mode. */
  public List<IfevalResult> results(IfevalMode mode) {
    return mode == IfevalMode.STRICT ? strict : loose;
  }

  /** Writes {@code eval_results_strict.jsonl} and {@code eval_results_loose.jsonl} into {@code dir}, atomically. */
  public void write(Path dir) throws IOException {
    for (IfevalMode mode : IfevalMode.values()) {
      StringBuilder b = new StringBuilder();
      for (IfevalResult r : results(mode)) {
        b.append(PyJson.result(r)).append('\n');
      }
      AtomicFiles.writeString(dir.resolve(mode.fileName()), b.toString());
    }
  }

  private static double promptLevel(List<IfevalResult> results) {
    return (double) results.stream().filter(IfevalResult::followAllInstructions).count() / results.size();
  }

  private static double instructionLevel(List<IfevalResult> results) {
    long total = 0;
    long followed = 0;
    for (IfevalResult r : results) {
      total += r.followInstructionList().size();
      followed += r.followInstructionList().stream().filter(Boolean::booleanValue).count();
    }
    return (double) followed / total;
  }
}
