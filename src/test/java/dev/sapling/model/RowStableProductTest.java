package dev.sapling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** A row's product is the same bits whether it is computed alone, beside a few rows, or in a large batch. */
class RowStableProductTest {
  @Test
  void everyRowCountGivesTheLargeBatchsBits() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      for (long[] kn : new long[][] {{256, 512}, {512, 1344}, {1344, 512}, {256, 32000}}) {
        NDArray w = m.randomNormal(0, 0.02f, new Shape(kn[0], kn[1]), DataType.FLOAT32);
        NDArray x = m.randomNormal(new Shape(64, kn[0]));
        float[] reference = x.matMul(w).get("0:1").toFloatArray();
        for (int rows = 1; rows <= 40; rows++) {
          float[] first = RowStableProduct.of(x.get("0:" + rows), w).get("0:1").toFloatArray();
          assertArrayEquals(reference, first, "[" + rows + ", " + kn[0] + "] x [" + kn[0] + ", " + kn[1] + "]");
        }
      }
    }
  }

  @Test
  void keepsTheShapeOfItsInput() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.ones(new Shape(8, 5));
      NDArray x = m.ones(new Shape(1, 3, 8));
      NDArray y = RowStableProduct.of(x, w);
      assertEquals(new Shape(1, 3, 5), y.getShape());
      assertArrayEquals(x.matMul(w).toFloatArray(), y.toFloatArray());
      assertEquals(new Shape(2, 0, 5), RowStableProduct.of(m.ones(new Shape(2, 0, 8)), w).getShape());
      assertEquals(8f, y.get(new NDIndex("0, 2, 4")).getFloat());
    }
  }

  @Test
  void leavesTheShapesOfItsInputsAlone() { // Shape.getShape() is the array a Shape holds
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new Shape(2, 3, 8));
      RowStableProduct.of(x, m.ones(new Shape(8, 5)));
      assertEquals(new Shape(2, 3, 8), x.getShape());
      NDArray a = m.ones(new Shape(2, 3, 8));
      NDArray b = m.ones(new Shape(2, 8, 4));
      assertEquals(new Shape(2, 3, 4), RowStableProduct.batched(a, b).getShape());
      assertEquals(new Shape(2, 3, 8), a.getShape());
    }
  }
}
