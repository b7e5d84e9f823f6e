package dev.sapling.cli;

import dev.sapling.data.JsonLines;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sapling generate}: continues one prompt or a JSONL file of prompts, greedily or by sampling; plain text, or
 * one JSON line per completion with {@code --json}.
 */
final class GenerateCommand extends Command {
  static final Flag<String> PROMPT = Flag.of("prompt", "TEXT", Flag.Type.TEXT,
      "text to continue (default: empty, i.e. start from BOS); give --prompt or --prompts");
  static final Flag<Path> PROMPTS = Flag.of("prompts", "FILE.jsonl", Flag.Type.PATH, "one {\"prompt\": TEXT} per line");
  static final Flag<Integer> BATCH_SIZE = Flag.of("batch-size", "B", Flag.Type.INT.atLeast(1),
      "rows (prompts x samples) per batch").withDefault(Generator.DEFAULT_MAX_BATCH_ROWS);
  static final Flags FLAGS = Flags.of(PROMPT, PROMPTS, BATCH_SIZE)
      .with(ModelArgs.GROUP, SamplingArgs.GROUP, OutputArgs.GROUP.only(OutputArgs.JSON))
      .withNotes("Without --json, prints each continuation followed by a newline. With --json, one JSON line per "
          + "completion:\nprompt_index, sample_index, prompt_token_ids, text, token_ids, logprobs, finish_reason "
          + "(stop | eos | length).");

  GenerateCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    List<String> prompts = prompts(args);
    SamplingParams params = SamplingArgs.params(args);
    boolean json = args.get(OutputArgs.JSON);
    int batch = args.get(BATCH_SIZE);
    try (LoadedModel model = ModelArgs.load(args, err)) {
      Generator generator = Generator.of(model, o -> o.withMaxBatchRows(batch));
      for (int i = 0; i < prompts.size(); i++) {
        if (generator.encodePrompt(prompts.get(i)).length == 0) {
          throw new CliUsageException("prompt " + i + " is empty and the model has no BOS token to start from");
        }
      }
      ProgressLine progress = new ProgressLine(err);
      List<Completion> completions = new ArrayList<>();
      generator.generate(prompts, params, progress, completions::add);
      progress.finish();
      completions.sort((a, b) -> a.promptIndex() != b.promptIndex()
          ? Integer.compare(a.promptIndex(), b.promptIndex()) : Integer.compare(a.sampleIndex(), b.sampleIndex()));
      ObjectMapper mapper = new ObjectMapper();
      for (Completion c : completions) {
        out.println(json ? mapper.writeValueAsString(c.toJsonMap()) : c.text());
      }
    }
    return 0;
  }

  private static List<String> prompts(Args args) throws Exception {
    var file = args.optional(PROMPTS);
    var prompt = args.optional(PROMPT);
    if (file.isPresent() && prompt.isPresent()) {
      throw new CliUsageException("give --prompt or --prompts, not both");
    }
    if (file.isEmpty()) {
      return List.of(prompt.orElse(""));
    }
    Path path = file.get();
    List<String> prompts = new ArrayList<>();
    for (JsonLines.Line line : JsonLines.read(path)) {
      prompts.add(JsonLines.text(path, line, "prompt"));
    }
    if (prompts.isEmpty()) {
      throw new CliUsageException(path + ": no prompts in the file");
    }
    return prompts;
  }
}
