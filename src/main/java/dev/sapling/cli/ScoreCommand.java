package dev.sapling.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.SaplingException;
import dev.sapling.data.JsonLines;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sapling score --model PATH --pairs FILE.jsonl}: per-token log-probs of each continuation given its context,
 * one JSON line per pair.
 */
final class ScoreCommand implements Command {
  @Override
  public String name() {
    return "score";
  }

  @Override
  public String summary() {
    return "log-probabilities of continuations given contexts (teacher forcing), one JSON line per pair";
  }

  @Override
  public String usage() {
    return "usage: sapling score --model PATH --pairs FILE.jsonl [--top-alternatives K] [--batch-size B]\n"
        + ModelArgs.USAGE
        + "  --pairs FILE.jsonl       lines {\"context\": TEXT, \"continuation\": TEXT} (BOS added to the context when\n"
        + "                           the model adds one) or {\"context_ids\": [...], \"continuation_ids\": [...]}\n"
        + "                           (used exactly as given)\n"
        + "  --top-alternatives K     also print the K most likely tokens at each position (top_logprobs)\n"
        + "  --batch-size B           rows per batch (default 32)\n"
        + "Prints per pair: {\"logprob_sum\", \"logprob_mean\", \"tokens\", \"token_logprobs\"}.";
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    Path file = args.requiredPath("pairs");
    int top = args.intValue("top-alternatives", 0);
    int batch = args.intValue("batch-size", Scorer.DEFAULT_MAX_BATCH_ROWS);
    List<JsonLines.Line> lines = JsonLines.read(file);
    if (lines.isEmpty()) {
      throw new CliUsageException(file + ": no pairs in the file");
    }
    try (LoadedModel model = ModelArgs.load(args, err)) {
      args.requireAllKnown();
      Scorer scorer = Scorer.of(model, o -> o.withMaxBatchRows(batch).withTopAlternatives(top));
      List<Scorer.Pair> pairs = new ArrayList<>();
      for (JsonLines.Line line : lines) {
        pairs.add(pair(scorer, model, file, line));
      }
      ProgressLine progress = new ProgressLine(err);
      List<ScoredText> scored = scorer.score(pairs, progress);
      progress.finish();
      ObjectMapper mapper = new ObjectMapper();
      for (ScoredText s : scored) {
        out.println(mapper.writeValueAsString(s.toJsonMap()));
      }
    }
    return 0;
  }

  private static Scorer.Pair pair(Scorer scorer, LoadedModel model, Path file, JsonLines.Line line) {
    boolean ids = line.json().has("context_ids") || line.json().has("continuation_ids");
    if (!ids) {
      return scorer.encode(JsonLines.text(file, line, "context"), JsonLines.text(file, line, "continuation"));
    }
    int[] context = JsonLines.ids(file, line, "context_ids");
    int[] continuation = JsonLines.ids(file, line, "continuation_ids");
    if (context.length == 0) {
      throw new SaplingException(file + ":" + line.number() + ": context_ids is empty; the first continuation token "
          + "needs a context (start it with the BOS id)");
    }
    model.config().requireTokenIds(file + ":" + line.number() + ": context_ids", context);
    model.config().requireTokenIds(file + ":" + line.number() + ": continuation_ids", continuation);
    return new Scorer.Pair(context, continuation);
  }
}
