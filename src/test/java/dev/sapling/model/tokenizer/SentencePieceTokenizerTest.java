package dev.sapling.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {
  private static final SpmVocab STORIES = Stories260KVocab.load();
  private static final SentencePieceTokenizer TOKENIZER = new SentencePieceTokenizer(STORIES);

  /** ids: 0 unk, 1 s, 2 /s, 3 a, 4 b, 5 c, 6 "ab", 7 "bc". */
  private static SpmVocab tiny(float abScore, float bcScore) {
    return new SpmVocab(List.of("<unk>", "<s>", "</s>", "a", "b", "c", "ab", "bc"),
        new float[] {0, 0, 0, -10, -10, -10, abScore, bcScore},
        new int[] {2, 3, 3, 1, 1, 1, 1, 1}, 0, OptionalInt.of(1), OptionalInt.of(2), false);
  }

  @Test
  void mergesTheHighestScoringPairFirstWhateverItsPosition() {
    // "bc" outscores "ab" although "ab" comes first in the text and in the vocabulary
    assertArrayEquals(new int[] {3, 7}, new SentencePieceTokenizer(tiny(-2, -1)).encode("abc"));
    assertArrayEquals(new int[] {3, 7, 6}, new SentencePieceTokenizer(tiny(-2, -1)).encode("abcab"));
    assertArrayEquals(new int[] {6, 5}, new SentencePieceTokenizer(tiny(-1, -2)).encode("abc"));
    assertArrayEquals(new int[] {6, 5, 6}, new SentencePieceTokenizer(tiny(-1, -2)).encode("abcab"));
  }

  @Test
  void breaksScoreTiesLeftmostFirst() {
    assertArrayEquals(new int[] {6, 5}, new SentencePieceTokenizer(tiny(-1, -1)).encode("abc"));
    assertArrayEquals(new int[] {4, 6, 5}, new SentencePieceTokenizer(tiny(-1, -1)).encode("babc"));
    // bc, ab and bc tie: the first bc, then ab (left of the second bc), which leaves c alone
    assertArrayEquals(new int[] {7, 6, 5}, new SentencePieceTokenizer(tiny(-1, -1)).encode("bcabc"));
  }

  @Test
  void mapsUnknownCharactersToOneUnknownTokenWhenThereAreNoByteTokens() {
    // "xy" fuse into one <unk>, like sentencepiece and Hugging Face's fuse_unk
    assertArrayEquals(new int[] {6, 0, 5}, new SentencePieceTokenizer(tiny(-1, -2)).encode("abxyc"));
  }

  @Test
  void encodesOnceUponATimeIntoTheStoriesPieces() {
    int[] ids = TOKENIZER.encode("Once upon a time");
    List<String> pieces = Arrays.stream(ids).mapToObj(TOKENIZER::piece).toList();
    assertEquals("▁Once▁upon▁a▁time", String.join("", pieces));
    assertEquals(List.of("▁Once", "▁upon", "▁a", "▁time"), pieces);
    assertEquals("Once upon a time", TOKENIZER.decode(ids));
  }

  @Test
  void agreesWithTheLlama2cMergeLoopOnStoriesAndRandomText() throws IOException {
    Llama2cReferenceEncoder reference = new Llama2cReferenceEncoder(STORIES);
    List<String> texts = new ArrayList<>(sampleTexts());
    texts.addAll(llama2cExpectedTexts());
    Random random = new Random(260);
    String alphabet = "abcdehilnorstwyTOL .,!?'\"\n\té日€😀▁";
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        sb.appendCodePoint(alphabet.codePoints().toArray()[random.nextInt(alphabet.codePointCount(0, alphabet.length()))]);
      }
      texts.add(sb.toString());
    }
    for (String text : texts) {
      assertArrayEquals(reference.encode(text), TOKENIZER.encode(text), () -> "text: " + text);
    }
  }

  @Test
  void reencodesTheLlama2cGreedyStoryLosslessly() throws IOException {
    String story = llama2cExpectedTexts().get(0);
    int[] ids = TOKENIZER.encode(story);
    assertEquals(story, TOKENIZER.decode(ids));
    // llama2.c generated this story as 199 tokens after BOS; its canonical segmentation (the same from the llama2.c
    // merge loop and from Hugging Face's BPE) is one token longer, so the model once chose a non-canonical split
    assertEquals(200, ids.length);
  }

  @Test
  void roundTripsTextThroughByteFallback() {
    for (String text : sampleTexts()) {
      // a literal "▁" in the input is a space marker like any other, so it decodes as a space
      assertEquals(text.replace('▁', ' '), TOKENIZER.decode(TOKENIZER.encode(text)), () -> text);
    }
  }

  @Test
  void fallsBackToUtf8ByteTokensForCharactersOutsideTheVocabulary() {
    // 😀 is F0 9F 98 80; byte token of b is id 3 + b
    int[] ids = TOKENIZER.encode("😀");
    assertEquals("▁", TOKENIZER.piece(ids[0]));
    assertArrayEquals(new int[] {3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80}, Arrays.copyOfRange(ids, 1, ids.length));
  }

  @Test
  void encodesLiteralSpecialTokenTextAsText() {
    int[] ids = TOKENIZER.encode("<s>");
    assertTrue(Arrays.stream(ids).noneMatch(id -> id == 1), Arrays.toString(ids));
    assertEquals("<s>", TOKENIZER.decode(ids));
  }

  @Test
  void encodesTheEmptyStringAsNoTokens() {
    assertArrayEquals(new int[0], TOKENIZER.encode(""));
    assertEquals("", TOKENIZER.decode(new int[0]));
  }

  @Test
  void keepsLeadingSpacesBeyondTheDummyPrefix() {
    int[] ids = TOKENIZER.encode("  two");
    assertEquals("  two", TOKENIZER.decode(ids));
    assertEquals("▁▁▁two", String.join("", Arrays.stream(ids).mapToObj(TOKENIZER::piece).toList()));
  }

  @Test
  void decodeSkipsControlTokensAndStripsOneLeadingSpace() {
    int[] once = TOKENIZER.encode("Once");
    int[] ids = new int[once.length + 2];
    ids[0] = 1;
    System.arraycopy(once, 0, ids, 1, once.length);
    ids[ids.length - 1] = 2;
    assertEquals("Once", TOKENIZER.decode(ids));
  }

  @Test
  void decodeAssemblesUtf8AcrossByteTokensAndReplacesInvalidRuns() {
    // é is C3 A9: two byte tokens make one character
    assertEquals("é", TOKENIZER.decode(new int[] {3 + 0xC3, 3 + 0xA9}));
    // a lone continuation byte is not UTF-8: one U+FFFD per byte of the run
    assertEquals("\uFFFD\uFFFDa", TOKENIZER.decode(new int[] {3 + 0xC3, 3 + 0x41, idOf("a")}));
  }

  @Test
  void pieceBytesAreWhatEachTokenAddsToTheStream() {
    int once = TOKENIZER.encode("Once")[0];
    assertEquals("▁Once", TOKENIZER.piece(once));
    assertArrayEquals(" Once".getBytes(StandardCharsets.UTF_8), TOKENIZER.pieceBytes(once));
    assertEquals("<0x0A>", TOKENIZER.piece(3 + 0x0A));
    assertArrayEquals(new byte[] {0x0A}, TOKENIZER.pieceBytes(3 + 0x0A));
    assertArrayEquals(new byte[0], TOKENIZER.pieceBytes(1));
    assertTrue(TOKENIZER.isByteToken(3 + 0x0A));
  }

  @Test
  void rejectsIdsOutsideTheVocabulary() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TOKENIZER.decode(new int[] {512}));
    assertTrue(e.getMessage().contains("512"), e.getMessage());
  }

  @Test
  void reportsSizeAndSpecialIds() {
    assertEquals(512, TOKENIZER.vocabSize());
    assertEquals(OptionalInt.of(1), TOKENIZER.bosId());
    assertEquals(OptionalInt.of(2), TOKENIZER.eosId());
  }

  @Test
  void hashesTheVocabularyCanonically() {
    assertEquals(TOKENIZER.sha256(), new SentencePieceTokenizer(Stories260KVocab.load()).sha256());
    assertEquals(64, TOKENIZER.sha256().length());
    SpmVocab noPrefix = new SpmVocab(STORIES.tokens(), STORIES.scores(), STORIES.tokenTypes(), STORIES.unkId(),
        STORIES.bosId(), STORIES.eosId(), false);
    assertNotEquals(TOKENIZER.sha256(), new SentencePieceTokenizer(noPrefix).sha256());
    float[] scores = STORIES.scores();
    scores[300] += 0.5f;
    SpmVocab rescored = new SpmVocab(STORIES.tokens(), scores, STORIES.tokenTypes(), STORIES.unkId(),
        STORIES.bosId(), STORIES.eosId(), true);
    assertNotEquals(TOKENIZER.sha256(), new SentencePieceTokenizer(rescored).sha256());
  }

  private static int idOf(String piece) {
    return STORIES.tokens().indexOf(piece);
  }

  static List<String> sampleTexts() {
    return List.of(
        "Once upon a time",
        "Once upon a time, there was a little girl named Lily.",
        "Hello world",
        "",
        " ",
        "  ",
        " leading space",
        "trailing space ",
        "multiple   spaces   inside",
        "line one\nline two\n\n",
        "tab\tseparated\tvalues",
        "café é ñ",
        "日本語のテキスト",
        "Привет, мир!",
        "emoji 😀🎉 and 👍🏽",
        "<s>",
        "</s> <unk> <0x41>",
        "a\u00a0b\u200ac",
        "100% of $5 — “quoted” … ™ ~[x]|<y>",
        "\r\n\u0000\u0001",
        "▁already▁marked",
        "She said, \"I'm sorry, mom.\"");
  }

  static List<String> llama2cExpectedTexts() throws IOException {
    Path file = Path.of("models/stories260K/llama2c-expected-outputs.json");
    List<String> texts = new ArrayList<>();
    new ObjectMapper().readTree(Files.readString(file)).get("cases")
        .forEach(c -> texts.add(c.get("expected_text").asText()));
    return texts;
  }
}
