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
final class ScoreCommand extends Command {
  static final Flag<Path> PAIRS = Flag.of("pairs", "FILE.jsonl", Flag.Type.PATH,
      "lines {\"context\": TEXT, \"continuation\": TEXT} (BOS added to the context when the model adds one) or "
      + "{\"context_ids\": [...], \"continuation_ids\": [...]} (used exactly as given)").mandatory();
  static final Flag<Integer> TOP_ALTERNATIVES = Flag.of("top-alternatives", "K", Flag.Type.INT.atLeast(0),
      "also print the K most likely tokens at each position (top_logprobs)").withDefault(0);
  static final Flag<Integer> BATCH_SIZE = Flag.of("batch-size", "B", Flag.Type.INT.atLeast(1), "rows per batch")
      .withDefault(Scorer.DEFAULT_MAX_BATCH_ROWS);
  static final Flags FLAGS = Flags.of(PAIRS, TOP_ALTERNATIVES, BATCH_SIZE).with(ModelArgs.GROUP)
      .withNotes("Prints per pair: {\"logprob_sum\", \"logprob_mean\", \"tokens\", \"token_logprobs\"}.");

  ScoreCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    Path file = args.get(PAIRS);
    int top = args.get(TOP_ALTERNATIVES);
    int batch = args.get(BATCH_SIZE);
    List<JsonLines.Line> lines = JsonLines.read(file);
    if (lines.isEmpty()) {
      throw new CliUsageException(file + ": no pairs in the file");
    }
    try (LoadedModel model = ModelArgs.load(args, err)) {
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
