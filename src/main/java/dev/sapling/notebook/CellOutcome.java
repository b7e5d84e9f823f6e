package dev.sapling.notebook;

import java.util.Optional;

/**
 * The result of running one cell: the value of its last expression (if it ends with one), or the error that stopped
 * it.
 *
 * <pre>{@code
 * CellOutcome o = session.eval("6 * 7", "cell");
 * o.value();   // Optional[42]
 * }</pre>
 *
 * @param value the last expression's value (may hold null only through {@link #hasValue()})
 * @param hasValue whether the cell ended with an expression whose value should be shown
 * @param error the failure, if any
 */
public record CellOutcome(Object value, boolean hasValue, Optional<CellError> error) {
  /** A cell that ran and ended without a value to show. */
  public static CellOutcome empty() {
    return new CellOutcome(null, false, Optional.empty());
  }

  /** A cell whose last expression evaluated to {@code value}. */
  public static CellOutcome of(Object value) {
    return new CellOutcome(value, true, Optional.empty());
  }

  /** A failed cell. */
  public static CellOutcome failed(CellError error) {
    return new CellOutcome(null, false, Optional.of(error));
  }

  public boolean ok() {
    return error.isEmpty();
  }
}
