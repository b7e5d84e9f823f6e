package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sapling.model.KvCache;
import dev.sapling.model.Transformer;
import java.util.Arrays;

/** The slow, obvious way: one full forward over the whole sequence, batch of one, fresh cache every time. */
final class ReferenceDecoding {
  private ReferenceDecoding() {}

  /** Float32 logits {@code [length][vocab]} of a full forward over {@code ids}. */
  static float[][] logits(Transformer t, int[] ids) {
    int vocab = t.config().vocabSize();
    NDManager model = t.weights().embedding().getManager();
    try (NDManager m = model.newSubManager();
        KvCache cache = KvCache.allocate(t.config(), m, DataType.FLOAT32, ids.length, new int[] {0})) {
      NDArray out = t.forward(m.create(ids, new Shape(1, ids.length)), cache, false);
      float[] flat = out.toFloatArray();
      out.close();
      float[][] rows = new float[ids.length][];
      for (int i = 0; i < ids.length; i++) {
        rows[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
      }
      return rows;
    }
  }

  /** log-softmax of one row, in double. */
  static double[] logSoftmax(float[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : row) {
      sum += Math.exp(v - max);
    }
    double logZ = max + Math.log(sum);
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = row[i] - logZ;
    }
    return out;
  }

  static int argMax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
