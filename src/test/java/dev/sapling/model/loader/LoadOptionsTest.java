package dev.sapling.model.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.model.FusedOps;
import dev.sapling.model.TensorOps;
import dev.sapling.runtime.device.BridgeRequirement;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who picks the transformer's ops: the loader, from what the engine has, unless the options or
 * {@code SAPLING_FUSED_OPS=off} say otherwise. The last test is in CI's bridge stage (scripts/ci-bridge.sh).
 */
class LoadOptionsTest {
  static final Path STORIES = Path.of("models/stories260K/stories260K.gguf");

  @Test
  void defaultsPickFusedOpsExactlyWhereTheEngineRunsOnTheBridge() {
    Engine.getEngine("PyTorch");
    boolean bridge = JniUtils.getFeatures().contains("SAPLING_BRIDGE");
    TensorOps picked = LoadOptions.defaults().resolveOps(Map.of());
    assertEquals(bridge, picked instanceof FusedOps, "picked " + picked + " with features " + JniUtils.getFeatures());
    if (!bridge) {
      assertSame(TensorOps.composed(), picked);
    }
  }

  @Test
  void opsGivenByTheCallerOrTheSwitchOverrideTheEngine() {
    TensorOps composed = TensorOps.composed();
    assertSame(composed, LoadOptions.defaults().withOps(composed).resolveOps(Map.of()));
    assertSame(composed, LoadOptions.defaults().resolveOps(Map.of(LoadOptions.FUSED_OPS_SWITCH, "off")));
    LoadOptions changed = LoadOptions.defaults().withOps(composed).withHashWeights(false);
    assertSame(composed, changed.ops().orElseThrow(), "a later withX keeps the ops");
    assertEquals(false, changed.hashWeights());
  }

  /**
   * A model loaded through the library alone, with no CLI and no withOps, runs Sapling's fused natives on the bridge,
   * and its logits match the composed path's.
   */
  @Test
  void aModelLoadedByTheLoaderAloneRunsFusedOpsOnTheBridge() {
    BridgeRequirement.assumeBridge();
    LoadOptions options = LoadOptions.defaults().withHashWeights(false);
    int[] ids = {1, 403, 407, 261, 378, 9, 36};
    try (LoadedModel fused = new CleanModelLoader(options).load(STORIES);
        LoadedModel composed = new CleanModelLoader(options.withOps(TensorOps.composed())).load(STORIES)) {
      assertInstanceOf(FusedOps.class, fused.transformer().ops());
      assertSame(TensorOps.composed(), composed.transformer().ops());
      assertArrayEquals(composed.logits(ids, true), fused.logits(ids, true), 1e-4f, "fused vs composed logits");
    }
  }
}
