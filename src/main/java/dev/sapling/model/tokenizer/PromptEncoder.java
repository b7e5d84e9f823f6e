package dev.sapling.model.tokenizer;

import java.util.OptionalInt;

/**
 * The prompt-id rule: the token ids a text prompt (or a scored context) is fed to the model as, BOS first when there
 * is one, then the tokenizer's ids. {@link Tokenizer#encode} never adds BOS, so this is the one place that does: a
 * loaded model builds it from its manifest ({@code LoadedModel.promptEncoder()}), the generator and the scorer from
 * their options.
 *
 * <pre>{@code
 * PromptEncoder prompts = new PromptEncoder(tokenizer, OptionalInt.of(1));
 * int[] ids = prompts.encode("Once upon a time");   // {1, ...the text's ids}
 * }</pre>
 *
 * @param bos the id prompts start with, or empty for none
 */
public record PromptEncoder(Tokenizer tokenizer, OptionalInt bos) {
  /** Token ids of {@code text} as the model is fed them: BOS (when there is one), then the text's tokens. */
  public int[] encode(String text) {
    return withBos(tokenizer.encode(text));
  }

  /** {@code ids} after BOS when there is one; {@code ids} itself otherwise. */
  public int[] withBos(int[] ids) {
    if (bos.isEmpty()) {
      return ids;
    }
    int[] withBos = new int[ids.length + 1];
    withBos[0] = bos.getAsInt();
    System.arraycopy(ids, 0, withBos, 1, ids.length);
    return withBos;
  }
}
