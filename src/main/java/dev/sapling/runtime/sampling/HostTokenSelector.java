package dev.sapling.runtime.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Selection in Java: copies the logits rows that are asked for (only those: rows of finished completions stay on the
 * device) and draws each with {@link TokenSampler}. Rows draw in parallel when the batch is large enough to pay for
 * it; each row has its own random generator, so the result does not depend on the threads.
 *
 * <pre>{@code
 * TokenSampler.Draw[] d = new HostTokenSelector(params, vocabSize).select(logits, rows, states);
 * }</pre>
 */
public final class HostTokenSelector implements TokenSelector {
  /** Rows × vocabulary above which rows are sampled in parallel (below it, threads cost more than they save). */
  private static final long PARALLEL_SAMPLING_WORK = 1L << 17;

  private final int vocab;
  private final ThreadLocal<TokenSampler> samplers;

  public HostTokenSelector(SamplingParams params, int vocabSize) {
    this.vocab = vocabSize;
    this.samplers = ThreadLocal.withInitial(() -> new TokenSampler(params, vocabSize));
  }

  @Override
  public TokenSampler.Draw[] select(NDArray logits, int[] logitRows, SamplingState[] states) {
    long batch = logits.getShape().get(0);
    NDArray rows = logits.reshape(batch, vocab);
    int[] needed = IntStream.of(logitRows).distinct().sorted().toArray();
    int[] local = logitRows; // each requested row's index among the copied rows
    if (needed.length < batch) {
      rows = rows.get(new NDIndex("{}", logits.getManager().create(Arrays.stream(needed).asLongStream().toArray())));
      local = IntStream.of(logitRows).map(r -> Arrays.binarySearch(needed, r)).toArray();
    }
    float[] host = rows.toFloatArray();
    int[] offsets = local;
    TokenSampler.Draw[] draws = new TokenSampler.Draw[logitRows.length];
    IntStream indices = IntStream.range(0, logitRows.length);
    if ((long) logitRows.length * vocab >= PARALLEL_SAMPLING_WORK) {
      indices = indices.parallel();
    }
    indices.forEach(i -> draws[i] = samplers.get().draw(host, offsets[i] * vocab, states[i]));
    return draws;
  }
}
