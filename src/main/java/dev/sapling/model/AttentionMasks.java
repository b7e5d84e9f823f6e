package dev.sapling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Additive attention masks from boolean visibility, built on the device from tensors only (no Java numbers reach the
 * device, so a recorded step can build them too).
 *
 * <pre>{@code
 * NDArray mask = AttentionMasks.additive(keys.lte(queries), DataType.BFLOAT16);   // 0 visible, -1e9 hidden
 * }</pre>
 */
final class AttentionMasks {
  /** What a hidden key adds to its attention score: large enough that softmax gives it exactly 0 weight. */
  static final float HIDDEN = -1e9f;

  private AttentionMasks() {}

  /** 0 where {@code visible}, {@link #HIDDEN} elsewhere, in {@code dtype}, shaped like {@code visible}. */
  static NDArray additive(NDArray visible, DataType dtype) {
    Shape shape = visible.getShape();
    NDArray zeros = visible.getManager().zeros(shape, dtype);
    return NDArrays.where(visible, zeros, visible.getManager().full(shape, HIDDEN, dtype));
  }
}
