package dev.sapling.testing;

import dev.sapling.data.Hashing;
import dev.sapling.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A 64-piece test tokenizer: ids 0-2 are pad, BOS and EOS (skipped by decode); the rest are single letters and a few
 * multi-character pieces, so a stop string can fall across or inside tokens. Encoding is greedy longest match. The
 * tiny model of {@link TinyModelExtension} has its vocabulary.
 *
 * <pre>{@code
 * new TinyTokenizer().encode("the cat");   // {34, 29, 61}
 * }</pre>
 */
public final class TinyTokenizer implements Tokenizer {
  public static final int BOS = 1;
  public static final int EOS = 2;
  /** The number of pieces, ids 0 to 63. */
  public static final int VOCAB_SIZE = 64;
  static final List<String> PIECES;

  static {
    List<String> p = new ArrayList<>(List.of("<pad>", "<s>", "</s>"));
    for (char c = 'a'; c <= 'z'; c++) {
      p.add(String.valueOf(c));
    }
    p.addAll(List.of(" ", ".", "\n", "#", "##", "the", " the", "ab", "ba", "END", "\n\n"));
    for (char c = '0'; c <= '9'; c++) {
      p.add(String.valueOf(c));
    }
    p.addAll(List.of("xy", "yx", "aa", " a", "a ", "!", "?", ",", "###", "<|", "|>", "cat", "dog", "s."));
    PIECES = List.copyOf(p);
    if (PIECES.size() != VOCAB_SIZE) {
      throw new AssertionError("TinyTokenizer has " + PIECES.size() + " pieces; VOCAB_SIZE says " + VOCAB_SIZE);
    }
  }

  @Override
  public int[] encode(String text) {
    List<Integer> ids = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int best = -1;
      for (int id = 3; id < PIECES.size(); id++) {
        String piece = PIECES.get(id);
        if (text.startsWith(piece, at) && (best < 0 || piece.length() > PIECES.get(best).length())) {
          best = id;
        }
      }
      if (best < 0) {
        throw new IllegalArgumentException("no piece for '" + text.charAt(at) + "' at " + at);
      }
      ids.add(best);
      at += PIECES.get(best).length();
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      if (id > EOS) {
        sb.append(PIECES.get(id));
      }
    }
    return sb.toString();
  }

  /** The text of one piece (special pieces included). */
  public static String piece(int id) {
    return PIECES.get(id);
  }

  @Override
  public int vocabSize() {
    return PIECES.size();
  }

  @Override
  public OptionalInt bosId() {
    return OptionalInt.of(BOS);
  }

  @Override
  public OptionalInt eosId() {
    return OptionalInt.of(EOS);
  }

  @Override
  public String sha256() {
    return Hashing.sha256(String.join("\u0000", PIECES).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
