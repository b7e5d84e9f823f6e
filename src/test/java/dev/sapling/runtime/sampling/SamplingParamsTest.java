package dev.sapling.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {
  static void assertRefused(String field, Runnable build) {
    SaplingException e = assertThrows(SaplingException.class, build::run);
    assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("expected"), e.getMessage());
  }

  @Test
  void refusesOutOfRangeValuesNamingTheField() {
    SamplingParams d = SamplingParams.defaults();
    assertRefused("temperature", () -> d.withTemperature(-0.1));
    assertRefused("top_k", () -> d.withTopK(-1));
    assertRefused("top_p", () -> d.withTopP(0));
    assertRefused("top_p", () -> d.withTopP(1.5));
    assertRefused("min_p", () -> d.withMinP(1.1));
    assertRefused("repetition_penalty", () -> d.withRepetitionPenalty(0));
    assertRefused("presence_penalty", () -> d.withPresencePenalty(Double.NaN));
    assertRefused("max_new_tokens", () -> d.withMaxNewTokens(0));
    assertRefused("n", () -> d.withN(0));
    SaplingException e = assertThrows(SaplingException.class, () -> d.withStop(List.of("ok", "")));
    assertTrue(e.getMessage().contains("'stop'"), e.getMessage());
  }

  @Test
  void greedyIsTemperatureZeroAndWithersChangeOneField() {
    SamplingParams g = SamplingParams.greedy();
    assertTrue(g.isGreedy());
    SamplingParams p = g.withTemperature(0.7).withTopP(0.9).withN(4).withStop(List.of("\n")).withSeed(9);
    assertEquals(0.7, p.temperature());
    assertEquals(0.9, p.topP());
    assertEquals(4, p.n());
    assertEquals(List.of("\n"), p.stop());
    assertEquals(9, p.seed());
    assertEquals(g.maxNewTokens(), p.maxNewTokens());
  }
}
