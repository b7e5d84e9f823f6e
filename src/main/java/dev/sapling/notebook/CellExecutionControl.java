package dev.sapling.notebook;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets inside this JVM, each on its own thread, so that {@link #stop()} can really stop a busy loop
 * (the thread is stopped; the kernel thread that waits for it carries on). It also keeps the last value as an object,
 * not just its string, so the kernel can render a Tablesaw table or an image.
 *
 * <p>{@code DirectExecutionControl} alone cannot stop anything, and interrupting the thread (what IJava and JJava do)
 * does not end a loop that never checks for interrupts.
 *
 * <pre>{@code
 * JShell shell = JShell.builder().executionEngine(new CellExecutionControl.Provider(control -> ...), Map.of()).build();
 * }</pre>
 */
final class CellExecutionControl extends DirectExecutionControl {
  /** Marks "the last snippet produced no value". */
  static final Object NO_VALUE = new Object();

  private final ThreadGroup cellThreads = new ThreadGroup("sapling-cells");
  private volatile Thread running;
  private volatile boolean stopRequested;
  private volatile boolean stopped;
  private volatile Object lastValue = NO_VALUE;

  @Override
  protected String invoke(Method doitMethod) throws Exception {
    AtomicReference<Object> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread cell = new Thread(cellThreads, () -> {
      try {
        result.set(doitMethod.invoke(null));
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof ThreadDeath) {
          stopped = true;
        } else {
          failure.set(e);
        }
      } catch (ThreadDeath e) {
        stopped = true;
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "sapling-cell");
    cell.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    cell.setDaemon(true);
    running = cell;
    cell.start();
    try {
      cell.join();
    } finally {
      running = null;
    }
    if (stopped) {
      throw new ExecutionControl.StoppedException();
    }
    Throwable thrown = failure.get();
    if (thrown instanceof Exception e) {
      throw e;
    }
    if (thrown instanceof Error e) {
      throw new InvocationTargetException(e);
    }
    lastValue = result.get();
    return valueString(result.get());
  }

  /** Stops the running snippet, if any; the waiting evaluation then reports it as stopped. */
  @Override
  @SuppressWarnings({"deprecation", "removal"})
  public void stop() {
    Thread cell = running;
    stopRequested = true;
    if (cell == null) {
      return;
    }
    try {
      cell.stop();
    } catch (UnsupportedOperationException e) {
      // Java 20+ removed Thread.stop; an interrupt is the best that remains there
      cell.interrupt();
    }
  }

  /** Clears the value and stop flags before a new cell. */
  void reset() {
    lastValue = NO_VALUE;
    stopped = false;
    stopRequested = false;
  }

  /** Whether a snippet of the current cell was stopped (or a stop was asked for). */
  boolean wasStopped() {
    return stopped || stopRequested;
  }

  /** The object the last invoked snippet evaluated to, or {@link #NO_VALUE}. */
  Object lastValue() {
    return lastValue;
  }

  /** Hands JShell the one control instance this session owns. */
  static final class Provider implements ExecutionControlProvider {
    private final CellExecutionControl control;

    Provider(CellExecutionControl control) {
      this.control = control;
    }

    @Override
    public String name() {
      return "sapling-cells";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
      return control;
    }
  }
}
