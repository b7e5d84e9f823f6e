package dev.sapling.train.optim;

import static dev.sapling.train.optim.AdamWTest.CONFIG;
import static dev.sapling.train.optim.AdamWTest.SHAPES;
import static dev.sapling.train.optim.AdamWTest.STEPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.check.AdamWParityCheck;
import dev.sapling.runtime.device.BridgeRequirement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Runs where the engine is on the bridge (a GPU pod, or scripts/cpu-bridge.sh locally); skipped on DJL's JNI. */
class FusedAdamWTest {
  @Test
  void fusedUpdateIsAvailableExactlyWhenTheSaplingBridgeIsLoaded() {
    Optional<AdamWUpdate> fused = FusedAdamW.load();
    assertEquals(JniUtils.getFeatures().contains("SAPLING_BRIDGE"), fused.isPresent(),
        "features " + JniUtils.getFeatures());
    fused.ifPresent(f -> assertTrue(f.name().startsWith("fused (at::_f"), f.name()));
    assertEquals(fused.isPresent(), AdamWUpdate.best() instanceof FusedAdamW);
  }

  @Test
  void fusedMatchesComposedOnFloat32Parameters() {
    compare(DataType.FLOAT32, CONFIG, 1.0);
  }

  @Test
  void fusedMatchesComposedWithAmsgradAndNoWeightDecay() {
    compare(DataType.FLOAT32, CONFIG.withAmsgrad(true).withWeightDecay(0), 0.5);
  }

  /** BFLOAT16 arrays abort DJL's own JNI on the CPU; the bridge maps them to at::kBFloat16. */
  @Test
  void fusedMatchesComposedOnBfloat16Parameters() {
    compare(DataType.BFLOAT16, CONFIG, 1.0);
  }

  @Test
  void fusedRefusesListsThatDoNotLineUp() {
    AdamWUpdate fused = loadOrSkip();
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray p = m.zeros(new Shape(2, 3));
      NDArray state = m.zeros(new Shape(2, 3));
      AdamWState ok = new AdamWState(List.of(state), List.of(state.duplicate()), List.of());
      EngineException count = assertThrows(EngineException.class,
          () -> fused.apply(List.of(p), List.of(), ok, CONFIG, 1));
      assertTrue(count.getMessage().contains("AdamW: 1 parameters but 0 gradients"), count.getMessage());
      EngineException shape = assertThrows(EngineException.class,
          () -> fused.apply(List.of(p), List.of(m.ones(new Shape(3, 2))), ok, CONFIG, 1));
      assertTrue(shape.getMessage().contains("AdamW gradient 0 has shape (3, 2) on cpu but parameter 0 has shape "
          + "(2, 3) on cpu"), shape.getMessage());
      AdamWState float64State = new AdamWState(List.of(m.zeros(new Shape(2, 3), DataType.FLOAT64)),
          List.of(state.duplicate()), List.of());
      EngineException dtype = assertThrows(EngineException.class,
          () -> fused.apply(List.of(p), List.of(m.ones(new Shape(2, 3))), float64State, CONFIG, 1));
      assertTrue(dtype.getMessage().contains("AdamW exp_avg 0 must be a contiguous float32 tensor"),
          dtype.getMessage());
      assertEquals(0f, p.abs().sum().getFloat(), "a refused step leaves the parameters alone");
    }
  }

  /** Fused vs composed over 6 steps with a decaying learning rate; prints and checks the differences. */
  private static void compare(DataType dtype, AdamWConfig config, double gradientDecay) {
    AdamWUpdate fused = loadOrSkip();
    AdamWParityCheck.Result r = AdamWParityCheck.run(fused, AdamWUpdate.composed(), Device.cpu(), dtype, config,
        List.of(SHAPES), STEPS, gradientDecay, 5);
    System.err.println(r);
    assertEquals(23, r.values());
    assertTrue(r.passes(dtype), r.toString());
    if (dtype == DataType.BFLOAT16) {
      assertTrue(r.paramsUnequal() <= 2, r.toString());
    }
  }

  private static AdamWUpdate loadOrSkip() {
    return BridgeRequirement.present(FusedAdamW.load());
  }
}
