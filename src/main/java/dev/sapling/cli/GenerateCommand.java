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
import java.util.Set;

/**
 * {@code sapling generate}: continues one prompt or a JSONL file of prompts, greedily or by sampling; plain text, or
 * one JSON line per completion with {@code --json}.
 */
final class GenerateCommand implements Command {
  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "continue prompts with the base model (greedy or sampled; --json for one line per completion)";
  }

  @Override
  public String usage() {
    return "usage: sapling generate --model PATH (--prompt TEXT | --prompts FILE.jsonl) [options]\n"
        + ModelArgs.USAGE
        + "  --prompt TEXT            text to continue (default: empty, i.e. start from BOS)\n"
        + "  --prompts FILE.jsonl     one {\"prompt\": TEXT} per line\n"
        + "  --n K                    samples per prompt (default 1), sharing the prompt's prefill\n"
        + "  --greedy                 argmax decoding (same as --temperature 0)\n"
        + "  --temperature T          default 1.0\n"
        + "  --top-k K / --top-p P / --min-p P   filters (default off)\n"
        + "  --repetition-penalty R / --presence-penalty P   (default off)\n"
        + "  --max-tokens N           new tokens at most (default 256)\n"
        + "  --stop STR               stop sequence, repeatable; excluded from the text\n"
        + "  --seed S                 same seed and prompts give the same output (default 0)\n"
        + "  --batch-size B           rows (prompts x samples) per batch (default 32)\n"
        + "  --json                   one JSON line per completion: prompt_index, sample_index, prompt_token_ids,\n"
        + "                           text, token_ids, logprobs, finish_reason (stop | eos | length)\n"
        + "Without --json, prints each continuation followed by a newline.";
  }

  @Override
  public Set<String> switches() {
    return Set.of("greedy", "json");
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    List<String> prompts = prompts(args);
    SamplingParams params = params(args);
    boolean json = args.flag("json");
    int batch = args.intValue("batch-size", Generator.DEFAULT_MAX_BATCH_ROWS);
    try (LoadedModel model = ModelArgs.load(args, err)) {
      args.requireAllKnown();
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
    var file = args.path("prompts");
    var prompt = args.string("prompt");
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

  private static SamplingParams params(Args args) {
    SamplingParams p = SamplingParams.defaults();
    if (args.flag("greedy")) {
      if (args.string("temperature").isPresent()) {
        throw new CliUsageException("give --greedy or --temperature, not both");
      }
      p = SamplingParams.greedy();
    } else if (args.string("temperature").isPresent()) {
      p = p.withTemperature(args.doubleValue("temperature", 1.0));
    }
    if (args.string("top-k").isPresent()) {
      p = p.withTopK(args.intValue("top-k", 0));
    }
    if (args.string("top-p").isPresent()) {
      p = p.withTopP(args.doubleValue("top-p", 1.0));
    }
    if (args.string("min-p").isPresent()) {
      p = p.withMinP(args.doubleValue("min-p", 0.0));
    }
    if (args.string("repetition-penalty").isPresent()) {
      p = p.withRepetitionPenalty(args.doubleValue("repetition-penalty", 1.0));
    }
    if (args.string("presence-penalty").isPresent()) {
      p = p.withPresencePenalty(args.doubleValue("presence-penalty", 0.0));
    }
    if (!args.strings("stop").isEmpty()) {
      p = p.withStop(args.strings("stop"));
    }
    return p.withMaxNewTokens(args.intValue("max-tokens", 256)).withN(args.intValue("n", 1))
        .withSeed(args.longValue("seed", 0));
  }
}
