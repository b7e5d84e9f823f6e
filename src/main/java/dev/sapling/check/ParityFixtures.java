package dev.sapling.check;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.model.loader.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The implementation-independent references and how a model is compared with them, in one place for the JUnit tests
 * on the CPU ({@code HfParityTest}, {@code StoriesOracleTest}) and the device check ({@link GpuFixtureCheck}):
 * transformers' float64 logits of {@code src/test/resources/dev/sapling/parity} and llama2.c's greedy text of
 * stories260K. Paths are relative to the repository root.
 *
 * <pre>{@code
 * ParityFixtures.LogitParity p = ParityFixtures.compare(model, "qwen2-tiny.logits.json");
 * boolean ok = p.passes(DataType.FLOAT32); // max abs diff within 1e-4
 * }</pre>
 */
public final class ParityFixtures {
  /** The folder of the transformers fixtures (reference logits and the tiny models they come from). */
  public static final Path DIR = Path.of("src/test/resources/dev/sapling/parity");
  /** The embedded stories260K model, whose llama2.c outputs sit beside it. */
  public static final Path STORIES = Path.of("models/stories260K/stories260K.gguf");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ParityFixtures() {}

  /**
   * How far a model's logits are from a fixture's over all its positions: the largest absolute difference, the
   * relative L2 distance, and at how many positions the largest logit is the same token.
   */
  public record LogitParity(double maxAbsDiff, double relativeL2, int sameArgmax, int positions) {
    /**
     * F32: max abs diff within 1e-4. BF16: relative L2 within 0.03 and the same argmax at 90% of the positions or
     * more (BF16 rounds every product; its logits differ from float64 by tenths).
     */
    public boolean passes(DataType computeType) {
      return computeType == DataType.FLOAT32 ? maxAbsDiff <= 1e-4
          : relativeL2 <= 0.03 && sameArgmax >= 0.9 * positions;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "max abs diff %.3g, rel L2 %.3g, argmax %d/%d", maxAbsDiff, relativeL2,
          sameArgmax, positions);
    }
  }

  /** Compares {@code model}'s logits over the fixture's ids with its reference logits ({@code fixture} in {@link #DIR}). */
  public static LogitParity compare(LoadedModel model, String fixture) throws IOException {
    JsonNode ref = MAPPER.readTree(DIR.resolve(fixture).toFile());
    int[] ids = MAPPER.convertValue(ref.get("ids"), int[].class);
    float[] ours = model.logits(ids, true);
    int vocab = model.config().vocabSize();
    double maxDiff = 0;
    double diffSq = 0;
    double refSq = 0;
    int sameArgmax = 0;
    for (int pos = 0; pos < ids.length; pos++) {
      JsonNode row = ref.get("logits").get(pos);
      int ourBest = 0;
      int refBest = 0;
      for (int v = 0; v < vocab; v++) {
        double r = row.get(v).asDouble();
        double d = ours[pos * vocab + v] - r;
        maxDiff = Math.max(maxDiff, Math.abs(d));
        diffSq += d * d;
        refSq += r * r;
        ourBest = ours[pos * vocab + v] > ours[pos * vocab + ourBest] ? v : ourBest;
        refBest = r > row.get(refBest).asDouble() ? v : refBest;
      }
      sameArgmax += ourBest == refBest ? 1 : 0;
    }
    return new LogitParity(maxDiff, Math.sqrt(diffSq / refSq), sameArgmax, ids.length);
  }

  /** llama2.c's greedy text for stories260K from BOS (the temperature-0 case of llama2c-expected-outputs.json). */
  public static String llama2cGreedyText() throws IOException {
    Path file = STORIES.resolveSibling("llama2c-expected-outputs.json");
    for (JsonNode c : MAPPER.readTree(file.toFile()).get("cases")) {
      if (c.get("args_llama2zig").asText().startsWith("--temperature 0")) {
        return c.get("expected_text").asText();
      }
    }
    throw new IllegalStateException(file + ": no case whose args_llama2zig start with --temperature 0");
  }
}
