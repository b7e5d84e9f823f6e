package dev.sapling.pipeline.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstructionFiltersTest {
  private static final List<String> SEEDS = List.of("Give three tips for staying healthy.",
      "Explain why the sky is blue to a child.");

  private static Optional<String> dropped(InstructionFilters f, String text, String finish, List<String> shown) {
    return f.offer(new InstructionCandidate(text, finish, shown)).droppedBy();
  }

  @Test
  void eachFilterDropsWhatItNamesAndCountsIt() {
    InstructionFilters f = InstructionFilters.standard(SEEDS);
    assertEquals(Optional.of("runaway"), dropped(f, "Describe a long walk in the woods", "length", List.of()));
    assertEquals(Optional.of("too_short"), dropped(f, "Name a fruit", "stop", List.of()));
    assertEquals(Optional.of("too_long"), dropped(f, "word ".repeat(151), "stop", List.of()));
    assertEquals(Optional.of("blacklist"), dropped(f, "Draw a cat sitting on a mat", "stop", List.of()));
    assertEquals(Optional.of("blacklist"), dropped(f, "Tell me how to go to the station", "stop", List.of()));
    assertEquals(Optional.empty(), dropped(f, "Summarise the plotline of a famous novel", "stop", List.of()),
        "blacklist words match whole words only (plotline is not plot)");
    assertEquals(Optional.of("starts_with_punctuation"), dropped(f, "- List the planets of the solar system",
        "stop", List.of()));
    assertEquals(Optional.of("starts_non_ascii"), dropped(f, "Érrez une liste de cinq villes", "stop", List.of()));
    assertEquals(Optional.of("copies_prompt_seed"), dropped(f, "Explain why the sky is blue to a child!", "stop",
        List.of("Explain why the sky is blue to a child.")));
    assertEquals(Optional.of("exact_duplicate"), dropped(f, "give three tips for  staying healthy.", "stop",
        List.of()));
    assertEquals(Optional.of("rouge_similar"), dropped(f, "Give three tips for staying happy and healthy at work.",
        "stop", List.of()));
    assertEquals(Optional.empty(), dropped(f, "Translate the sentence 'good morning' into Spanish.", "stop",
        List.of()));
    var counts = f.droppedCounts();
    assertEquals(InstructionFilters.NAMES, List.copyOf(counts.keySet()));
    assertEquals(2, counts.get("blacklist"));
    assertEquals(1, counts.get("rouge_similar"));
    assertEquals(0, counts.get("near_duplicate"));
    assertEquals(2, f.keptCount());
    assertEquals(4, f.pool().size());
  }

  @Test
  void nearDuplicatesOfAcceptedInstructionsAreDropped() {
    InstructionFilters f = new InstructionFilters(List.of(), 3, 150, 1.0, List.of());
    String first = "Write a detailed report on the economic effects of tourism in small coastal towns during summer";
    assertEquals(Optional.empty(), dropped(f, first, "stop", List.of()));
    assertEquals(Optional.of("near_duplicate"), dropped(f, first.replace("Write", "write:").toUpperCase(), "stop",
        List.of()));
  }

  @Test
  void everyCandidateRecordsItsMostSimilarPoolInstructionsAndTheAverage() {
    InstructionFilters f = InstructionFilters.standard(SEEDS);
    FilterVerdict v = f.judge(new InstructionCandidate("Give two tips for sleeping well.", "stop", List.of()));
    assertEquals(2, v.mostSimilar().size());
    assertEquals("Give three tips for staying healthy.", v.mostSimilar().get(0).instruction());
    // [give two tips for sleeping well] vs [give three tips for staying healthy]: LCS give tips for = 3, P=R=3/6
    assertEquals(0.5, v.mostSimilar().get(0).score(), 1e-12);
    double second = v.mostSimilar().get(1).score();
    assertEquals((0.5 + second) / 2, v.avgSimilarityScore(), 1e-12);
    assertTrue(v.kept());
    assertEquals(2, f.pool().size(), "judge does not change the pool");
  }
}
