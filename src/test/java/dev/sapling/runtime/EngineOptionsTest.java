package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import dev.sapling.model.Transformer;
import dev.sapling.model.tokenizer.IdTokenizer;
import dev.sapling.model.tokenizer.PromptEncoder;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.testing.TinyModel;
import dev.sapling.testing.TinyModelExtension;
import dev.sapling.testing.TinyTokenizer;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The options records of {@link Generator} and {@link Scorer}, the prompt-id rule, the token-id range check and the
 * batching they share: CPU defaults, changes that leave the other fields alone, and refusals that name the field.
 */
@ExtendWith(TinyModelExtension.class)
class EngineOptionsTest {
  @TinyModel(eos = {TinyTokenizer.EOS, 30})
  static Transformer model;

  @Test
  void generatorDefaultsOnTheCpuAreTheTokenizersBosBothEosSourcesAndNoStaticOrPipelinedDecode() {
    GeneratorOptions o = GeneratorOptions.defaults(model, new TinyTokenizer());
    assertEquals(new GeneratorOptions(Generator.DEFAULT_MAX_BATCH_ROWS, Set.of(TinyTokenizer.EOS, 30),
        OptionalInt.of(TinyTokenizer.BOS), true, false, false), o);
    assertEquals(Set.of(7), GeneratorOptions.defaults(model, new IdTokenizer(64)).withEosIds(7).eosIds());
    assertEquals(OptionalInt.empty(), GeneratorOptions.defaults(model, new IdTokenizer(64)).bos());
  }

  @Test
  void withChangesOnlyTheFieldsItSetsAndTheOriginalStaysAsItWas() {
    Generator g = Generator.of(model, new TinyTokenizer());
    Generator changed = g.with(o -> o.withMaxBatchRows(3).withStaticDecode(true).withEosIds());
    assertEquals(new GeneratorOptions(3, Set.of(), g.options().bos(), true, true, false), changed.options());
    assertEquals(Generator.DEFAULT_MAX_BATCH_ROWS, g.options().maxBatchRows());
    assertEquals(Set.of(TinyTokenizer.EOS, 30), g.options().eosIds());
    Scorer s = Scorer.of(model, new TinyTokenizer());
    ScorerOptions scorer = s.with(o -> o.withTopAlternatives(2).withBodyTokens(8)).options();
    assertEquals(new ScorerOptions(Scorer.DEFAULT_MAX_BATCH_ROWS, 2, Scorer.DEFAULT_LOGITS_BUDGET, 8,
        OptionalInt.of(TinyTokenizer.BOS)), scorer);
    assertEquals(Scorer.DEFAULT_CPU_BODY_TOKENS, s.options().bodyTokens());
  }

  @Test
  void eosIdsAreSortedAndCannotBeChangedInPlace() {
    GeneratorOptions o = GeneratorOptions.defaults(model, new TinyTokenizer()).withEosIds(9, 3, 9, 5);
    assertEquals(List.of(3, 5, 9), List.copyOf(o.eosIds()));
    assertThrows(UnsupportedOperationException.class, () -> o.eosIds().add(4));
    SaplingException none = assertThrows(SaplingException.class,
        () -> new GeneratorOptions(1, null, OptionalInt.empty(), true, false, false));
    assertEquals("generator: eos ids is null; give Set.of() for none", none.getMessage());
  }

  @Test
  void optionsOutOfRangeAreRefusedNamingTheField() {
    Generator g = Generator.of(model, new TinyTokenizer());
    SaplingException rows = assertThrows(SaplingException.class, () -> g.with(o -> o.withMaxBatchRows(0)));
    assertEquals("generator: max batch rows is 0; expected an integer >= 1", rows.getMessage());
    Scorer s = Scorer.of(model, new TinyTokenizer());
    assertTrue(assertThrows(SaplingException.class, () -> s.with(o -> o.withMaxBatchRows(-1))).getMessage()
        .startsWith("scorer: max batch rows is -1"));
    assertTrue(assertThrows(SaplingException.class, () -> s.with(o -> o.withTopAlternatives(-1))).getMessage()
        .startsWith("scorer: top alternatives is -1"));
    assertEquals("scorer: top alternatives is 65; expected 0..64",
        assertThrows(SaplingException.class, () -> s.with(o -> o.withTopAlternatives(65))).getMessage());
  }

  @Test
  void theBosOptionDecidesWhatTextPromptsAndContextsStartWith() {
    Generator none = Generator.of(model, new TinyTokenizer()).with(o -> o.withBos(OptionalInt.empty()));
    assertArrayEquals(new int[] {34, 29, 61}, none.encodePrompt("the cat"));
    assertArrayEquals(new int[] {5, 34, 29, 61},
        Generator.of(model, new TinyTokenizer()).with(o -> o.withBos(OptionalInt.of(5))).encodePrompt("the cat"));
    Scorer scorer = Scorer.of(model, new TinyTokenizer()).with(o -> o.withBos(OptionalInt.empty()));
    assertArrayEquals(new int[] {34, 29, 61}, scorer.encode("the cat", " the dog").context());
    PromptEncoder prompts = new PromptEncoder(new TinyTokenizer(), OptionalInt.of(1));
    assertArrayEquals(new int[] {1}, prompts.encode(""));
    int[] ids = {4, 5};
    assertEquals(ids, new PromptEncoder(new TinyTokenizer(), OptionalInt.empty()).withBos(ids), "no copy without BOS");
  }

  @Test
  void theTokenIdRangeCheckNamesWhereTheIdCameFromItsPositionAndTheVocabulary() {
    SaplingException e = assertThrows(SaplingException.class,
        () -> model.config().requireTokenIds("pair 3 continuation", new int[] {5, 63, -1}));
    assertEquals("pair 3 continuation: token id -1 at position 2 is outside the vocabulary [0, 64); use ids of this "
        + "model's tokenizer", e.getMessage());
    model.config().requireTokenIds("prompt 0", new int[] {0, 63});
    SaplingException scored = assertThrows(SaplingException.class, () -> Scorer.of(model, new TinyTokenizer())
        .score(List.of(new Scorer.Pair(new int[] {1}, new int[] {64}))));
    assertTrue(scored.getMessage().startsWith("pair 0 continuation: token id 64 at position 0"), scored.getMessage());
    SaplingException generated = assertThrows(SaplingException.class, () -> Generator.of(model, new TinyTokenizer())
        .generateIds(List.of(new int[] {1}, new int[] {1, 70}), SamplingParams.greedy()));
    assertTrue(generated.getMessage().startsWith("prompt 1: token id 70 at position 1"), generated.getMessage());
  }

  @Test
  void batchesAreSortedStablyAndCutToSizeAndLeftPaddingRightAlignsEveryRow() {
    List<int[]> rows = List.of(new int[] {7, 8, 9}, new int[] {4}, new int[] {5, 6}, new int[] {3});
    List<int[]> batches = Batches.sorted(rows.size(), Comparator.comparingInt(i -> rows.get(i).length), 3);
    assertEquals(2, batches.size());
    assertArrayEquals(new int[] {1, 3, 2}, batches.get(0), "ties keep request order");
    assertArrayEquals(new int[] {0}, batches.get(1));
    Batches.LeftPadded padded = Batches.LeftPadded.of(rows);
    assertEquals(3, padded.width());
    assertArrayEquals(new int[] {0, 2, 1, 2}, padded.padding());
    assertArrayEquals(new int[] {7, 8, 9, 0, 0, 4, 0, 5, 6, 0, 0, 3}, padded.flat());
  }
}
