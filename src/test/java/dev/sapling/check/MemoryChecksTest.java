package dev.sapling.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.model.loader.CleanModelLoader;
import dev.sapling.model.loader.LoadedModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device memory check's decode-step body on the CPU: thousands of decode steps must not grow native or heap
 * memory, since every step's temporaries are scoped. The bound is {@link MemoryChecks#RSS_BOUND_MB} MiB of growth in
 * resident memory outside the Java heap ({@link ResidentMemory#nonHeapKb}; VmRSS also counts heap pages touched for
 * the first time, tens of MiB over this test without any leak) between step 500 and the peak up to step 4,000 (a
 * leak of one logits row per step would already exceed it: 3,500 x 512 floats x several temporaries), and no NDArray
 * left attached to the long-lived manager.
 */
class MemoryChecksTest {
  @Test
  void fourThousandDecodeStepsKeepMemoryFlat() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CheckLog log = new CheckLog(new PrintStream(out, true, StandardCharsets.UTF_8));
    try (LoadedModel model = new CleanModelLoader().load(ParityFixtures.STORIES)) {
      new MemoryChecks(model, "stories260K", log).decodeSteps(4000);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    System.err.print(text);
    assertEquals(List.of(), log.failures(), text);
    assertTrue(text.startsWith("PASS stories260K float32 on cpu(): memory over 4000 decode steps: non-heap RSS "),
        text);
  }
}
