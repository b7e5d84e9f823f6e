package dev.sapling.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sapling.SaplingException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The device-side greedy selector and the host selector against {@link TokenSampler} on the same logits. */
class TokenSelectorTest {
  static final int VOCAB = 128_256; // Llama 3's: the size where float32 sums lose the most
  static final int ROWS = 5;

  @AutoClose
  static final NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");

  /** Logits spread like a model's (a few large, most small), with a tie for the max in row 1 and a flat row 3. */
  static float[] logits() {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[ROWS * VOCAB];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 3 + 12);
    }
    x[VOCAB + 500] = 40f;
    x[VOCAB + 70_000] = 40f;
    for (int i = 0; i < VOCAB; i++) {
      x[3 * VOCAB + i] = -1.25f;
    }
    return x;
  }

  static SamplingState[] states(int n) {
    SamplingState[] s = new SamplingState[n];
    for (int i = 0; i < n; i++) {
      s[i] = new SamplingState(i, new int[0]);
    }
    return s;
  }

  @Test
  void deviceGreedyGivesTheJavaArgmaxAndLogprobOfEveryRequestedRow() {
    float[] x = logits();
    NDArray logits = manager.create(x, new Shape(ROWS, 1, VOCAB));
    int[] rows = {4, 1, 1, 3, 0, 2};
    TokenSampler.Draw[] device = new DeviceTokenSelector(SamplingParams.greedy(), DeviceSampling.composed()).select(logits, rows, states(rows.length));
    TokenSampler java = new TokenSampler(SamplingParams.greedy(), VOCAB);
    for (int i = 0; i < rows.length; i++) {
      TokenSampler.Draw expected = java.draw(x, rows[i] * VOCAB, new SamplingState(0, new int[0]));
      assertEquals(expected.token(), device[i].token(), "row " + rows[i]);
      assertEquals(expected.logprob(), device[i].logprob(), 1e-6, "row " + rows[i]);
    }
    assertEquals(500, device[1].token()); // a tie goes to the lowest index
    assertEquals(0, device[3].token());
    assertEquals(-Math.log(VOCAB), device[3].logprob(), 1e-6);
  }

  @Test
  void hostSelectorCopyingOnlyTheRequestedRowsDrawsAsTheSamplerDoesOnTheWholeBatch() {
    float[] x = logits();
    NDArray logits = manager.create(x, new Shape(ROWS, VOCAB));
    SamplingParams params = SamplingParams.defaults().withTopK(50).withTemperature(0.8);
    int[] rows = {3, 0, 3};
    TokenSampler.Draw[] host = new HostTokenSelector(params, VOCAB).select(logits, rows, states(rows.length));
    SamplingState[] reference = states(rows.length);
    TokenSampler java = new TokenSampler(params, VOCAB);
    for (int i = 0; i < rows.length; i++) {
      assertEquals(java.draw(x, rows[i] * VOCAB, reference[i]), host[i], "request " + i);
    }
  }

  @Test
  void greedyAndPlainTemperatureGoToTheDeviceSelectorOnAnyDevice() {
    assertTrue(DeviceTokenSelector.isPlain(SamplingParams.greedy().withStop(java.util.List.of("\n")).withN(3)));
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.defaults().withTopP(0.9)));
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.greedy().withRepetitionPenalty(1.1)));
    assertFalse(DeviceTokenSelector.isPlain(SamplingParams.greedy().withPresencePenalty(0.5)));
    assertTrue(TokenSelector.forParams(SamplingParams.greedy(), VOCAB) instanceof DeviceTokenSelector);
    assertTrue(TokenSelector.forParams(SamplingParams.defaults().withTemperature(0.8), VOCAB)
        instanceof DeviceTokenSelector);
    assertFalse(TokenSelector.forParams(SamplingParams.defaults().withTopK(40), VOCAB) instanceof DeviceTokenSelector,
        "filters choose the device per call (DeviceSamplingTest.forParamsSamplesFiltersInJavaWhenTheLogitsAreOnTheCpu)");
  }

  @Test
  void deviceGreedyRefusesARowWithNaN() {
    float[] x = new float[2 * 8];
    x[8 + 3] = Float.NaN;
    NDArray logits = manager.create(x, new Shape(2, 8));
    SaplingException e = assertThrows(SaplingException.class,
        () -> new DeviceTokenSelector(SamplingParams.greedy(), DeviceSampling.composed()).select(logits, new int[] {0, 1}, states(2)));
    assertTrue(e.getMessage().contains("row 1"), e.getMessage());
  }
}
