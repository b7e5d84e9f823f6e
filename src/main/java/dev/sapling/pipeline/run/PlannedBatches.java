package dev.sapling.pipeline.run;

import dev.sapling.runtime.Generator;
import dev.sapling.runtime.ProgressListener;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Generation in batches planned from a stage's input and settings alone: prompts are cut, in input order, into
 * consecutive batches of {@code max(1, batchRows / n)} prompts, and each prompt samples from its own record seed. A
 * resumed stage therefore runs exactly the batches an uninterrupted one runs, and a record's samples do not depend on
 * where it sits.
 *
 * <pre>{@code
 * for (PlannedBatches.Batch b : PlannedBatches.plan(prompts.size(), 4, 32)) {
 *   List<Completion> out = PlannedBatches.generate(generator, b, prompts, seeds, params);
 * }
 * }</pre>
 */
public final class PlannedBatches {
  private PlannedBatches() {}

  /** Prompts {@code [from, to)} of the stage's input. */
  public record Batch(int from, int to) {}

  /** The batches for {@code prompts} prompts of {@code n} samples each at {@code batchRows} rows per batch. */
  public static List<Batch> plan(int prompts, int n, int batchRows) {
    int per = Math.max(1, batchRows / Math.max(1, n));
    List<Batch> out = new ArrayList<>();
    for (int from = 0; from < prompts; from += per) {
      out.add(new Batch(from, Math.min(prompts, from + per)));
    }
    return out;
  }

  /**
   * Samples batch {@code b}: completions ordered by (prompt, sample), with {@link Completion#promptIndex()} counted
   * from the start of the whole input.
   */
  public static List<Completion> generate(Generator generator, Batch b, List<int[]> prompts, long[] seeds,
      SamplingParams params) {
    List<int[]> sub = prompts.subList(b.from(), b.to());
    long[] subSeeds = Arrays.copyOfRange(seeds, b.from(), b.to());
    List<Completion> out = new ArrayList<>();
    generator.with(o -> o.withMaxBatchRows(Math.max(1, sub.size() * params.n())))
        .generateIds(sub, subSeeds, params, ProgressListener.NONE, out::add);
    out.sort(Comparator.comparingInt(Completion::promptIndex).thenComparingInt(Completion::sampleIndex));
    List<Completion> shifted = new ArrayList<>(out.size());
    for (Completion c : out) {
      shifted.add(new Completion(c.promptIndex() + b.from(), c.sampleIndex(), c.promptTokenIds(), c.text(),
          c.tokenIds(), c.logprobs(), c.finishReason(), c.timing()));
    }
    return shifted;
  }
}
