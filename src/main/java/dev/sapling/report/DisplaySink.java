package dev.sapling.report;

/**
 * Where {@link Display} sends outputs: the Jupyter kernel publishes them as display messages; scripts print their
 * text. Implementations must be safe to call from any thread.
 *
 * <pre>{@code
 * Display.useSink(new TextSink(System.out));
 * }</pre>
 */
public interface DisplaySink {
  /** Shows a new output that can later be replaced through {@code displayId}. */
  void show(MimeBundle bundle, String displayId);

  /** Replaces, in place, the output shown earlier with {@code displayId}. */
  void update(MimeBundle bundle, String displayId);

  /** Clears the current cell's output; with {@code wait}, only when the next output arrives. */
  void clear(boolean wait);
}
