package dev.sapling.pipeline.bestofn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import dev.sapling.pipeline.critique.ResponseFlags;
import dev.sapling.pipeline.run.RecordSeeds;
import dev.sapling.pipeline.text.Repetition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Best-of-N pairing over hand-built candidates: the gap rule, ties, and every hard-negative kind. */
class PairingTest {
  private static final ResponseFlags.Rules RULES = ResponseFlags.Rules.standard();
  private static final String ANSWER = "Red, blue and yellow are the three primary colors of paint.";

  private static Pairing.Candidate candidate(String instruction, int sample, double margin, String text,
      String finish) {
    String ask = "Task " + instruction + ": name three primary colors.";
    return new Pairing.Candidate("i-" + instruction + "/r" + sample, sample, ask + "\n", ask, text, finish, margin,
        ResponseFlags.of(ask, text, finish, RULES).names(), text.length() / 4);
  }

  private static Pairing.Candidate candidate(String instruction, int sample, double margin) {
    return candidate(instruction, sample, margin, ANSWER + " (" + sample + ")", "stop");
  }

  private static List<Pairing.Group> plan(BestOfNConfig config, List<List<Pairing.Candidate>> groups) {
    List<String> ids = groups.stream().map(g -> g.get(0).id().substring(0, g.get(0).id().indexOf('/'))).toList();
    return Pairing.plan(groups, ids, config, id -> RecordSeeds.of(1234, "pairs", id), RULES);
  }

  private static List<String> kinds(Pairing.Group g) {
    return g.pairs().stream().map(Pairing.Planned::kind).toList();
  }

  @Test
  void theBestIsPreferredToEveryCandidateAtLeastMinGapBelowIt() {
    // margins: r0 -1.2, r1 -1.0 (best), r2 -1.3, r3 -1.1 (gap 0.1 - rounding: counts), r4 -1.05 (gap 0.05: dropped)
    List<Pairing.Candidate> c = List.of(candidate("a", 0, -1.2), candidate("a", 1, -1.0), candidate("a", 2, -1.3),
        candidate("a", 3, -1.1), candidate("a", 4, -1.05));
    Pairing.Group g = plan(BestOfN.minGap(0.1).build(), List.of(c)).get(0);
    assertEquals("i-a/r1", g.chosen().orElseThrow().id());
    assertEquals(List.of("i-a/r3", "i-a/r0", "i-a/r2"), g.pairs().stream().map(p -> p.rejected().id()).toList(),
        "strongest rejected first; -1.0 - -1.1 = 0.0999... reaches 0.1");
    assertTrue(g.pairs().stream().allMatch(p -> p.kind().equals(PreferencePair.BEST_OF_N) && !p.needsScore()));
    assertEquals(1, g.tiesDropped());
    assertEquals(2, plan(BestOfN.minGap(0.15).build(), List.of(c)).get(0).pairs().size());
  }

  @Test
  void tiesAreNeverAPreferenceEvenWithNoMinimumGap() {
    List<Pairing.Candidate> c = List.of(candidate("a", 0, -2.0), candidate("a", 1, -1.0), candidate("a", 2, -1.0),
        candidate("a", 3, -1.5));
    Pairing.Group g = plan(BestOfN.minGap(0).build(), List.of(c)).get(0);
    assertEquals("i-a/r1", g.chosen().orElseThrow().id(), "a tie for best goes to the lower sample index");
    assertEquals(List.of("i-a/r3", "i-a/r0"), g.pairs().stream().map(p -> p.rejected().id()).toList());
    assertEquals(1, g.tiesDropped());
  }

