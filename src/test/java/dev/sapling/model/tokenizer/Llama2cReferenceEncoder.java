package dev.sapling.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The encoding loop of llama2.c's {@code encode()}, written out plainly as a test oracle: after the dummy prefix and
 * one token per character (bytes for unknown characters), rescan all adjacent pairs each round and merge the first
 * pair with the strictly best score. Quadratic, and independent of the priority queue in SentencePieceTokenizer.
 */
final class Llama2cReferenceEncoder {
  private final SpmVocab vocab;
  private final Map<String, Integer> ids = new HashMap<>();

  Llama2cReferenceEncoder(SpmVocab vocab) {
    this.vocab = vocab;
    for (int id = 0; id < vocab.size(); id++) {
      ids.putIfAbsent(vocab.tokens().get(id), id);
    }
  }

  int[] encode(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String s = ((vocab.addSpacePrefix() ? " " : "") + text).replace(' ', '\u2581');
    List<Integer> tokens = new ArrayList<>();
    s.codePoints().forEach(cp -> {
      String ch = new String(Character.toChars(cp));
      Integer id = ids.get(ch);
      if (id != null) {
        tokens.add(id);
      } else {
        for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
          tokens.add(ids.get(String.format("<0x%02X>", b & 0xFF)));
        }
      }
    });
    while (true) {
      float bestScore = Float.NEGATIVE_INFINITY;
      int bestId = -1;
      int bestIndex = -1;
      for (int i = 0; i + 1 < tokens.size(); i++) {
        String pair = vocab.tokens().get(tokens.get(i)) + vocab.tokens().get(tokens.get(i + 1));
        Integer id = ids.get(pair);
        if (id != null && vocab.score(id) > bestScore) {
          bestScore = vocab.score(id);
          bestId = id;
          bestIndex = i;
        }
      }
      if (bestIndex < 0) {
        break;
      }
      tokens.set(bestIndex, bestId);
      tokens.remove(bestIndex + 1);
    }
    return tokens.stream().mapToInt(Integer::intValue).toArray();
  }
}
