package dev.sapling.model.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapling.check.ParityFixtures;
import dev.sapling.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The implementation-independent oracle: llama2.c's greedy text for stories260K, reproduced byte for byte. The
 * expected text re-encodes to exactly 200 tokens: the llama2.c run ("sequence_length 200") generated 200 tokens after
 * BOS, one more than its notes say, so this decodes 200.
 */
public class StoriesOracleTest {
  public static final Path MODEL = ParityFixtures.STORIES;

  @Test
  void greedyFromBosReproducesLlama2cByteForByte() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"generate", "--model", MODEL.toString(), "--max-tokens", "200", "--greedy"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertEquals(ParityFixtures.llama2cGreedyText() + "\n", out.toString(StandardCharsets.UTF_8));
  }
}
