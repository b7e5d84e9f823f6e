package dev.sapling.report;

/**
 * A value that knows how to show itself in a notebook. Implement it on a result type (a run, a QC report) and
 * {@code display(x)} or the last expression of a cell shows {@link #toMimeBundle()}.
 *
 * <pre>{@code
 * record Score(double value) implements Renderable {
 *   public MimeBundle toMimeBundle() { return MimeBundle.html("<b>" + value + "</b>", "score " + value); }
 * }
 * }</pre>
 */
public interface Renderable {
  /** The representations of this value; must include text/plain. */
  MimeBundle toMimeBundle();
}
