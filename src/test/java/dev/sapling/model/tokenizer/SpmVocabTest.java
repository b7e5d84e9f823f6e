package dev.sapling.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SpmVocabTest {
  private static final List<String> TOKENS = List.of("<unk>", "<s>", "a");

  private static String rejection(Runnable build) {
    return assertThrows(IllegalArgumentException.class, build::run).getMessage();
  }

  @Test
  void rejectsScoresOfTheWrongLength() {
    String message = rejection(() -> new SpmVocab(TOKENS, new float[2], new int[] {2, 3, 1}, 0,
        OptionalInt.empty(), OptionalInt.empty(), true));
    assertTrue(message.contains("scores") && message.contains("2") && message.contains("3"), message);
  }

  @Test
  void rejectsTokenTypesOfTheWrongLength() {
    String message = rejection(() -> new SpmVocab(TOKENS, new float[3], new int[] {2, 3}, 0,
        OptionalInt.empty(), OptionalInt.empty(), true));
    assertTrue(message.contains("tokenTypes"), message);
  }

  @Test
  void rejectsUnknownTokenTypes() {
    String message = rejection(() -> new SpmVocab(TOKENS, new float[3], new int[] {2, 3, 7}, 0,
        OptionalInt.empty(), OptionalInt.empty(), true));
    assertTrue(message.contains("tokenTypes[2]") && message.contains("7"), message);
  }

  @Test
  void rejectsSpecialIdsOutsideTheVocabulary() {
    String unk = rejection(() -> new SpmVocab(TOKENS, new float[3], new int[] {2, 3, 1}, 3,
        OptionalInt.empty(), OptionalInt.empty(), true));
    assertTrue(unk.contains("unkId") && unk.contains("3"), unk);
    String bos = rejection(() -> new SpmVocab(TOKENS, new float[3], new int[] {2, 3, 1}, 0,
        OptionalInt.of(-1), OptionalInt.empty(), true));
    assertTrue(bos.contains("bosId"), bos);
    String eos = rejection(() -> new SpmVocab(TOKENS, new float[3], new int[] {2, 3, 1}, 0,
        OptionalInt.empty(), OptionalInt.of(9), true));
    assertTrue(eos.contains("eosId"), eos);
  }

  @Test
  void rejectsEmptyPieces() {
    String message = rejection(() -> new SpmVocab(List.of("<unk>", ""), new float[2], new int[] {2, 1}, 0,
        OptionalInt.empty(), OptionalInt.empty(), true));
    assertTrue(message.contains("tokens[1]"), message);
  }

  @Test
  void copiesArraysSoTheVocabularyCannotChange() {
    float[] scores = {0, 0, -1};
    SpmVocab vocab = new SpmVocab(TOKENS, scores, new int[] {2, 3, 1}, 0, OptionalInt.of(1), OptionalInt.empty(),
        true);
    scores[2] = 5;
    vocab.scores()[2] = 7;
    assertEquals(-1f, vocab.score(2));
    assertNotSame(vocab.scores(), vocab.scores());
    assertEquals(vocab, new SpmVocab(TOKENS, new float[] {0, 0, -1}, new int[] {2, 3, 1}, 0, OptionalInt.of(1),
        OptionalInt.empty(), true));
  }
}
