package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.SaplingException;
import dev.sapling.model.Transformer;
import dev.sapling.model.tokenizer.IdTokenizer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.testing.TinyModel;
import dev.sapling.testing.TinyModelExtension;
import dev.sapling.testing.TinyTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TinyModelExtension.class)
class GeneratorTest {
  static final TinyTokenizer TOKENIZER = new TinyTokenizer();
  static final List<int[]> PROMPTS = List.of(
      new int[] {1, 5, 9, 13, 17, 21, 25}, new int[] {1, 4}, new int[] {1, 30, 31, 32, 33}, new int[] {1},
      new int[] {1, 8, 8, 8, 8, 8, 8, 8, 8, 8}, new int[] {1, 3, 3}, new int[] {1, 60, 59}, new int[] {1, 44, 43, 42});

  @TinyModel(seed = 11)
  static Transformer model;

  static Generator generator() {
    return Generator.of(model, TOKENIZER);
  }

  /** Greedy decoding by full forwards, with the generator's stopping rules (EOS id 2, max tokens). */
  static List<Integer> referenceGreedy(int[] prompt, int maxNew, List<Double> logprobs) {
    List<Integer> out = new ArrayList<>();
    int[] seq = prompt;
    while (out.size() < maxNew) {
      float[][] logits = ReferenceDecoding.logits(model, seq);
      float[] last = logits[logits.length - 1];
      int next = ReferenceDecoding.argMax(last);
      out.add(next);
      logprobs.add(ReferenceDecoding.logSoftmax(last)[next]);
      seq = ReferenceDecoding.concat(seq, new int[] {next});
      if (next == TinyTokenizer.EOS) {
        break;
      }
    }
    return out;
  }

