package dev.sapling.report;

import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * A progress bar for long loops that updates in place in a notebook (one display, then update_display_data
 * messages, at most every {@value #MIN_UPDATE_MS} ms and always at the end).
 *
 * <pre>{@code
 * for (int step : progress("train", 500)) { trainStep(step); }   // iterating advances the bar
 * Progress p = progress("files", files.size());                  // or by hand
 * for (Path f : files) { load(f); p.step(); }
 * }</pre>
 */
public final class Progress implements Iterable<Integer> {
  static final long MIN_UPDATE_MS = 100;
  private static final int BAR_CHARS = 30;

  private final String label;
  private final int total;
  private final String displayId;
  private final long startNanos = System.nanoTime();
  private int done;
  private long lastUpdateNanos;

  private Progress(String label, int total, String displayId) {
    this.label = label;
    this.total = total;
    this.displayId = displayId;
  }

  /** Shows a new bar at 0 of {@code total}. */
  public static Progress start(String label, int total) {
    if (total < 0) {
      throw new IllegalArgumentException("progress '" + label + "': total must be >= 0; got " + total);
    }
    Progress p = new Progress(label, total, java.util.UUID.randomUUID().toString());
    Display.sink().show(p.bundle(), p.displayId);
    p.lastUpdateNanos = System.nanoTime();
    return p;
  }

  /** Advances by one step. */
  public synchronized void step() {
    set(done + 1);
  }

  /** Sets the number of finished steps (clamped to [0, total]); the display refreshes if enough time has passed. */
  public synchronized void set(int finished) {
    done = Math.max(0, Math.min(total, finished));
    long now = System.nanoTime();
    if (done == total || now - lastUpdateNanos >= MIN_UPDATE_MS * 1_000_000) {
      lastUpdateNanos = now;
      Display.sink().update(bundle(), displayId);
    }
  }

  /** Steps finished so far. */
  public synchronized int done() {
    return done;
  }

  /** The id of the display this bar updates. */
  public String displayId() {
    return displayId;
  }

  /** Iterates 0..total-1; each step after the first advances the bar, and the end completes it. */
  @Override
  public Iterator<Integer> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        if (next >= total && done < total) {
          set(total);
        }
        return next < total;
      }

      @Override
      public Integer next() {
        if (next >= total) {
          throw new NoSuchElementException("progress '" + label + "' is already at " + total);
        }
        if (next > 0) {
          set(next);
        }
        return next++;
      }
    };
  }

  synchronized MimeBundle bundle() {
    double fraction = total == 0 ? 1.0 : (double) done / total;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    String status = String.format(Locale.ROOT, "%d/%d (%.0f%%) %.1f s", done, total, fraction * 100, seconds);
    int filled = (int) Math.round(fraction * BAR_CHARS);
    String plain = label + " [" + "#".repeat(filled) + "-".repeat(BAR_CHARS - filled) + "] " + status;
    String html = "<div class=\"sapling-progress\" style=\"font-family:monospace\">"
        + "<span>" + Html.escape(label) + "</span> "
        + "<span style=\"display:inline-block;width:200px;height:10px;background:#ddd;vertical-align:middle\">"
        + "<span style=\"display:block;height:10px;background:#3a7;width:"
        + String.format(Locale.ROOT, "%.1f", fraction * 100) + "%\"></span></span> "
        + "<span>" + Html.escape(status) + "</span></div>";
    return MimeBundle.html(html, plain);
  }
}
