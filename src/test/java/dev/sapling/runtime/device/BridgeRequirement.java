package dev.sapling.runtime.device;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.sapling.model.FusedOps;
import dev.sapling.model.TensorOps;
import java.util.Optional;

/**
 * For tests of Sapling's own natives, which exist only where the engine runs on Sapling's JNI bridge (a GPU pod, or
 * {@code eval "$(scripts/cpu-bridge.sh)"} on a CPU machine): without the bridge such a test is skipped, unless
 * {@code SAPLING_REQUIRE_BRIDGE} is set, as {@code .ci/run} does for its bridge run; then it fails, so CI can never
 * pass by skipping them. A test class that uses this belongs in {@code scripts/ci-bridge.sh}'s {@code bridge_tests}.
 *
 * <pre>{@code
 * TensorOps fused = BridgeRequirement.fusedKernels();              // skipped (or failed in CI) without the bridge
 * DeviceSampling sampling = BridgeRequirement.present(FusedSampling.load());
 * }</pre>
 */
public final class BridgeRequirement {
  /** The environment variable that turns a missing bridge from a skip into a failure. */
  public static final String REQUIRE = "SAPLING_REQUIRE_BRIDGE";

  private BridgeRequirement() {}

  /** Skips the calling test unless the engine runs on the bridge, or fails it when {@link #REQUIRE} is set. */
  public static void assumeBridge() {
    Engine.getEngine("PyTorch");
    requireOrSkip(JniUtils.getFeatures().contains("SAPLING_BRIDGE"));
  }

  /** The natives a {@code load()} found; skips the calling test where it found none, or fails it under {@link #REQUIRE}. */
  public static <T> T present(Optional<T> natives) {
    requireOrSkip(natives.isPresent());
    return natives.get();
  }

  /** Sapling's fused kernels: {@code present(FusedOps.load())}. */
  public static TensorOps fusedKernels() {
    return present(FusedOps.load());
  }

  private static void requireOrSkip(boolean loaded) {
    if (!loaded && System.getenv(REQUIRE) != null) {
      throw new IllegalStateException(REQUIRE + " is set but the engine does not run on Sapling's bridge (features "
          + JniUtils.getFeatures() + "); run eval \"$(scripts/cpu-bridge.sh)\" first, which needs Debian's "
          + "libtorch-dev, cmake, ninja-build and g++");
    }
    assumeTrue(loaded, "skipped: the Sapling bridge is not loaded (eval \"$(scripts/cpu-bridge.sh)\" loads it on the "
        + "CPU; CI sets " + REQUIRE + " and runs this)");
  }
}