  @Test
  void greedyInAPaddedBatchEqualsStepByStepArgmaxOfFullForwards() {
    int maxNew = 12;
    for (Generator g : List.of(generator(), generator().with(o -> o.withMaxBatchRows(3)))) {
      List<Completion> out = g.generateIds(PROMPTS, SamplingParams.greedy().withMaxNewTokens(maxNew));
      assertEquals(PROMPTS.size(), out.size());
      for (int p = 0; p < PROMPTS.size(); p++) {
        List<Double> expectedLogprobs = new ArrayList<>();
        int[] expected = referenceGreedy(PROMPTS.get(p), maxNew, expectedLogprobs).stream()
            .mapToInt(Integer::intValue).toArray();
        Completion c = out.get(p);
        assertEquals(p, c.promptIndex());
        assertArrayEquals(expected, c.tokenIds(), "prompt " + p);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expectedLogprobs.get(i), c.logprobs()[i], 1e-4, "prompt " + p + " token " + i);
        }
        assertEquals(expected[expected.length - 1] == TinyTokenizer.EOS ? FinishReason.EOS : FinishReason.LENGTH,
            c.finishReason());
      }
    }
  }

  @Test
  void batchOfOneAndBatchOfEightGiveTheSameTokensAndLogprobs() {
    double maxDiff = 0;
    for (SamplingParams params : List.of(SamplingParams.greedy().withMaxNewTokens(10),
        SamplingParams.defaults().withTemperature(0.9).withMaxNewTokens(10).withSeed(5))) {
      List<Completion> together = generator().generateIds(PROMPTS, params);
      for (int p = 0; p < PROMPTS.size(); p++) {
        // alone in its batch, but still prompt p of the request, so it draws from the same seed stream
        List<int[]> request = new ArrayList<>();
        for (int q = 0; q <= p; q++) {
          request.add(q == p ? PROMPTS.get(p) : new int[] {1});
        }
        Completion alone = generator().with(o -> o.withMaxBatchRows(1)).generateIds(request, params).get(p);
        assertArrayEquals(alone.tokenIds(), together.get(p).tokenIds(), params + " prompt " + p);
        for (int i = 0; i < alone.logprobs().length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(alone.logprobs()[i] - together.get(p).logprobs()[i]));
        }
      }
    }
    assertTrue(maxDiff < 1e-5, "batch-of-1 vs batch-of-8 max logprob diff " + maxDiff);
  }

  @Test
  void sameSeedAndBatchGiveIdenticalSamplesAndOtherSeedsDiffer() {
    SamplingParams params = SamplingParams.defaults().withTemperature(1.2).withTopP(0.95).withN(3)
        .withMaxNewTokens(8).withSeed(123);
    List<Completion> a = generator().generateIds(PROMPTS, params);
    List<Completion> b = generator().generateIds(PROMPTS, params);
    List<Completion> c = generator().generateIds(PROMPTS, params.withSeed(124));
    assertEquals(PROMPTS.size() * 3, a.size());
    int differentSamples = 0;
    int differentSeeds = 0;
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i).tokenIds(), b.get(i).tokenIds());
      assertArrayEquals(a.get(i).logprobs(), b.get(i).logprobs());
      assertEquals(i / 3, a.get(i).promptIndex());
      assertEquals(i % 3, a.get(i).sampleIndex());
      if (i % 3 > 0 && !Arrays.equals(a.get(i).tokenIds(), a.get(i - 1).tokenIds())) {
        differentSamples++;
      }
      if (!Arrays.equals(a.get(i).tokenIds(), c.get(i).tokenIds())) {
        differentSeeds++;
      }
    }
    assertTrue(differentSamples > 10, "samples of one prompt should differ; differed " + differentSamples);
    assertTrue(differentSeeds > 20, "another seed should change samples; changed " + differentSeeds);
  }

  @Test
  void samplesSharingAPrefillMatchTheSamePromptSampledAlone() {
    List<Completion> three = generator().generateIds(PROMPTS, SamplingParams.greedy().withN(3).withMaxNewTokens(9));
    List<Completion> one = generator().generateIds(PROMPTS, SamplingParams.greedy().withMaxNewTokens(9));
    for (int i = 0; i < three.size(); i++) {
      Completion c = three.get(i);
      assertArrayEquals(one.get(c.promptIndex()).tokenIds(), c.tokenIds(), "prompt " + c.promptIndex());
      assertArrayEquals(PROMPTS.get(c.promptIndex()), c.promptTokenIds());
    }
  }

  @Test
  void lengthFinishStopsAtMaxNewTokens() {
    Generator g = generator().with(o -> o.withEosIds()); // no EOS: every row runs to the limit
    for (Completion c : g.generateIds(PROMPTS, SamplingParams.defaults().withMaxNewTokens(7).withSeed(3))) {
      assertEquals(FinishReason.LENGTH, c.finishReason());
      assertEquals(7, c.tokenIds().length);
      assertEquals(7, c.logprobs().length);
      assertEquals(TOKENIZER.decode(c.tokenIds()), c.text());
    }
  }

  @Test
  void eosFinishesOnlyThatRowAndKeepsTheEosTokenOutOfTheText() {
    int[] prompt = PROMPTS.get(0);
    Completion free = generator().with(o -> o.withEosIds()).generateIds(List.of(prompt), SamplingParams.greedy()
        .withMaxNewTokens(12)).get(0);
    int eos = free.tokenIds()[4];
    int firstAt = 0;
    while (free.tokenIds()[firstAt] != eos) {
      firstAt++;
    }
    List<Completion> out = generator().with(o -> o.withEosIds(eos)).generateIds(List.of(prompt, PROMPTS.get(1)),
        SamplingParams.greedy().withMaxNewTokens(12));
    Completion c = out.get(0);
    assertEquals(FinishReason.EOS, c.finishReason());
    assertArrayEquals(Arrays.copyOf(free.tokenIds(), firstAt + 1), c.tokenIds());
    assertEquals(TOKENIZER.decode(Arrays.copyOf(free.tokenIds(), firstAt)), c.text());
    // the other row of the batch ran on as if alone
    Completion other = generator().with(o -> o.withEosIds(eos)).generateIds(List.of(PROMPTS.get(1)),
        SamplingParams.greedy().withMaxNewTokens(12)).get(0);
    assertArrayEquals(other.tokenIds(), out.get(1).tokenIds());
  }

  @Test
  void stopSequenceSplitAcrossTokensEndsTheCompletionBeforeTheStop() {
    SamplingParams params = SamplingParams.greedy().withMaxNewTokens(16);
    Generator g = generator().with(o -> o.withEosIds());
    List<Completion> free = g.generateIds(PROMPTS, params);
    int checked = 0;
    for (int p = 0; p < PROMPTS.size(); p++) {
      int[] ids = free.get(p).tokenIds();
      // a stop made of the last character of token 5 and the first character of token 6
      String left = TinyTokenizer.piece(ids[5]);
      String right = TinyTokenizer.piece(ids[6]);
      String stop = left.substring(left.length() - 1) + right.charAt(0);
      String fullText = free.get(p).text();
      int cut = fullText.indexOf(stop);
      int tokensUntilStop = 1;
      while (!TOKENIZER.decode(Arrays.copyOf(ids, tokensUntilStop)).contains(stop)) {
        tokensUntilStop++;
      }
      List<Completion> stopped = g.generateIds(PROMPTS, params.withStop(List.of("never-there", stop)));
      Completion c = stopped.get(p);
      assertEquals(FinishReason.STOP, c.finishReason(), "prompt " + p + " stop '" + stop + "'");
      assertEquals(fullText.substring(0, cut), c.text());
      assertFalse(c.text().contains(stop));
      assertArrayEquals(Arrays.copyOf(ids, tokensUntilStop), c.tokenIds());
      // rows whose text does not contain this stop run to the limit
      for (int q = 0; q < PROMPTS.size(); q++) {
        if (!free.get(q).text().contains(stop)) {
          assertEquals(FinishReason.LENGTH, stopped.get(q).finishReason());
          assertArrayEquals(free.get(q).tokenIds(), stopped.get(q).tokenIds());
        }
      }
      checked++;
    }
    assertEquals(PROMPTS.size(), checked);
  }

  @Test
  void greedyOnTheDeviceGivesTheJavaPathsTokensLogprobsAndFinishes() {
    SamplingParams free = SamplingParams.greedy().withMaxNewTokens(16);
    List<Completion> unstopped =
        generator().with(o -> o.withEosIds().withDeviceSelection(false)).generateIds(PROMPTS, free);
    int eos = unstopped.get(0).tokenIds()[4];
    int p = 1; // a stop from a row that reaches its tokens 5 and 6 before the EOS
    while (Arrays.stream(unstopped.get(p).tokenIds(), 0, 7).anyMatch(t -> t == eos)) {
      p++;
    }
    int[] ids = unstopped.get(p).tokenIds();
    String left = TinyTokenizer.piece(ids[5]);
    String stop = left.substring(left.length() - 1) + TinyTokenizer.piece(ids[6]).charAt(0);
    SamplingParams params = free.withStop(List.of("never-there", stop)).withN(2);
    Set<FinishReason> seen = EnumSet.noneOf(FinishReason.class);
    // static decode steps too: there both paths take one more full-batch step before compacting
    Generator stopping = generator().with(o -> o.withEosIds(eos));
    for (Generator g : List.of(stopping, stopping.with(o -> o.withMaxBatchRows(3)),
        stopping.with(o -> o.withStaticDecode(true)))) {
      List<Completion> device = g.generateIds(PROMPTS, params);
      List<Completion> java = g.with(o -> o.withDeviceSelection(false)).generateIds(PROMPTS, params);
      assertEquals(java.size(), device.size());
      for (int i = 0; i < java.size(); i++) {
        Completion d = device.get(i);
        Completion j = java.get(i);
        String where = "completion " + i;
        assertArrayEquals(j.tokenIds(), d.tokenIds(), where);
        assertEquals(j.text(), d.text(), where);
        assertEquals(j.finishReason(), d.finishReason(), where);
        for (int t = 0; t < j.logprobs().length; t++) {
          assertEquals(j.logprobs()[t], d.logprobs()[t], 1e-6, where + " token " + t);
        }
        seen.add(d.finishReason());
      }
    }
    assertEquals(EnumSet.allOf(FinishReason.class), seen, "the batch should end rows by EOS, stop and length");
  }

  @Test
  void staticDecodeStepsGiveTheForwardPassCompletionsThroughCompactionAndSharedPrefills() {
    SamplingParams free = SamplingParams.greedy().withMaxNewTokens(16);
    int eos = generator().with(o -> o.withEosIds()).generateIds(PROMPTS, free).get(0).tokenIds()[4];
    for (SamplingParams params : List.of(free.withN(2), SamplingParams.defaults().withTemperature(0.9)
        .withMaxNewTokens(12).withN(3).withSeed(5))) {
      Generator stopping = generator().with(o -> o.withEosIds(eos));
      for (Generator g : List.of(stopping, stopping.with(o -> o.withMaxBatchRows(5)))) {
        List<Completion> plain = g.with(o -> o.withStaticDecode(false)).generateIds(PROMPTS, params);
        List<Completion> fixed = g.with(o -> o.withStaticDecode(true)).generateIds(PROMPTS, params);
        assertEquals(plain.size(), fixed.size());
        for (int i = 0; i < plain.size(); i++) {
          String where = "completion " + i + " at temperature " + params.temperature();
          assertArrayEquals(plain.get(i).tokenIds(), fixed.get(i).tokenIds(), where);
          assertEquals(plain.get(i).finishReason(), fixed.get(i).finishReason(), where);
          for (int t = 0; t < plain.get(i).logprobs().length; t++) {
            assertEquals(plain.get(i).logprobs()[t], fixed.get(i).logprobs()[t], 1e-5, where + " token " + t);
          }
        }
      }
    }
  }

  @Test
  void textPromptsGetBosAndJsonHasTheIssueKeys() {
    Completion c = generator().generate(List.of("the cat"), SamplingParams.greedy().withMaxNewTokens(3)).get(0);
    assertArrayEquals(new int[] {TinyTokenizer.BOS, 34, 29, 61}, c.promptTokenIds());
    assertEquals(List.of("prompt_index", "sample_index", "prompt_token_ids", "text", "token_ids", "logprobs",
        "finish_reason"), new ArrayList<>(c.toJsonMap().keySet()));
    assertEquals(c.finishReason().jsonName(), c.toJsonMap().get("finish_reason"));
    assertTrue(c.timing().prefillNanos() > 0);
  }

  @Test
  void progressHearsEveryBatchAndCountsAllCompletions() {
    List<ProgressListener.Progress> heard = new ArrayList<>();
    List<Completion> sunk = new ArrayList<>();
    generator().with(o -> o.withMaxBatchRows(4)).generateIds(PROMPTS,
        SamplingParams.greedy().withN(2).withMaxNewTokens(3), heard::add, sunk::add);
    assertEquals(4, heard.size()); // 2 prompts × 2 samples per batch
    assertEquals(16, heard.get(3).done());
    assertEquals(16, heard.get(3).total());
    assertEquals(16, sunk.size());
  }

  @Test
  void rowsSampledInParallelInALargeBatchMatchEachRowSampledAlone(
      @TinyModel(vocab = 8192, seed = 17, eos = {}) Transformer big) {
    int vocab = big.config().vocabSize(); // 32 rows x 8192: past the parallel-sampling threshold; one row alone is not
    Generator g = Generator.of(big, new IdTokenizer(vocab));
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    List<int[]> prompts = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      prompts.add(r.ints(1 + r.nextInt(6), 0, vocab).toArray());
    }
    SamplingParams params = SamplingParams.defaults().withTopP(0.9).withMaxNewTokens(5).withSeed(8);
    List<Completion> together = g.generateIds(prompts, params);
    for (int p = 0; p < prompts.size(); p += 7) {
      List<int[]> alone = new ArrayList<>();
      for (int q = 0; q <= p; q++) {
        alone.add(q == p ? prompts.get(p) : new int[] {0}); // same prompt index, so the same seed stream
      }
      Completion single = g.with(o -> o.withMaxBatchRows(1)).generateIds(alone, params).get(p);
      assertArrayEquals(single.tokenIds(), together.get(p).tokenIds(), "prompt " + p);
      for (int i = 0; i < single.logprobs().length; i++) {
        assertEquals(single.logprobs()[i], together.get(p).logprobs()[i], 1e-5);
      }
    }
  }

  @Test
  void aRowStopsWithLengthWhereTheModelsContextEnds() {
    int context = model.config().maxPositionEmbeddings();
    int[] nearlyFull = new int[context - 6];
    Arrays.fill(nearlyFull, 7);
    List<Completion> out = generator().with(o -> o.withEosIds()).generateIds(List.of(nearlyFull, PROMPTS.get(1)),
        SamplingParams.greedy().withMaxNewTokens(20));
    assertEquals(FinishReason.LENGTH, out.get(0).finishReason());
    assertEquals(6, out.get(0).tokenIds().length);
    assertEquals(20, out.get(1).tokenIds().length);
    SaplingException full = assertThrows(SaplingException.class,
        () -> generator().generateIds(List.of(new int[context]), SamplingParams.greedy()));
    assertTrue(full.getMessage().contains("context is " + context + " positions"), full.getMessage());
  }

  @Test
  void refusesAnEmptyPromptOrAnOutOfVocabularyId() {
    SaplingException empty = assertThrows(SaplingException.class,
        () -> generator().generateIds(List.of(new int[0]), SamplingParams.greedy()));
    assertTrue(empty.getMessage().contains("prompt 0 has no tokens"), empty.getMessage());
    SaplingException oov = assertThrows(SaplingException.class,
        () -> generator().generateIds(List.of(new int[] {1, 64}), SamplingParams.greedy()));
    assertTrue(oov.getMessage().contains("token id 64"), oov.getMessage());
    assertNotEquals(null, oov.getMessage());
  }
}
