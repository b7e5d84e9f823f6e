package dev.sapling.report;

import java.util.Objects;
import java.util.UUID;

/**
 * The notebook helpers every Sapling cell and script can call (statically imported at startup), with IJava's names:
 * {@code display}, {@code render}, {@code updateDisplay}, plus {@code clearOutput} and {@code progress}.
 *
 * <pre>{@code
 * String id = display(table);                 // shows the table, returns its display id
 * updateDisplay(id, table.first(3));          // replaces it in place
 * display("<b>done</b>", "text/html");        // HTML from a string
 * for (int i : progress("steps", 100)) { ... } // a bar that updates in place
 * }</pre>
 *
 * <p>The sink is process-wide on purpose: cells run in the kernel's JVM and have one notebook to write to. The
 * kernel installs its sink at start; elsewhere outputs print as text.
 */
public final class Display {
  private static volatile DisplaySink sink = new TextSink(() -> System.out);

  private Display() {}

  /** Routes every later output to {@code newSink}. Called by the kernel and the script runner. */
  public static void useSink(DisplaySink newSink) {
    sink = Objects.requireNonNull(newSink, "sink");
  }

  /** The current sink. */
  public static DisplaySink sink() {
    return sink;
  }

  /** Shows {@code value} (restricted to {@code mimeTypes} if given) and returns the id to update it with. */
  public static String display(Object value, String... mimeTypes) {
    String id = UUID.randomUUID().toString();
    sink.show(render(value, mimeTypes), id);
    return id;
  }

  /** The bundle {@code value} would display as; returning it from a cell shows it. */
  public static MimeBundle render(Object value, String... mimeTypes) {
    return Renderers.render(value, mimeTypes);
  }

  /** Replaces the output shown with {@code displayId} by {@code value}. */
  public static void updateDisplay(String displayId, Object value, String... mimeTypes) {
    sink.update(render(value, mimeTypes), displayId);
  }

  /** Clears the cell's output now. */
  public static void clearOutput() {
    sink.clear(false);
  }

  /** Clears the cell's output, with {@code wait} only once the next output arrives (avoids flicker). */
  public static void clearOutput(boolean wait) {
    sink.clear(wait);
  }

  /** A progress bar over {@code total} steps, shown at once; iterate it or call {@link Progress#step()}. */
  public static Progress progress(String label, int total) {
    return Progress.start(label, total);
  }
}
