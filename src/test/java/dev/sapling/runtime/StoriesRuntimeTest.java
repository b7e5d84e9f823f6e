package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.check.ParityFixtures;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.loader.StoriesOracleTest;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runtime on the real stories260K against llama2.c's greedy text (the implementation-independent oracle), with
 * the BOS-only prompt sharing a batch with longer, left-padded prompts.
 */
class StoriesRuntimeTest {
  @Test
  void greedyInAPaddedBatchReproducesLlama2cAndScoringAgrees() throws Exception {
    try (LoadedModel model = new CleanModelLoader().load(StoriesOracleTest.MODEL)) {
      List<String> prompts = List.of("", "There was a big", "Once upon a time, there was a little dog named",
          "Tom and Sue");
      List<Completion> out = Generator.of(model).generate(prompts, SamplingParams.greedy().withMaxNewTokens(200));
      Completion fromBos = out.get(0);
      assertArrayEquals(model.promptIds(""), fromBos.promptTokenIds());
      assertEquals(ParityFixtures.llama2cGreedyText(), fromBos.text());
      assertEquals(FinishReason.LENGTH, fromBos.finishReason());
      for (int p = 1; p < prompts.size(); p++) {
        // each prompt alone gives what it gave in the batch
        Completion alone = Generator.of(model).generate(prompts.subList(p, p + 1),
            SamplingParams.greedy().withMaxNewTokens(200)).get(0);
        assertArrayEquals(alone.tokenIds(), out.get(p).tokenIds(), "prompt " + p);
        assertEquals(alone.text(), out.get(p).text());
      }
      ScoredText scored = Scorer.of(model).score(List.of(new Scorer.Pair(fromBos.promptTokenIds(),
          fromBos.tokenIds()))).get(0);
      assertEquals(fromBos.logprobSum(), scored.logprobSum(), 1e-3);
      assertTrue(fromBos.text().startsWith("Once upon a time"));
      for (int p = 0; p < prompts.size(); p++) {
        // the text is what the tokens add to the prompt: prompt + text decodes from prompt ids + token ids
        Completion c = out.get(p);
        String whole = model.tokenizer().decode(ReferenceDecoding.concat(c.promptTokenIds(), c.tokenIds()));
        assertEquals(whole, prompts.get(p) + c.text(), "prompt " + p);
      }
    }
  }
}
