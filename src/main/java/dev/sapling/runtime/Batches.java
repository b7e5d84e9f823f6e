package dev.sapling.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Length-sorted batching and left padding, as {@link Generator} and {@link Scorer} both batch: requests are sorted
 * (shortest first, so a batch wastes little padding) and cut into batches; a batch's sequences are right-aligned in
 * one {@code [rows, width]} block, so every row's last token is at the same position.
 */
final class Batches {
  private Batches() {}

  /**
   * The request indices {@code 0..count-1} sorted by {@code order} (stable: ties keep request order), cut into
   * consecutive batches of at most {@code size}.
   */
  static List<int[]> sorted(int count, Comparator<Integer> order, int size) {
    Integer[] sorted = IntStream.range(0, count).boxed().toArray(Integer[]::new);
    Arrays.sort(sorted, order);
    List<int[]> batches = new ArrayList<>();
    for (int from = 0; from < count; from += size) {
      int[] batch = new int[Math.min(size, count - from)];
      for (int j = 0; j < batch.length; j++) {
        batch[j] = sorted[from + j];
      }
      batches.add(batch);
    }
    return batches;
  }

  /**
   * Sequences of different lengths as one row-major {@code [rows, width]} block, each right-aligned after
   * {@code padding[r]} zeros (left padding: the KV cache masks those positions).
   */
  record LeftPadded(int[] flat, int[] padding, int width) {
    static LeftPadded of(List<int[]> rows) {
      int width = 0;
      for (int[] ids : rows) {
        width = Math.max(width, ids.length);
      }
      int[] padding = new int[rows.size()];
      int[] flat = new int[rows.size() * width];
      for (int r = 0; r < rows.size(); r++) {
        int[] ids = rows.get(r);
        padding[r] = width - ids.length;
        System.arraycopy(ids, 0, flat, r * width + padding[r], ids.length);
      }
      return new LeftPadded(flat, padding, width);
    }
  }
}
