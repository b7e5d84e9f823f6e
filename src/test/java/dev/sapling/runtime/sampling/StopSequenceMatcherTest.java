package dev.sapling.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequenceMatcherTest {
  /** Feeds the running concatenation of {@code tokens}; returns how many tokens it took to stop (or -1). */
  static int feed(StopSequenceMatcher m, String... tokens) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < tokens.length; i++) {
      text.append(tokens[i]);
      if (m.update(text.toString())) {
        return i + 1;
      }
    }
    return -1;
  }

  @Test
  void catchesAStopSplitOverThreeTokens() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("###"));
    assertEquals(4, feed(m, "Answer", ": 4", "#", "##", " more"));
    assertEquals("Answer: 4", m.text());
    assertEquals("###", m.matched());
  }

  @Test
  void catchesAStopInsideOneTokenAndDropsWhatFollowsIt() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("\n\n"));
    assertEquals(2, feed(m, "Hi", " there\n\nQ: next", "?"));
    assertEquals("Hi there", m.text());
  }

  @Test
  void earliestStopWinsAmongSeveral() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("END", "\n"));
    assertEquals(1, feed(m, "a\nb END"));
    assertEquals("a", m.text());
    assertEquals("\n", m.matched());
  }

  @Test
  void holdsBackATailThatMayStartAStop() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("</answer>"));
    assertFalse(m.update("42 </ans"));
    assertEquals("42 ", m.safeText());
    assertEquals("42 </ans", m.text());
    assertFalse(m.update("42 </ans> no"));
    assertEquals("42 </ans> no", m.safeText());
    assertTrue(m.update("42 </ans> no </answer>"));
    assertEquals("42 </ans> no ", m.safeText());
  }

  @Test
  void holdsBackAnIncompleteCharacter() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("\n"));
    assertFalse(m.update("caf\uFFFD"));
    assertEquals("caf", m.safeText());
    assertFalse(m.update("café"));
    assertEquals("café", m.safeText());
  }

  @Test
  void neverStopsWithoutStopSequences() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of());
    assertEquals(-1, feed(m, "any", "thing"));
    assertEquals("anything", m.safeText());
  }
}
