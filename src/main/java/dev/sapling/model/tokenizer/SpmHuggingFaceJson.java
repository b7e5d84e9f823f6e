package dev.sapling.model.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face {@code tokenizer.json} equivalent to {@link SentencePieceTokenizer} for an {@link SpmVocab}.
 *
 * <p>The model is BPE with {@code byte_fallback} and {@code fuse_unk}. SentencePiece merges the adjacent pair whose
 * concatenation has the highest score; BPE merges the pair with the lowest rank. So every way of writing a mergeable
 * piece as two pieces of the vocabulary becomes a merge, and merges are ranked by the merged piece's score,
 * descending (ties: lower merged id, then lower left id, then lower right id — the order of Hugging Face's own
 * {@code LlamaConverter}). Both algorithms then pick the same pair at every step, as long as no two different merges
 * that could compete share a score (ties are leftmost-first in SentencePiece, rank-first in BPE); Llama vocabularies
 * give each merged piece its own score.
 *
 * <p>The normalizer prepends "▁" (when the vocabulary adds a space prefix) and replaces spaces by "▁"; there is no
 * pre-tokenizer, so the whole text is one BPE word, as in SentencePiece. The decoder replaces "▁" by a space,
 * turns byte tokens into bytes, fuses, and strips one leading space. Control and unknown tokens are special added
 * tokens, so {@code skip_special_tokens} drops them; there is no post-processor, so no BOS is added.
 *
 * <p>Known differences: Hugging Face always matches added tokens in the input, so the literal text "&lt;s&gt;"
 * encodes to the BOS id there, while {@link SentencePieceTokenizer#encode} encodes it as ordinary text. And in a
 * vocabulary that lacks some of the 256 byte tokens, Hugging Face's BPE emits an unknown token only when the next
 * known character comes, after any byte tokens in between; Sapling keeps text order.
 */
final class SpmHuggingFaceJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPACE_MARK = String.valueOf(SentencePieceTokenizer.SPACE_MARK);

  private SpmHuggingFaceJson() {}

  /** One BPE merge: {@code left + right = merged}. */
  record Merge(String left, String right, int leftId, int rightId, int mergedId, float score) {}

  static String write(SpmVocab vocab) {
    Map<String, Integer> ids = uniqueIds(vocab);
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    root.set("added_tokens", addedTokens(vocab));
    root.set("normalizer", normalizer(vocab));
    root.putNull("pre_tokenizer");
    root.putNull("post_processor");
    root.set("decoder", decoder(vocab));
    root.set("model", model(vocab, ids));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write tokenizer.json: " + e.getMessage(), e);
    }
  }

  /**
   * The BPE merges equivalent to SentencePiece's score order: every split of a mergeable piece into two pieces of
   * the vocabulary (byte tokens excluded), best merged score first.
   */
  static List<Merge> merges(SpmVocab vocab, Map<String, Integer> ids) {
    List<Merge> merges = new ArrayList<>();
    for (int merged = 0; merged < vocab.size(); merged++) {
      if (!vocab.isMergeable(merged)) {
        continue;
      }
      String piece = vocab.tokens().get(merged);
      for (int cut = piece.offsetByCodePoints(0, 1); cut < piece.length(); cut = piece.offsetByCodePoints(cut, 1)) {
        Integer left = ids.get(piece.substring(0, cut));
        Integer right = ids.get(piece.substring(cut));
        if (left != null && right != null && vocab.tokenType(left) != SpmVocab.BYTE
            && vocab.tokenType(right) != SpmVocab.BYTE) {
          merges.add(new Merge(piece.substring(0, cut), piece.substring(cut), left, right, merged,
              vocab.score(merged)));
        }
      }
    }
    // == makes -0.0 and 0.0 one score, as the encoder's comparison does
    Comparator<Merge> byScore = (a, b) -> a.score() == b.score() ? 0 : Float.compare(b.score(), a.score());
    merges.sort(byScore
        .thenComparingInt(Merge::mergedId)
        .thenComparingInt(Merge::leftId)
        .thenComparingInt(Merge::rightId));
    return merges;
  }

  /** Piece to id; Hugging Face's vocabulary is a map, so a piece may not appear twice. */
  static Map<String, Integer> uniqueIds(SpmVocab vocab) {
    Map<String, Integer> ids = new HashMap<>(vocab.size() * 2);
    for (int id = 0; id < vocab.size(); id++) {
      Integer first = ids.putIfAbsent(vocab.tokens().get(id), id);
      if (first != null) {
        throw new IllegalArgumentException("SpmVocab.tokens has \"" + vocab.tokens().get(id) + "\" at ids " + first
            + " and " + id + "; a Hugging Face tokenizer.json needs each piece once");
      }
    }
    return ids;
  }

  private static ArrayNode addedTokens(SpmVocab vocab) {
    ArrayNode added = JSON.createArrayNode();
    for (int id = 0; id < vocab.size(); id++) {
      if (vocab.isSpecial(id)) {
        ObjectNode token = added.addObject();
        token.put("id", id);
        token.put("content", vocab.tokens().get(id));
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", false);
        token.put("special", true);
      }
    }
    return added;
  }

  private static ObjectNode normalizer(SpmVocab vocab) {
    ObjectNode sequence = JSON.createObjectNode();
    sequence.put("type", "Sequence");
    ArrayNode steps = sequence.putArray("normalizers");
    if (vocab.addSpacePrefix()) {
      steps.addObject().put("type", "Prepend").put("prepend", SPACE_MARK);
    }
    steps.add(replace(" ", SPACE_MARK));
    return sequence;
  }

  private static ObjectNode decoder(SpmVocab vocab) {
    ObjectNode sequence = JSON.createObjectNode();
    sequence.put("type", "Sequence");
    ArrayNode steps = sequence.putArray("decoders");
    steps.add(replace(SPACE_MARK, " "));
    steps.addObject().put("type", "ByteFallback");
    steps.addObject().put("type", "Fuse");
    if (vocab.addSpacePrefix()) {
      steps.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    }
    return sequence;
  }

  private static ObjectNode replace(String pattern, String content) {
    ObjectNode replace = JSON.createObjectNode();
    replace.put("type", "Replace");
    replace.putObject("pattern").put("String", pattern);
    replace.put("content", content);
    return replace;
  }

  private static ObjectNode model(SpmVocab vocab, Map<String, Integer> ids) {
    ObjectNode model = JSON.createObjectNode();
    model.put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", vocab.tokens().get(vocab.unkId()));
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", true);
    model.put("byte_fallback", true);
    model.put("ignore_merges", false);
    ObjectNode pieces = model.putObject("vocab");
    for (int id = 0; id < vocab.size(); id++) {
      pieces.put(vocab.tokens().get(id), id);
    }
    ArrayNode merges = model.putArray("merges");
    for (Merge merge : merges(vocab, ids)) {
      merges.addArray().add(merge.left()).add(merge.right());
    }
    return model;
  }
}
