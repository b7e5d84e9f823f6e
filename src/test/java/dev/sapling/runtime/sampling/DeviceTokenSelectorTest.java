package dev.sapling.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The device path draws exactly what the Java sampler draws from the same seeded states. */
class DeviceTokenSelectorTest {
  static final int ROWS = 5;
  static final int VOCAB = 3000;

  @Test
  void greedyAndTemperatureDrawsEqualTheJavaSampler() {
    Random random = new Random(11);
    for (SamplingParams params : List.of(SamplingParams.greedy(), SamplingParams.defaults().withTemperature(1.0),
        SamplingParams.defaults().withTemperature(0.7))) {
      assertTrue(DeviceTokenSelector.isPlain(params), params.toString());
      DeviceTokenSelector selector = new DeviceTokenSelector(params, DeviceSampling.composed());
      SamplingState[] javaStates = new SamplingState[ROWS];
      SamplingState[] deviceStates = new SamplingState[ROWS];
      for (int r = 0; r < ROWS; r++) {
        javaStates[r] = SamplingState.forSample(42, r, 0, new int[] {1});
        deviceStates[r] = SamplingState.forSample(42, r, 0, new int[] {1});
      }
      TokenSampler sampler = new TokenSampler(params, VOCAB);
      int distinct = 0;
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
        for (int step = 0; step < 40; step++) {
          float[] logits = new float[ROWS * VOCAB];
          for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
          }
          NDArray array = m.create(logits, new Shape(ROWS, 1, VOCAB));
          TokenSampler.Draw[] picks = selector.select(array, new int[] {0, 1, 2, 3, 4}, deviceStates);
          for (int r = 0; r < ROWS; r++) {
            TokenSampler.Draw draw = sampler.draw(logits, r * VOCAB, javaStates[r]);
            assertEquals(draw.token(), picks[r].token(), params + " step " + step + " row " + r);
            assertEquals(draw.logprob(), picks[r].logprob(), 1e-5, "logprob, step " + step + " row " + r);
            if (picks[r].token() != argMax(logits, r)) {
              distinct++;
            }
          }
          assertEquals(1, m.getManagedArrays().size(), "only the logits array is left");
          array.close();
        }
      }
      assertEquals(params.isGreedy(), distinct == 0, "sampling picks non-argmax tokens, greedy never does");
    }
  }

  @Test
  void filtersAndPenaltiesAreNotPlain() {
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.defaults().withTopP(0.9)));
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.defaults().withTopK(5)));
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.defaults().withMinP(0.1)));
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.greedy().withRepetitionPenalty(1.2)));
  }

  static int argMax(float[] logits, int row) {
    int best = 0;
    for (int i = 1; i < VOCAB; i++) {
      if (logits[row * VOCAB + i] > logits[row * VOCAB + best]) {
        best = i;
      }
    }
    return best;
  }
}
