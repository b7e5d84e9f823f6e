package dev.sapling.runtime.sampling;

/**
 * Why a completion ended. {@link #LENGTH} is the raw signal the QC stage calls <em>runaway</em>.
 *
 * <pre>{@code
 * if (completion.finishReason() == FinishReason.LENGTH) { runaways++; }
 * String json = completion.finishReason().jsonName();   // "length"
 * }</pre>
 */
public enum FinishReason {
  /** A stop sequence appeared in the text. */
  STOP,
  /** The model emitted an end-of-sequence token. */
  EOS,
  /** The completion reached {@code max_new_tokens}. */
  LENGTH;

  /** The name used in JSON output: {@code stop}, {@code eos}, {@code length}. */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
