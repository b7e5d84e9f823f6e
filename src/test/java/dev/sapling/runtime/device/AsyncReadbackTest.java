package dev.sapling.runtime.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncReadbackTest {
  @Test
  void nativesAreAvailableExactlyWhenTheSaplingBridgeIsLoaded() {
    Engine.getEngine("PyTorch");
    assertEquals(JniUtils.getFeatures().contains("SAPLING_BRIDGE"), AsyncReadback.available(),
        "features " + JniUtils.getFeatures());
    try (AsyncReadback r = AsyncReadback.open(2); AsyncReadback s = AsyncReadback.synchronous(2)) {
      assertEquals(AsyncReadback.available(), r.asynchronous());
      assertFalse(s.asynchronous());
    }
  }

  @Test
  void readsTheTensorsValuesAsFloat32WhateverItsDtypeAndShape() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray result = m.create(new float[] {3, 17, 0, -1.25f, -0.5f, Float.NEGATIVE_INFINITY}, new Shape(2, 3));
      NDArray ids = m.create(new long[] {5, 7, 11}, new Shape(3, 1));
      for (AsyncReadback r : List.of(AsyncReadback.open(2), AsyncReadback.synchronous(2))) {
        try (r) {
          r.enqueue(0, result);
          assertArrayEquals(result.toFloatArray(), r.await(0));
          r.enqueue(0, ids); // a slot is reusable once awaited
          assertArrayEquals(new float[] {5, 7, 11}, r.await(0));
          r.enqueue(1, result.get(new NDIndex("1"))); // a view: its own values only
          assertArrayEquals(new float[] {-1.25f, -0.5f, Float.NEGATIVE_INFINITY}, r.await(1));
        }
      }
    }
  }

  @Test
  void slotsAreIndependentAndHoldTheValuesOfTheirEnqueueEvenIfTheTensorChangesLater() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray step = m.create(new float[] {1, 2, 3, 4});
      for (AsyncReadback r : List.of(AsyncReadback.open(2), AsyncReadback.synchronous(2))) {
        try (r) {
          step.set(new NDIndex(":"), m.create(new float[] {1, 2, 3, 4}));
          r.enqueue(0, step);
          step.set(new NDIndex(":"), step.mul(10)); // the next step rewrites the output in place
          r.enqueue(1, step);
          assertTrue(r.pending(0));
          assertTrue(r.pending(1));
          assertArrayEquals(new float[] {10, 20, 30, 40}, r.await(1)); // out of order is allowed
          assertArrayEquals(new float[] {1, 2, 3, 4}, r.await(0));
          assertFalse(r.pending(0));
        }
      }
    }
  }

  @Test
  void refusesAnUnreadSlotAReadWithoutCopyAndSlotsOutOfRange() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        AsyncReadback r = AsyncReadback.open(2)) {
      NDArray x = m.ones(new Shape(2), DataType.FLOAT32);
      IllegalStateException nothing = assertThrows(IllegalStateException.class, () -> r.await(1));
      assertTrue(nothing.getMessage().contains("slot 1 has nothing enqueued"), nothing.getMessage());
      r.enqueue(0, x);
      IllegalStateException unread = assertThrows(IllegalStateException.class, () -> r.enqueue(0, x));
      assertTrue(unread.getMessage().contains("await it first"), unread.getMessage());
      IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> r.enqueue(2, x));
      assertTrue(range.getMessage().contains("outside [0, 2)"), range.getMessage());
      assertArrayEquals(new float[] {1, 1}, r.await(0));
    }
    assertThrows(IllegalArgumentException.class, () -> AsyncReadback.open(0));
  }

  @Test
  void aClosedReadbackRefusesWork() {
    AsyncReadback r = AsyncReadback.open(1);
    r.close();
    r.close(); // twice is harmless
    assertThrows(IllegalStateException.class, () -> r.pending(0));
  }
}
