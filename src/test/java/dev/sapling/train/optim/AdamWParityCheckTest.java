package dev.sapling.train.optim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.sapling.check.AdamWParityCheck;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWParityCheckTest {
  @Test
  void composedAgreesWithItself() {
    AdamWParityCheck.Result r = run(AdamWUpdate.composed());
    assertTrue(r.passes(DataType.FLOAT32), r.toString());
    assertTrue(r.paramMaxDiff() == 0 && r.stateMaxDiff() == 0, r.toString());
  }

  @Test
  void noticesAnUpdateWithALearningRateOffByOnePerMille() {
    AdamWUpdate skewed = new AdamWUpdate() {
      @Override
      public void apply(List<NDArray> params, List<NDArray> grads, AdamWState state, AdamWConfig c, long step) {
        AdamWUpdate.composed().apply(params, grads, state, c.withLr(c.lr() * 1.001), step);
      }

      @Override
      public String name() {
        return "skewed";
      }
    };
    AdamWParityCheck.Result r = run(skewed);
    assertFalse(r.passes(DataType.FLOAT32), r.toString());
    assertTrue(r.paramMaxDiff() > 1e-6 && r.paramsUnequal() > 20, r.toString());
  }

  private static AdamWParityCheck.Result run(AdamWUpdate candidate) {
    return AdamWParityCheck.run(candidate, AdamWUpdate.composed(), Device.cpu(), DataType.FLOAT32,
        AdamWTest.CONFIG, List.of(AdamWTest.SHAPES), AdamWTest.STEPS, 1.0, 3);
  }
}
