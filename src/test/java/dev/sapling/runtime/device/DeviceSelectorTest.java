package dev.sapling.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.sapling.SaplingException;
import org.junit.jupiter.api.Test;

class DeviceSelectorTest {
  @Test
  void refusesToFallBackToCpuWhenGpuWasAskedForAndNoneIsVisible() {
    SaplingException e = assertThrows(SaplingException.class, () -> new DeviceSelector(() -> 0).select("gpu"));
    assertTrue(e.getMessage().contains("does not fall back"), e.getMessage());
    assertTrue(e.getMessage().contains("scripts/gpu-setup.sh"), e.getMessage());
  }

  @Test
  void gpuRequestGivesTheFirstGpuWhenOneIsVisible() {
    assertEquals(Device.gpu(0), new DeviceSelector(() -> 2).select("GPU"));
    assertEquals(Device.gpu(0), new DeviceSelector(() -> 1).select("cuda"));
  }

  @Test
  void autoTakesTheGpuOnlyWhenThereIsOne() {
    assertEquals(Device.gpu(0), new DeviceSelector(() -> 1).select("auto"));
    assertEquals(Device.cpu(), new DeviceSelector(() -> 0).select("auto"));
    assertEquals(Device.cpu(), new DeviceSelector(() -> 0).select((String) null));
  }

  @Test
  void cpuRequestNeverAsksForGpus() {
    DeviceSelector selector = new DeviceSelector(() -> {
      throw new AssertionError("cpu must not query the GPU count");
    });
    assertEquals(Device.cpu(), selector.select("cpu"));
  }

  @Test
  void unknownValueIsNamedInTheError() {
    SaplingException e = assertThrows(SaplingException.class, () -> new DeviceSelector(() -> 0).select("tpu"));
    assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
  }
}
