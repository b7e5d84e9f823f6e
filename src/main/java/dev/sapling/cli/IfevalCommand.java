package dev.sapling.cli;

import dev.sapling.eval.ifeval.Ifeval;
import dev.sapling.eval.ifeval.IfevalData;
import dev.sapling.eval.ifeval.IfevalException;
import dev.sapling.eval.ifeval.IfevalMode;
import dev.sapling.eval.ifeval.IfevalPrompt;
import dev.sapling.eval.ifeval.IfevalReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./sapling ifeval}: scores a responses file with IFEval's verifiable instructions, writes the reference-shaped
 * {@code eval_results_strict.jsonl} and {@code eval_results_loose.jsonl}, and prints the four accuracies.
 *
 * <pre>{@code
 * ./sapling ifeval --responses runs/pilot/eval/responses.jsonl --out runs/pilot/eval/ifeval
 * }</pre>
 */
public final class IfevalCommand extends Command {
  static final Flag<Path> RESPONSES = Flag.of("responses", "FILE.jsonl", Flag.Type.PATH,
      "JSONL lines {\"prompt\": ..., \"response\": ...}; prompts are matched to the input by text").mandatory();
  static final Flag<Path> INPUT = Flag.of("input", "FILE.jsonl", Flag.Type.PATH,
      "IFEval prompts (input_data.jsonl shape); default: the 541 prompts bundled with Sapling");
  static final Flags FLAGS = Flags.of(RESPONSES, INPUT)
      .with(OutputArgs.GROUP.only(OutputArgs.OUT).requiring(OutputArgs.OUT))
      .withNotes("Writes eval_results_strict.jsonl and eval_results_loose.jsonl to --out; prints the prompt-level and "
          + "instruction-level accuracies, strict and loose.");

  IfevalCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    Path responsesFile = args.get(RESPONSES);
    Optional<Path> inputFile = args.optional(INPUT);
    Path outDir = args.get(OutputArgs.OUT);

    List<IfevalPrompt> prompts = inputFile.map(IfevalData::readPrompts).orElseGet(IfevalData::bundledPrompts);
    Map<String, String> responses = IfevalData.readResponses(responsesFile);
    if (responses.isEmpty()) {
      throw new IfevalException(responsesFile + " has no responses; expected lines {\"prompt\": ..., \"response\": ...}");
    }
    IfevalReport report = Ifeval.evaluate(prompts, responses);
    report.write(outDir);
    err.printf("ifeval: scored %d responses against %d prompts; wrote %s and %s%n", responses.size(), prompts.size(),
        outDir.resolve(IfevalMode.STRICT.fileName()), outDir.resolve(IfevalMode.LOOSE.fileName()));
    out.println(report.accuracies());
    return 0;
  }
}
