package dev.sapling.model.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A SentencePiece (llama.cpp "llama"/SPM) vocabulary as GGUF stores it: one piece, score and type per id, plus the
 * special ids and the dummy-prefix setting. Arrays are copied in and out, so a vocabulary never changes.
 *
 * <p>Token types follow GGUF's {@code tokenizer.ggml.token_type}: {@value #NORMAL} normal, {@value #UNKNOWN}
 * unknown, {@value #CONTROL} control, {@value #USER_DEFINED} user-defined, {@value #UNUSED} unused, {@value #BYTE}
 * byte ({@code <0xXX>}); {@value #UNDEFINED} (undefined) is accepted and treated as normal.
 *
 * <pre>{@code
 * SpmVocab vocab = new SpmVocab(tokens, scores, types, 0, OptionalInt.of(1), OptionalInt.of(2), true);
 * Tokenizer tokenizer = new SentencePieceTokenizer(vocab);
 * }</pre>
 *
 * @param tokens the piece of each id, "▁" (U+2581) standing for a space
 * @param scores the SentencePiece score of each id; a higher score merges first
 * @param tokenTypes the GGUF token type of each id
 * @param unkId the id emitted for text that has neither a piece nor byte tokens
 * @param bosId the beginning-of-sequence id, if any
 * @param eosId the end-of-sequence id, if any
 * @param addSpacePrefix whether encoding prepends a space to the text (GGUF's
 *     {@code tokenizer.ggml.add_space_prefix}, true when absent)
 */
public record SpmVocab(
    List<String> tokens,
    float[] scores,
    int[] tokenTypes,
    int unkId,
    OptionalInt bosId,
    OptionalInt eosId,
    boolean addSpacePrefix) {

  public static final int UNDEFINED = 0;
  public static final int NORMAL = 1;
  public static final int UNKNOWN = 2;
  public static final int CONTROL = 3;
  public static final int USER_DEFINED = 4;
  public static final int UNUSED = 5;
  public static final int BYTE = 6;

  public SpmVocab {
    Objects.requireNonNull(tokens, "SpmVocab.tokens must not be null");
    Objects.requireNonNull(scores, "SpmVocab.scores must not be null");
    Objects.requireNonNull(tokenTypes, "SpmVocab.tokenTypes must not be null");
    Objects.requireNonNull(bosId, "SpmVocab.bosId must not be null; use OptionalInt.empty()");
    Objects.requireNonNull(eosId, "SpmVocab.eosId must not be null; use OptionalInt.empty()");
    int n = tokens.size();
    if (n == 0) {
      throw new IllegalArgumentException("SpmVocab.tokens is empty; a vocabulary needs at least the unknown token");
    }
    for (int i = 0; i < n; i++) {
      String token = tokens.get(i);
      if (token == null || token.isEmpty()) {
        throw new IllegalArgumentException(
            "SpmVocab.tokens[" + i + "] is " + (token == null ? "null" : "empty") + "; every id needs a piece");
      }
    }
    if (scores.length != n) {
      throw new IllegalArgumentException(
          "SpmVocab.scores has " + scores.length + " entries but tokens has " + n + "; they must agree");
    }
    if (tokenTypes.length != n) {
      throw new IllegalArgumentException(
          "SpmVocab.tokenTypes has " + tokenTypes.length + " entries but tokens has " + n + "; they must agree");
    }
    for (int i = 0; i < n; i++) {
      if (tokenTypes[i] < UNDEFINED || tokenTypes[i] > BYTE) {
        throw new IllegalArgumentException("SpmVocab.tokenTypes[" + i + "] is " + tokenTypes[i]
            + "; expected a GGUF token type 0..6 (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)");
      }
      if (Float.isNaN(scores[i])) {
        throw new IllegalArgumentException("SpmVocab.scores[" + i + "] is NaN; scores must be numbers");
      }
    }
    checkId("unkId", unkId, n);
    if (bosId.isPresent()) {
      checkId("bosId", bosId.getAsInt(), n);
    }
    if (eosId.isPresent()) {
      checkId("eosId", eosId.getAsInt(), n);
    }
    tokens = List.copyOf(tokens);
    scores = scores.clone();
    tokenTypes = tokenTypes.clone();
  }

  private static void checkId(String field, int id, int size) {
    if (id < 0 || id >= size) {
      throw new IllegalArgumentException(
          "SpmVocab." + field + " is " + id + "; expected an id in [0, " + size + ") of the " + size + " tokens");
    }
  }

  /** A copy of the scores. */
  @Override
  public float[] scores() {
    return scores.clone();
  }

  /** A copy of the token types. */
  @Override
  public int[] tokenTypes() {
    return tokenTypes.clone();
  }

  /** Equal when every piece, score, type, special id and setting is equal. */
  @Override
  public boolean equals(Object other) {
    return other instanceof SpmVocab v
        && tokens.equals(v.tokens)
        && Arrays.equals(scores, v.scores)
        && Arrays.equals(tokenTypes, v.tokenTypes)
        && unkId == v.unkId
        && bosId.equals(v.bosId)
        && eosId.equals(v.eosId)
        && addSpacePrefix == v.addSpacePrefix;
  }

  @Override
  public int hashCode() {
    return Objects.hash(tokens, Arrays.hashCode(scores), Arrays.hashCode(tokenTypes), unkId, bosId, eosId,
        addSpacePrefix);
  }

  /** A one-line summary; the pieces themselves are too many to print. */
  @Override
  public String toString() {
    return "SpmVocab[" + tokens.size() + " tokens, unkId=" + unkId + ", bosId=" + bosId + ", eosId=" + eosId
        + ", addSpacePrefix=" + addSpacePrefix + "]";
  }

  /** Number of ids. */
  public int size() {
    return tokens.size();
  }

  /** Whether {@code id} is a control or unknown token: never produced from text, and skipped when decoding. */
  public boolean isSpecial(int id) {
    return tokenTypes[id] == CONTROL || tokenTypes[id] == UNKNOWN;
  }

  /** Whether encoding may merge symbols into {@code id}: normal, user-defined and undefined pieces. */
  boolean isMergeable(int id) {
    int type = tokenTypes[id];
    return type == NORMAL || type == USER_DEFINED || type == UNDEFINED;
  }

  /** GGUF type of {@code id}. */
  public int tokenType(int id) {
    return tokenTypes[id];
  }

  /** Score of {@code id}. */
  public float score(int id) {
    return scores[id];
  }
}
