package dev.sapling.model.tokenizer;

import java.util.OptionalInt;

/**
 * Text to token ids and back, as a base model sees it. {@link #encode} adds no special tokens (no BOS, no EOS, no
 * chat template); callers that want BOS add {@link #bosId()} themselves, so BOS handling is explicit.
 *
 * <pre>{@code
 * int[] ids = tokenizer.encode("Once upon a time");
 * String back = tokenizer.decode(ids);   // "Once upon a time"
 * }</pre>
 */
public interface Tokenizer {
  /** Token ids of {@code text}, without any special token. */
  int[] encode(String text);

  /** Text of {@code ids}; special tokens (BOS, EOS, pad) are skipped. */
  String decode(int[] ids);

  /** Number of ids, including special tokens. */
  int vocabSize();

  /** The beginning-of-sequence id, if the vocabulary has one. */
  OptionalInt bosId();

  /** The end-of-sequence id, if the vocabulary has one. */
  OptionalInt eosId();

  /** SHA-256 of a canonical serialisation of this tokenizer (vocab, merges, settings), for manifests. */
  String sha256();
}
