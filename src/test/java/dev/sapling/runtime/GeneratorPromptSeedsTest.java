package dev.sapling.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sapling.SaplingException;
import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-prompt seeds: a prompt's samples do not depend on its position in the request. */
class GeneratorPromptSeedsTest {
  static LoadedModel model;

  @BeforeAll
  static void load() {
    model = new CleanModelLoader().load(Path.of("models/stories260K/stories260K.gguf"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<Completion> run(Generator g, List<String> prompts, long[] seeds, SamplingParams p) {
    List<Completion> out = new ArrayList<>();
    g.generateIds(prompts.stream().map(g::encodePrompt).toList(), seeds, p, ProgressListener.NONE, out::add);
    out.sort(Comparator.comparingInt(Completion::promptIndex).thenComparingInt(Completion::sampleIndex));
    return out;
  }

  @Test
  void aPromptSamplesTheSameWhereverItSits() {
    Generator g = Generator.of(model);
    SamplingParams p = SamplingParams.defaults().withTemperature(0.8).withTopP(0.9).withMaxNewTokens(24).withN(2);
    List<Completion> alone = run(g, List.of("The cat"), new long[] {42}, p);
    List<Completion> third = run(g, List.of("Once upon a time", "A dog", "The cat"), new long[] {7, 8, 42}, p);
    for (int s = 0; s < 2; s++) {
      assertArrayEquals(alone.get(s).tokenIds(), third.get(4 + s).tokenIds(), "sample " + s);
      assertEquals(alone.get(s).text(), third.get(4 + s).text());
    }
  }

  @Test
  void oneSeedPerPromptIsRequired() {
    Generator g = Generator.of(model);
    SaplingException e = assertThrows(SaplingException.class,
        () -> run(g, List.of("a", "b"), new long[] {1}, SamplingParams.defaults().withMaxNewTokens(2)));
    assertEquals("generator: 1 prompt seeds for 2 prompts; give one seed per prompt", e.getMessage());
  }
}
