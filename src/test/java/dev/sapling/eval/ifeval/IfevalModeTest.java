package dev.sapling.eval.ifeval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IfevalModeTest {
  @Test
  void strictChecksTheResponseAsGiven() {
    assertEquals(List.of(" *a*\n"), IfevalMode.STRICT.variants(" *a*\n"));
  }

  @Test
  void looseAddsVariantsWithoutStarsFirstAndLastLinesInTheReferenceOrder() {
    assertEquals(List.of("Sure:\n*x*\ny\nBye", "Sure:\nx\ny\nBye", "*x*\ny\nBye", "Sure:\n*x*\ny", "*x*\ny",
        "x\ny\nBye", "Sure:\nx\ny", "x\ny"), IfevalMode.LOOSE.variants("Sure:\n*x*\ny\nBye"));
  }

  @Test
  void looseVariantsOfASingleLineAreEmptyWithoutIt() {
    assertEquals(List.of("*a*", "a", "", "", "", "", "", ""), IfevalMode.LOOSE.variants("*a*"));
    assertEquals(List.of("", "", "", "", "", "", "", ""), IfevalMode.LOOSE.variants(""));
  }
}