  @Test
  void degenerateCandidatesAreLeftOutOfRankingAndAGroupWithoutAnyHasNoChosen() {
    List<Pairing.Candidate> c = List.of(candidate("a", 0, Double.NaN, "", "stop"), candidate("a", 1, -1.0),
        candidate("a", 2, -2.0));
    Pairing.Group g = plan(BestOfN.standard().build(), List.of(c)).get(0);
    assertEquals(1, g.unrankable());
    assertEquals(List.of("i-a/r2"), g.pairs().stream().map(p -> p.rejected().id()).toList());
    Pairing.Group none = plan(BestOfN.standard().hardNegatives().build(),
        List.of(List.of(candidate("b", 0, Double.NaN)))).get(0);
    assertEquals(Optional.empty(), none.chosen());
    assertEquals(List.of(), none.pairs());
  }

  @Test
  void aTruncatedNegativeKeepsTheFirstHalfOfTheChosensWords() {
    Pairing.Group g = plan(BestOfN.standard().hardNegatives(PreferencePair.TRUNCATED).build(),
        List.of(List.of(candidate("a", 0, -1.0)))).get(0);
    Pairing.Planned p = g.pairs().get(0);
    assertEquals(PreferencePair.TRUNCATED, p.kind());
    assertEquals("Red, blue and yellow are the", p.rejected().text(), "6 of the 12 words");
    assertEquals("i-a/r0#truncated", p.rejected().id());
    assertEquals(p.chosen().prompt(), p.rejected().prompt());
    assertTrue(p.needsScore());
    assertEquals(Optional.of("one"), HardNegatives.truncate("one two", 0.5));
    assertEquals(Optional.of("a b c"), HardNegatives.truncate("a b c d", 0.9), "always at least one word shorter");
    assertEquals(Optional.empty(), HardNegatives.truncate("alone", 0.5));
  }

  @Test
  void aRepetitionNegativeIsTheChosenCollapsingIntoALoopThatRepetitionFlags() {
    Pairing.Group g = plan(BestOfN.standard().hardNegatives(PreferencePair.REPETITION).build(),
        List.of(List.of(candidate("a", 0, -1.0)))).get(0);
    Pairing.Planned p = g.pairs().get(0);
    assertEquals(PreferencePair.REPETITION, p.kind());
    assertEquals("i-a/r0#repetition", p.rejected().id());
    String loop = p.rejected().text();
    assertTrue(loop.startsWith("Red, blue and yellow"), loop);
    assertTrue(Repetition.standard().isRepetitive(loop), loop);
    assertTrue(p.rejected().flags().contains(ResponseFlags.REPETITIVE));
    assertEquals(Optional.of("a b c d a b c d a b c d a b c d"), HardNegatives.loop("a b c d e f g h"));
    assertTrue(Repetition.standard().isRepetitive(HardNegatives.loop("w x y z").orElseThrow()));
    assertEquals(Optional.empty(), HardNegatives.loop("too short here"));
  }

  @Test
  void anOtherInstructionNegativeIsAnotherChosenPickedFromTheRecordSeed() {
    List<List<Pairing.Candidate>> groups = new ArrayList<>();
    for (String id : List.of("a", "b", "c", "d", "e", "f")) {
      groups.add(List.of(candidate(id, 0, -1.0, "The answer to " + id + " is here.", "stop")));
    }
    BestOfNConfig config = BestOfN.standard().hardNegatives(PreferencePair.OTHER_INSTRUCTION).build();
    List<Pairing.Group> plan = plan(config, groups);
    Set<String> picked = new TreeSet<>();
    for (Pairing.Group g : plan) {
      Pairing.Planned p = g.pairs().get(0);
      assertEquals(PreferencePair.OTHER_INSTRUCTION, p.kind());
      assertNotEquals(g.instructionId(), p.rejected().id().substring(0, p.rejected().id().indexOf('/')),
          "never its own instruction");
      assertEquals(p.chosen().prompt(), p.rejected().prompt(), "scored as an answer to this prompt");
      assertTrue(p.needsScore());
      picked.add(p.rejected().id());
    }
    assertTrue(picked.size() > 1, "the seeds pick different instructions: " + picked);
    assertEquals(pickedIds(plan), pickedIds(plan(config, groups)), "the same seeds pick the same");
    // the pick depends on the instruction's own seed, not on which other instructions come before it
    List<Pairing.Group> otherSeed = Pairing.plan(groups, plan.stream().map(Pairing.Group::instructionId).toList(),
        config, id -> RecordSeeds.of(99, "pairs", id), RULES);
    assertNotEquals(pickedIds(plan), pickedIds(otherSeed), "another run seed picks differently");
    assertEquals(List.of(), plan(config, List.of(groups.get(0))).get(0).pairs(), "no other instruction: none");
  }

