package dev.sapling.pipeline.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleMarkersTest {
  @Test
  void templateTokensCountAnywhereAndRoleLabelsAtALineStart() {
    assertEquals(List.of(new RoleMarkers.Hit(5, "<|im_end|>"), new RoleMarkers.Hit(16, "User:")),
        RoleMarkers.find("Sure!<|im_end|>\nUser: thanks"));
    assertFalse(RoleMarkers.contains("click the User: field"));
    assertTrue(RoleMarkers.contains("  Assistant: hi"), "after leading spaces");
    assertTrue(RoleMarkers.contains("text [INST] more"));
    assertEquals(List.of(new RoleMarkers.Hit(0, "### Human:")), RoleMarkers.find("### Human: hi"),
        "the longest label only, not also Human:");
    assertFalse(RoleMarkers.contains("The user said hello."));
  }

  @Test
  void theNextTurnIsTheEarliestMarkerThatOpensATurnOrANewNumberedTask() {
    assertEquals(Optional.of(new RoleMarkers.Hit(7, "Instruction:")),
        RoleMarkers.nextTurn("Paris.\nInstruction: Name a river"));
    assertEquals(Optional.of(new RoleMarkers.Hit(7, RoleMarkers.NUMBERED_TASK)),
        RoleMarkers.nextTurn("Paris.\n2. Name a river"));
    assertEquals(Optional.empty(), RoleMarkers.nextTurn("1. eggs\n2. milk\n3) bread"), "the response's own list");
    assertEquals(Optional.of(new RoleMarkers.Hit(16, RoleMarkers.NUMBERED_TASK)),
        RoleMarkers.nextTurn("1. eggs\n2. milk\n9. Write a poem"), "a jump in the numbering");
    assertEquals(Optional.of(new RoleMarkers.Hit(3, "<|im_start|>")), RoleMarkers.nextTurn("Hi.<|im_start|>user"));
    assertEquals(Optional.empty(), RoleMarkers.nextTurn("Assistant: I answered"), "an assistant label opens no user turn");
    assertEquals(Optional.empty(), RoleMarkers.nextTurn("It costs 2.5 dollars."), "a number inside a line");
  }
}
