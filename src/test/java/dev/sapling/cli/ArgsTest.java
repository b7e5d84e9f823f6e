package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {
  @Test
  void parsesValuesSwitchesRepeatsAndPositionals() {
    Args a = Args.parse(List.of("in.gguf", "--max-tokens", "7", "--greedy", "--stop", "a", "--stop=b", "out"),
        Set.of("greedy"));
    assertEquals(7, a.intValue("max-tokens", 0));
    assertTrue(a.flag("greedy"));
    assertEquals(List.of("a", "b"), a.strings("stop"));
    assertEquals(List.of("in.gguf", "out"), a.positional());
    a.requireAllKnown();
  }

  @Test
  void rejectsUnknownFlagByName() {
    Args a = Args.parse(List.of("--modle", "x"), Set.of());
    a.string("model");
    CliUsageException e = assertThrows(CliUsageException.class, a::requireAllKnown);
    assertTrue(e.getMessage().contains("--modle"), e.getMessage());
  }

  @Test
  void parsesIdList() {
    assertArrayEquals(new int[] {1, 450, 2}, Args.parse(List.of("--ids", "1,450,2"), Set.of()).intList("ids"));
    CliUsageException e = assertThrows(CliUsageException.class,
        () -> Args.parse(List.of("--ids", "1,x"), Set.of()).intList("ids"));
    assertTrue(e.getMessage().contains("'x'"));
  }

  @Test
  void unknownCommandExitsTwo() {
    assertEquals(2, Main.run(new String[] {"nope"}, System.out, System.err));
  }
}
