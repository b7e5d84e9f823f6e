package dev.sapling.eval.ifeval;

/**
 * The comparison of a count-limited instruction: {@code "less than"} (strictly fewer) or {@code "at least"}.
 *
 * <pre>{@code
 * Relation.parse("less than").holds(299, 300);   // true
 * }</pre>
 */
public enum Relation {
  LESS_THAN("less than"),
  AT_LEAST("at least");

  private final String text;

  Relation(String text) {
    this.text = text;
  }

  /** The phrase used in IFEval kwargs. */
  public String text() {
    return text;
  }

  /** Whether {@code count} satisfies this relation to {@code limit}. */
  public boolean holds(int count, int limit) {
    return this == LESS_THAN ? count < limit : count >= limit;
  }

  /** Parses the kwargs phrase; anything other than the two known phrases is an error naming it. */
  public static Relation parse(String text) {
    for (Relation r : values()) {
      if (r.text.equals(text)) {
        return r;
      }
    }
    throw new IfevalException("relation '" + text + "' is not supported; expected 'less than' or 'at least'");
  }
}
