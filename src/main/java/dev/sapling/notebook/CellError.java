package dev.sapling.notebook;

import java.util.List;

/**
 * Why a cell failed, in Jupyter's terms: the exception's real class name, its message, and traceback lines that
 * point at the cell's own lines ({@code at cell line 3}) rather than at JShell's generated classes.
 *
 * <pre>{@code
 * new CellError("java.lang.ArithmeticException", "/ by zero",
 *     List.of("java.lang.ArithmeticException: / by zero", "    at cell line 2"));
 * }</pre>
 *
 * @param name the exception class name (for compile errors {@code CompileError}, for interrupts {@code Interrupted})
 * @param message the message, never null
 * @param traceback the lines to show, first line included
 */
public record CellError(String name, String message, List<String> traceback) {
  public CellError {
    message = message == null ? "" : message;
    traceback = List.copyOf(traceback);
  }

  /** The whole error as text, for scripts and logs. */
  public String text() {
    return String.join("\n", traceback);
  }
}
