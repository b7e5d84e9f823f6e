package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.model.Transformer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.testing.TinyModel;
import dev.sapling.testing.TinyModelExtension;
import dev.sapling.testing.TinyTokenizer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Static decoding with the device one step ahead of the host ({@link Generator#withPipelinedDecode}) gives exactly the
 * completions of reading every step before the next. On the CPU the steps run eagerly, but the recorded sampler still
 * feeds its tokens on the device, so the pipelined path is the one the GPU runs, minus the CUDA graph.
 */
@ExtendWith(TinyModelExtension.class)
class PipelinedDecodeTest {
  static final TinyTokenizer TOKENIZER = new TinyTokenizer();
  @TinyModel(seed = 11)
  static Transformer model;

  static Generator generator() {
    return Generator.of(model, TOKENIZER).with(o -> o.withStaticDecode(true));
  }

  static void assertSame(List<Completion> expected, List<Completion> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      Completion e = expected.get(i);
      Completion a = actual.get(i);
      String where = what + ", completion " + i;
      assertArrayEquals(e.tokenIds(), a.tokenIds(), where);
      assertArrayEquals(e.logprobs(), a.logprobs(), where); // exactly: the same steps on the same device
      assertEquals(e.finishReason(), a.finishReason(), where);
      assertEquals(e.text(), a.text(), where);
    }
  }

  /** An EOS id that some but not all greedy rows reach within 16 tokens, at different steps. */
  static int sharedEos() {
    return generator().with(o -> o.withEosIds())
        .generateIds(GeneratorTest.PROMPTS, SamplingParams.greedy().withMaxNewTokens(16)).get(0).tokenIds()[4];
  }

  @Test
  void greedyAndTemperatureCompletionsAreIdenticalWithAndWithoutPipeliningThroughCompaction() {
    int eos = sharedEos();
    List<Completion> free = generator().with(o -> o.withEosIds()).generateIds(GeneratorTest.PROMPTS,
        SamplingParams.greedy().withMaxNewTokens(16));
    int[] ids = free.get(1).tokenIds();
    String left = TinyTokenizer.piece(ids[5]);
    String stop = left.substring(left.length() - 1) + TinyTokenizer.piece(ids[6]).charAt(0);
    Set<FinishReason> seen = EnumSet.noneOf(FinishReason.class);
    List<SamplingParams> all = List.of(
        SamplingParams.greedy().withMaxNewTokens(16).withN(2).withStop(List.of("never-there", stop)),
        SamplingParams.defaults().withTemperature(0.9).withMaxNewTokens(12).withN(3).withSeed(5),
        SamplingParams.defaults().withTemperature(1.3).withMaxNewTokens(9).withSeed(21).withStop(List.of(stop)));
    for (SamplingParams params : all) {
      Generator stopping = generator().with(o -> o.withEosIds(eos));
      for (Generator g : List.of(stopping, stopping.with(o -> o.withMaxBatchRows(5)),
          stopping.with(o -> o.withMaxBatchRows(1)))) {
        List<Completion> off = g.with(o -> o.withPipelinedDecode(false)).generateIds(GeneratorTest.PROMPTS, params);
        List<Completion> on = g.with(o -> o.withPipelinedDecode(true)).generateIds(GeneratorTest.PROMPTS, params);
        assertSame(off, on, "temperature " + params.temperature());
        on.forEach(c -> seen.add(c.finishReason()));
      }
    }
    assertEquals(EnumSet.allOf(FinishReason.class), seen, "rows should end by EOS, stop and length");
  }

  @Test
  void rowsFinishingAtDifferentStepsTriggerCompactionAndKeepTheirTokens() {
    int eos = sharedEos();
    SamplingParams params = SamplingParams.greedy().withMaxNewTokens(16).withN(2);
    List<Completion> on = generator().with(o -> o.withEosIds(eos).withPipelinedDecode(true))
        .generateIds(GeneratorTest.PROMPTS,
        params);
    int longest = on.stream().mapToInt(c -> c.tokenIds().length).max().orElseThrow();
    long early = on.stream().filter(c -> c.tokenIds().length < longest).count();
    assertTrue(early * 4 >= on.size(), "a quarter of the rows should finish early, so the batch compacts: " + early);
    List<Integer> lengths = on.stream().map(c -> c.tokenIds().length).distinct().toList();
    assertTrue(lengths.size() >= 3, "rows should finish at several different steps: " + lengths);
    // the same completions as the forward pass, step by step
    List<Completion> plain = generator().with(o -> o.withEosIds(eos).withStaticDecode(false))
        .generateIds(GeneratorTest.PROMPTS,
        params);
    for (int i = 0; i < plain.size(); i++) {
      assertArrayEquals(plain.get(i).tokenIds(), on.get(i).tokenIds(), "completion " + i);
      assertEquals(plain.get(i).finishReason(), on.get(i).finishReason(), "completion " + i);
    }
  }

  @Test
  void limitsEndingExactlyAtTheCacheCapacityAndTheModelsContextGiveTheSameCompletions() {
    int context = model.config().maxPositionEmbeddings();
    int[] nearlyFull = new int[context - 6];
    Arrays.fill(nearlyFull, 7);
    List<int[]> prompts = List.of(nearlyFull, GeneratorTest.PROMPTS.get(1), GeneratorTest.PROMPTS.get(0));
    for (SamplingParams params : List.of(SamplingParams.greedy().withMaxNewTokens(20),
        SamplingParams.defaults().withTemperature(0.8).withMaxNewTokens(6).withSeed(2).withN(2),
        SamplingParams.greedy().withMaxNewTokens(1), SamplingParams.greedy().withMaxNewTokens(2))) {
      for (Generator g : List.of(generator().with(o -> o.withEosIds()),
          generator().with(o -> o.withEosIds().withMaxBatchRows(1)))) {
        List<Completion> off = g.with(o -> o.withPipelinedDecode(false)).generateIds(prompts, params);
        List<Completion> on = g.with(o -> o.withPipelinedDecode(true)).generateIds(prompts, params);
        assertSame(off, on, "max new tokens " + params.maxNewTokens());
        int n = params.n();
        assertEquals(Math.min(6, params.maxNewTokens()), on.get(0).tokenIds().length);
        assertEquals(params.maxNewTokens(), on.get(n).tokenIds().length);
        on.forEach(c -> assertEquals(FinishReason.LENGTH, c.finishReason()));
      }
    }
  }

  @Test
  void aSingleRowDecodesToItsLimitAndStopsAtEosTheSameWayPipelined() {
    int[] prompt = GeneratorTest.PROMPTS.get(2);
    Completion free = generator().with(o -> o.withEosIds()).generateIds(List.of(prompt), SamplingParams.greedy()
        .withMaxNewTokens(24)).get(0);
    int eos = free.tokenIds()[7];
    for (Generator g : List.of(generator().with(o -> o.withEosIds()),
        generator().with(o -> o.withEosIds(eos)))) {
      for (SamplingParams params : List.of(SamplingParams.greedy().withMaxNewTokens(24),
          SamplingParams.defaults().withTemperature(0.7).withMaxNewTokens(24).withSeed(9))) {
        List<Completion> off = g.with(o -> o.withPipelinedDecode(false)).generateIds(List.of(prompt), params);
        List<Completion> on = g.with(o -> o.withPipelinedDecode(true)).generateIds(List.of(prompt), params);
        assertSame(off, on, "one row");
      }
    }
    Completion stopped = generator().with(o -> o.withEosIds(eos).withPipelinedDecode(true))
        .generateIds(List.of(prompt),
        SamplingParams.greedy().withMaxNewTokens(24)).get(0);
    assertEquals(FinishReason.EOS, stopped.finishReason());
    int firstAt = 0;
    while (free.tokenIds()[firstAt] != eos) {
      firstAt++;
    }
    assertArrayEquals(Arrays.copyOf(free.tokenIds(), firstAt + 1), stopped.tokenIds());
  }
}