  private static List<String> pickedIds(List<Pairing.Group> plan) {
    return plan.stream().map(g -> g.pairs().get(0).rejected().id()).toList();
  }

  @Test
  void runawaySamplesAreNegativesOfAChosenThatEnded() {
    Pairing.Candidate ended = candidate("a", 0, -1.0);
    Pairing.Candidate runawayFar = candidate("a", 1, -2.0, ANSWER + " and then", "length");
    Pairing.Candidate runawayClose = candidate("a", 2, -1.01, ANSWER + " and so", "length");
    BestOfNConfig config = BestOfN.standard().hardNegatives(PreferencePair.RUNAWAY).build();
    Pairing.Group g = plan(config, List.of(List.of(ended, runawayFar, runawayClose))).get(0);
    assertEquals(List.of(PreferencePair.BEST_OF_N, PreferencePair.RUNAWAY), kinds(g));
    assertEquals("i-a/r1", g.pairs().get(0).rejected().id(), "the far one is a best-of-N pair already");
    assertEquals("i-a/r2", g.pairs().get(1).rejected().id(), "the close one only as a runaway negative");
    assertFalse(g.pairs().get(1).needsScore(), "a sampled candidate keeps its critique score");
    // a chosen that itself ran away teaches nothing about stopping
    Pairing.Candidate bestRunaway = candidate("b", 0, -0.5, ANSWER + " and", "length");
    Pairing.Group none = plan(config, List.of(List.of(bestRunaway, candidate("b", 1, -0.51, ANSWER, "length"))))
        .get(0);
    assertEquals(List.of(), none.pairs());
  }

  @Test
  void allHardNegativesFollowTheBestOfNPairsInAFixedOrder() {
    List<List<Pairing.Candidate>> groups = List.of(
        List.of(candidate("a", 0, -1.0), candidate("a", 1, -2.0), candidate("a", 2, -1.05, ANSWER, "length")),
        List.of(candidate("b", 3, -1.0)));
    BestOfNConfig all = BestOfN.minGap(0.1).hardNegatives().build();
    Pairing.Group g = plan(all, groups).get(0);
    assertEquals(List.of(PreferencePair.BEST_OF_N, PreferencePair.TRUNCATED, PreferencePair.OTHER_INSTRUCTION,
        PreferencePair.REPETITION, PreferencePair.RUNAWAY), kinds(g));
    // another instruction's chosen with the very same text is no negative
    Pairing.Group same = plan(all, List.of(groups.get(0), List.of(candidate("b", 0, -1.0)))).get(0);
    assertFalse(kinds(same).contains(PreferencePair.OTHER_INSTRUCTION));
  }

  @Test
  void theConfigChecksItsValues() {
    assertThrows(SaplingException.class, () -> BestOfN.minGap(-0.1).build());
    assertThrows(SaplingException.class, () -> BestOfN.standard().hardNegatives("shuffled").build());
    assertThrows(SaplingException.class, () -> BestOfN.standard().truncateKeep(1).build());
    assertEquals(PreferencePair.HARD_NEGATIVES, BestOfN.standard().hardNegatives(PreferencePair.RUNAWAY,
        PreferencePair.TRUNCATED, PreferencePair.OTHER_INSTRUCTION, PreferencePair.REPETITION).build().hardNegatives(),
        "recorded in one order, whatever order they were given in");
    assertEquals(0.1, BestOfN.standard().build().minGap());
  }
}
