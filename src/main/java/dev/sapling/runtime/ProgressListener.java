package dev.sapling.runtime;

/**
 * Hears how far a {@link Generator} or {@link Scorer} call has got, so a notebook or the CLI can draw a bar. Called
 * on the calling thread after every finished batch; keep it cheap.
 *
 * <pre>{@code
 * ProgressListener bar = p -> System.err.printf("\r%s %d/%d (%.0f tok/s)", p.task(), p.done(), p.total(),
 *     p.tokensPerSecond());
 * generator.generate(prompts, params, bar, completion -> {});
 * }</pre>
 */
@FunctionalInterface
public interface ProgressListener {
  /** Listens to nothing. */
  ProgressListener NONE = p -> {};

  void onProgress(Progress progress);

  /**
   * A snapshot of one call.
   *
   * @param task {@code "generate"} or {@code "score"}
   * @param done completions (or scored pairs) finished so far
   * @param total completions (or pairs) the call will produce
   * @param tokens tokens generated (or scored) so far
   * @param elapsedNanos time since the call started
   */
  record Progress(String task, int done, int total, long tokens, long elapsedNanos) {
    public double tokensPerSecond() {
      return elapsedNanos == 0 ? 0 : tokens / (elapsedNanos / 1e9);
    }
  }
}
