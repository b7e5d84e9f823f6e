package dev.sapling.pipeline.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RepetitionTest {
  private final Repetition standard = Repetition.standard();

  @Test
  void rateIsTheShareOfNGramsSeenEarlier() {
    // 4-grams: 6, three of them repeat the first three
    assertEquals(0.5, standard.rate("the cat sat the cat sat the cat sat"), 1e-12);
    assertEquals(9.0 / 13, standard.rate("a b c d a b c d a b c d a b c d"), 1e-12);
    assertEquals(0.0, standard.rate("one two three four five six"), 0);
    assertEquals(0.0, standard.rate("too short"), 0, "fewer words than n");
    assertEquals(0.5, standard.rate(new int[] {5, 6, 7, 5, 6, 7, 5, 6, 7}), 1e-12);
    assertEquals(0.5, standard.rate(List.of("x", "y", "z", "x", "y", "z", "x", "y", "z")), 1e-12);
    assertEquals(standard.rate("The cat sat THE CAT SAT the cat sat"), standard.rate("the cat sat the cat sat the cat sat"),
        "words compare lowercased");
    assertEquals(0.0, standard.rate("cats. cats cats. cats"), 0, "punctuation is kept: no 4-gram repeats");
  }

  @Test
  void aTextIsRepetitiveAboveTheThresholdOnly() {
    assertTrue(standard.isRepetitive("a b c d a b c d a b c d a b c d"));
    assertFalse(standard.isRepetitive("the cat sat the cat sat the cat sat"), "0.5 is not above 0.5");
    assertTrue(standard.withThreshold(0.4).isRepetitive("the cat sat the cat sat the cat sat"));
    assertEquals(0.75, standard.withN(1).rate("a a a a"), 1e-12);
  }

  @Test
  void theCutKeepsTheFirstOccurrenceOfTheLoopingPhrase() {
    String text = "I like cats. I like cats. I like cats. I like cats.";
    assertEquals(OptionalInt.of(13), standard.cutAt(text));
    assertEquals("I like cats. ", text.substring(0, 13));
    assertEquals(OptionalInt.of(3), standard.cutIndex(new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}));
    // a prose answer that ends with one phrase said twice is not a loop (fewer than n repeated n-grams)
    assertEquals(OptionalInt.empty(), standard.cutAt("we went home and then we went home and"));
    assertEquals(OptionalInt.empty(), standard.cutAt("Paris is the capital of France."));
  }

  @Test
  void refusesSettingsOutOfRange() {
    assertThrows(SaplingException.class, () -> new Repetition(0, 0.5));
    assertThrows(SaplingException.class, () -> new Repetition(4, 1.0));
    assertThrows(SaplingException.class, () -> new Repetition(4, Double.NaN));
  }
}
