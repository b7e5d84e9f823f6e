package dev.sapling.pipeline.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cut the responses stage applies: the earlier of a fabricated next turn and a repetition loop. */
class ResponsesCutTest {
  private final TurnCut cut = ResponsesStage.cutFor(ResponsesConfig.builder().build());

  @Test
  void cutsAtAFabricatedNextTurn() {
    assertEquals(Optional.of(new TurnCut.Cut(7, TurnCut.NEXT_TURN)), cut.find("Name a city.", "Paris.\nUser: more"));
    assertEquals(Optional.of(new TurnCut.Cut(7, TurnCut.NEXT_TURN)), cut.find("Name a city.", "Paris.\n2. Name a river"));
  }

  @Test
  void cutsWhereALoopStarts() {
    assertEquals(Optional.of(new TurnCut.Cut(13, TurnCut.REPETITION)),
        cut.find("Say it.", "I like cats. I like cats. I like cats. I like cats."));
  }

  @Test
  void theEarlierCutWins() {
    String loopFirst = "I like cats. I like cats. I like cats. I like cats.\nUser: stop";
    assertEquals(Optional.of(new TurnCut.Cut(13, TurnCut.REPETITION)), cut.find("Say it.", loopFirst));
    String turnFirst = "Sure.\nUser: I like cats. I like cats. I like cats. I like cats.";
    assertEquals(Optional.of(new TurnCut.Cut(6, TurnCut.NEXT_TURN)), cut.find("Say it.", turnFirst));
    assertEquals(Optional.empty(), cut.find("List two.", "1. eggs\n2. milk"));
  }
}
