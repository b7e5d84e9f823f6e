package dev.sapling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A weight product whose rows do not depend on the rows beside them. libtorch's CPU matrix product (oneDNN/MKL)
 * takes another kernel for 1–3, 5–7 and 9–11 rows than for 4, 8 and 12 or more, and those kernels round
 * differently, so a row sampled alone and the same row in a batch of 3 got logits a few ulps apart, enough to flip a
 * sampled token now and then. On the CPU this pads such a product to the next multiple of {@value #ROW_BLOCK} rows
 * with zeros and drops them after; other row counts and other devices run the plain product. Measured in
 * docs/runtime.md, "Batch invariance".
 *
 * <pre>{@code
 * NDArray y = RowStableProduct.of(x, weight);   // x [b, t, k] or [m, k], weight [k, n]
 * }</pre>
 */
final class RowStableProduct {
  /** Row counts that are multiples of this run the same kernel as large ones. */
  static final int ROW_BLOCK = 4;
  /** From this many rows on, every row count runs the large kernel. */
  static final int UNIFORM_FROM = 12;

  private RowStableProduct() {}

  /**
   * The batched product {@code a · b} ({@code [..., m, k]} times {@code [..., k, n]}, broadcasting the leading axes)
   * with each of the {@code m} rows independent of {@code m}: attention's query rows, whose count is the batch's
   * longest prompt in a prefill. A single row (a decode step's query) is the same in every batch and runs as is.
   */
  static NDArray batched(NDArray a, NDArray b) {
    Shape s = a.getShape();
    int rowAxis = s.dimension() - 2;
    long rows = s.get(rowAxis);
    if (rows == 1 || !padded(a, rows)) { // one query row: every decode step, whatever the batch
      return a.matMul(b);
    }
    long[] pad = s.getShape().clone(); // Shape hands out its own array
    pad[rowAxis] = blockUp(rows) - rows;
    try (NDArray zeros = a.getManager().zeros(new Shape(pad), a.getDataType());
        NDArray block = a.concat(zeros, rowAxis);
        NDArray product = block.matMul(b)) {
      return product.get(new NDIndex("..., :{}, :", rows));
    }
  }

  private static boolean padded(NDArray x, long rows) {
    return rows > 0 && rows < UNIFORM_FROM && rows % ROW_BLOCK != 0
        && Device.Type.CPU.equals(x.getDevice().getDeviceType());
  }

  private static long blockUp(long rows) {
    return (rows + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
  }

  /** {@code x · weight} over the last axis of {@code x}, each row's result independent of the row count. */
  static NDArray of(NDArray x, NDArray weight) {
    Shape s = x.getShape();
    long k = s.get(s.dimension() - 1);
    long rows = k == 0 ? 0 : s.size() / k;
    if (!padded(x, rows)) {
      return x.matMul(weight);
    }
    long padded = blockUp(rows);
    try (NDArray flat = x.reshape(rows, k);
        NDArray zeros = x.getManager().zeros(new Shape(padded - rows, k), x.getDataType());
        NDArray block = flat.concat(zeros, 0);
        NDArray product = block.matMul(weight)) {
      long[] out = s.getShape().clone(); // Shape hands out its own array
      out[out.length - 1] = weight.getShape().get(1);
      return product.get(new NDIndex("0:{}", rows)).reshape(new Shape(out));
    }
  }
}
