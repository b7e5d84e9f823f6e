package dev.sapling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.testing.TinyModelExtension;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TinyModelExtension.class)
class StaticDecoderTest {
  private static final int[] PADDING = {0, 3, 1};
  private static final int PROMPT = 5;
  private static final int STEPS = 9;

  /**
   * Prefills three left-padded rows, then decodes {@link #STEPS} tokens through the plain forward pass and through
   * a static decoder over a second cache; returns the largest logit difference over every step.
   */
  private static double maxDifference(NDManager manager, ModelConfig c, Optional<StepRecorder> recorder,
      int[] recordedSteps) {
    try (NDManager m = manager.newSubManager()) {
      Transformer t = TestModels.randomTransformer(c, 7, m);
      int batch = PADDING.length;
      int[] prompt = new int[batch * PROMPT];
      for (int i = 0; i < prompt.length; i++) {
        prompt[i] = (i * 13 + 5) % c.vocabSize();
      }
      int capacity = PROMPT + STEPS + 2;
      double max = 0;
      try (KvCache plain = KvCache.allocate(c, m, DataType.FLOAT32, capacity, PADDING);
          KvCache fixed = KvCache.allocate(c, m, DataType.FLOAT32, capacity, PADDING);
          NDManager step = m.newSubManager()) {
        t.forward(step.create(prompt, new Shape(batch, PROMPT)), plain, true);
        t.forward(step.create(prompt, new Shape(batch, PROMPT)), fixed, true);
        try (StaticDecoder decoder = new StaticDecoder(t, fixed, recorder, null)) {
          for (int s = 0; s < STEPS; s++) {
            int[] tokens = new int[batch];
            for (int b = 0; b < batch; b++) {
              tokens[b] = (s * 7 + b * 11 + 3) % c.vocabSize();
            }
            float[] expected = t.forward(step.create(tokens, new Shape(batch, 1)), plain, true).toFloatArray();
            float[] actual = decoder.step(tokens).toFloatArray();
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
              max = Math.max(max, Math.abs(expected[i] - actual[i]));
            }
            if (decoder.recorded()) {
              recordedSteps[0]++;
            }
          }
          assertEquals(plain.length(), fixed.length());
        }
      }
      return max;
    }
  }

  @Test
  void decodeStepsMatchTheForwardPassForEveryArchitectureAndPadding(NDManager manager) {
    ModelConfig[] configs = {
        TransformerTest.config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0),
        TransformerTest.config(Architecture.QWEN2, true, true, false, RopeScaling.none(), 0),
        TransformerTest.config(Architecture.QWEN3, false, false, true, RopeScaling.none(), 0),
        TransformerTest.config(Architecture.MISTRAL, false, false, false, RopeScaling.none(), 4)};
    for (ModelConfig c : configs) {
      int[] recorded = new int[1];
      double diff = maxDifference(manager, c, Optional.empty(), recorded);
      assertTrue(diff < 1e-5, c.architecture() + " window " + c.slidingWindow() + ": max abs diff " + diff);
      assertEquals(0, recorded[0], "no recorder, no recording");
    }
  }

  @Test
  void aRecordedStepIsReplayedWithFreshInputsFromTheSecondStepOn(NDManager manager) {
    ModelConfig c = TransformerTest.config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0);
    int[] recorded = new int[1];
    double diff = maxDifference(manager, c, Optional.of(new RerunRecorder()), recorded);
    assertTrue(diff < 1e-5, "max abs diff " + diff);
    assertEquals(STEPS - 1, recorded[0], "the first step runs eagerly, every later one replays");
  }

  @Test
  void aStepThatCannotBeRecordedRunsEagerlyWithTheSameResults(NDManager manager) {
    ModelConfig c = TransformerTest.config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0);
    StepRecorder failing = (device, step) -> {
      throw new IllegalStateException("operation not permitted when stream is capturing");
    };
    int[] recorded = new int[1];
    double diff = maxDifference(manager, c, Optional.of(failing), recorded);
    assertTrue(diff < 1e-5, "max abs diff " + diff);
    assertEquals(0, recorded[0]);
  }

  @Test
  void aTailFeedsItsChoiceToTheNextStepOnTheDeviceRecordedOrNot(NDManager manager) {
    ModelConfig c = TransformerTest.config(Architecture.QWEN2, true, true, false, RopeScaling.none(), 0);
    StepTail greedy = (logits, tokens, slot) -> {
      NDArray chosen = logits.argMax(-1);                                     // [b, 1]
      tokens.set(new NDIndex(":"), chosen);
      try (NDArray one = slot.onesLike()) {
        slot.set(new NDIndex(":"), slot.add(one));
      }
      return chosen.toType(DataType.FLOAT32, false);
    };
    for (Optional<StepRecorder> recorder : java.util.List.of(Optional.<StepRecorder>empty(),
        Optional.<StepRecorder>of(new RerunRecorder()))) {
      try (NDManager m = manager.newSubManager()) {
        Transformer t = TestModels.randomTransformer(c, 9, m);
        int[] padding = {0, 2};
        int[] prompt = {1, 7, 9, 11, 13, 1, 1, 3, 5, 8};
        try (KvCache plain = KvCache.allocate(c, m, DataType.FLOAT32, 16, padding);
            KvCache fed = KvCache.allocate(c, m, DataType.FLOAT32, 16, padding);
            NDManager step = m.newSubManager();
            StaticDecoder decoder = new StaticDecoder(t, fed, recorder, greedy)) {
          t.forward(step.create(prompt, new Shape(2, 5)), plain, true);
          t.forward(step.create(prompt, new Shape(2, 5)), fed, true);
          int[] next = {4, 6};
          float[] chosen = decoder.step(next).toFloatArray();
          for (int s = 0; s < 6; s++) {
            long[] expected = t.forward(step.create(next, new Shape(2, 1)), plain, true).argMax(-1).toLongArray();
            for (int b = 0; b < 2; b++) {
              assertEquals(expected[b], (long) chosen[b], "step " + s + " row " + b);
              next[b] = (int) expected[b];
            }
            chosen = decoder.advance().toFloatArray();
          }
          assertEquals(plain.length() + 1, fed.length());
        }
      }
    }
  }

  @Test
  void aFullCacheAndAWrongRowCountAreRefusedWithNumbers(NDManager m) {
    ModelConfig c = TransformerTest.config(Architecture.LLAMA, false, false, false, RopeScaling.none(), 0);
    Transformer t = TestModels.randomTransformer(c, 1, m);
    try (KvCache cache = KvCache.allocate(c, m, DataType.FLOAT32, 2, new int[] {0, 0});
        StaticDecoder decoder = StaticDecoder.eager(t, cache)) {
      assertThrows(IllegalArgumentException.class, () -> decoder.step(new int[] {1}));
      decoder.step(new int[] {1, 2});
      decoder.step(new int[] {3, 4});
      Exception e = assertThrows(RuntimeException.class, () -> decoder.step(new int[] {5, 6}));
      assertTrue(e.getMessage().contains("capacity 2"), e.getMessage());
      assertFalse(decoder.recorded());
    }
  }

  /**
   * A recorder with CUDA graphs' contract on the CPU: recording runs nothing (so a step with side effects on its
   * inputs runs once per replay, as on the GPU); every replay runs the step and writes its result into the one output
   * tensor the first replay made.
   */
  private static final class RerunRecorder implements StepRecorder {
    @Override
    public Recording record(Device device, Supplier<NDArray> step) {
      return new Recording() {
        private NDArray output;

        @Override
        public void replay() {
          NDArray fresh = step.get();
          if (output == null) {
            output = fresh;
          } else {
            output.set(new NDIndex("..."), fresh);
            fresh.close();
          }
        }

        @Override
        public NDArray output() {
          return output;
        }

        @Override
        public void close() {
          if (output != null) {
            output.close();
          }
        }
      };
    }
  }
}
