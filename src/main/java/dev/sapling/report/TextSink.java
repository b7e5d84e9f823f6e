package dev.sapling.report;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * A {@link DisplaySink} for scripts and terminals: prints each output's text/plain form; an update prints the new
 * text again, and clearing does nothing.
 *
 * <pre>{@code
 * Display.useSink(new TextSink(() -> System.out));
 * }</pre>
 */
public final class TextSink implements DisplaySink {
  private final Supplier<PrintStream> out;

  /** Prints to whatever {@code out} returns at the time of each output (so System.setOut is honoured). */
  public TextSink(Supplier<PrintStream> out) {
    this.out = out;
  }

  @Override
  public void show(MimeBundle bundle, String displayId) {
    out.get().println(bundle.plainText());
  }

  @Override
  public void update(MimeBundle bundle, String displayId) {
    out.get().println(bundle.plainText());
  }

  @Override
  public void clear(boolean wait) {
    // a terminal cannot take back what it printed
  }
}
