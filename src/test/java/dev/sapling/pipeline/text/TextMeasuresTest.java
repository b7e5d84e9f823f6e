package dev.sapling.pipeline.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextMeasuresTest {
  @Test
  void wordsFollowRougeScoresTokenizer() {
    assertEquals(List.of("write", "a", "poem", "please", "2nd", "try"), RougeTokens.of("Write a poem, please! (2nd try)"));
    assertEquals(List.of("don", "t", "stop"), RougeTokens.of("Don't   STOP"));
    assertEquals(List.of(), RougeTokens.of("!!! ..."));
    assertEquals(4, RougeTokens.count("  Write a short poem \n"));
  }

  @Test
  void rougeLIsTheF1OfTheLongestCommonSubsequence() {
    // LCS("write a short poem", "write a poem about cats") = write a poem = 3; P = 3/4, R = 3/5
    assertEquals(2 * 0.75 * 0.6 / 1.35, RougeL.f1("write a short poem", "write a poem about cats"), 1e-12);
    assertEquals(RougeL.f1("a b c d", "b d a"), RougeL.f1("b d a", "a b c d"), 1e-12);
    // LCS(a b c d, b d a) = b d = 2: P 2/4, R 2/3 -> 0.571428...
    assertEquals(4.0 / 7.0, RougeL.f1("a b c d", "b d a"), 1e-12);
    assertEquals(1.0, RougeL.f1("Same words.", "same WORDS"), 1e-12);
    assertEquals(0.0, RougeL.f1("", "anything"), 0);
    assertEquals(0.0, RougeL.f1("cat", "dog"), 0);
    assertTrue(RougeL.upperBound(4, 5) >= RougeL.f1("write a short poem", "write a poem about cats"));
  }

  @Test
  void nearDuplicatesFindsRewordingsButNotDifferentTexts() {
    NearDuplicates index = NearDuplicates.standard();
    String base = "Write a short poem about the sea, the sky and the wind that blows across the quiet harbour at night";
    index.add("a", base);
    index.add("b", "Explain how a bicycle gear system changes the effort needed to climb a steep hill");
    var match = index.findDuplicate(base.toUpperCase() + "!");
    assertTrue(match.isPresent());
    assertEquals("a", match.get().id());
    assertEquals(1.0, match.get().jaccard(), 0);
    assertFalse(index.findDuplicate("List five prime numbers greater than one hundred and explain why").isPresent());
    // one word changed at the end keeps most shingles
    assertTrue(index.similarity(base, base.replace("night", "dawn")) > 0.7);
    assertEquals(index.similarity(base, "x y z"), NearDuplicates.standard().similarity(base, "x y z"), 0,
        "hashes are fixed functions of the text");
  }

  @Test
  void nGramIndexCountsThirteenWordOverlaps() {
    String prompt = "Write a 300+ word summary of the wikipedia page about the history of the city of Rome please";
    NGramIndex index = NGramIndex.of(13, List.of(prompt));
    assertEquals(RougeTokens.of(prompt).size() - 12, index.size());
    assertTrue(index.overlaps("Task: write a 300 word summary of the wikipedia page about the history of the city"));
    assertFalse(index.overlaps("write a 300 word summary of the wikipedia page about the history"));
    assertEquals(3, index.overlapCount("a 300 word summary of the wikipedia page about the history of the city of"));
  }
}
