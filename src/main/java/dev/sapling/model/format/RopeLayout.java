package dev.sapling.model.format;

/**
 * Converts Q/K projection rows between the two rotary layouts. Hugging Face checkpoints rotate <em>halves</em> of
 * each head (pair {@code i} is dimensions {@code i} and {@code i + headDim/2}); llama-architecture GGUF files rotate
 * <em>adjacent</em> pairs ({@code 2i}, {@code 2i+1}) and store the rows permuted accordingly. Row {@code (h, half, j)}
 * of the HF layout is row {@code (h, j, half)} of the GGUF layout.
 *
 * <pre>{@code
 * float[] hfQ = RopeLayout.unpermuteRows(ggufQ, numHeads, rows, cols);
 * }</pre>
 */
public final class RopeLayout {
  private RopeLayout() {}

  /** GGUF (adjacent pairs) → Hugging Face (rotate-half) order of the rows of a row-major {@code [rows, cols]} matrix. */
  public static float[] unpermuteRows(float[] w, int numHeads, int rows, int cols) {
    return move(w, numHeads, rows, cols, true);
  }

  /** Hugging Face (rotate-half) → GGUF (adjacent pairs) order; the inverse of {@link #unpermuteRows}. */
  public static float[] permuteRows(float[] w, int numHeads, int rows, int cols) {
    return move(w, numHeads, rows, cols, false);
  }

  private static float[] move(float[] w, int numHeads, int rows, int cols, boolean toHf) {
    if ((long) rows * cols != w.length || rows % numHeads != 0 || (rows / numHeads) % 2 != 0) {
      throw new IllegalArgumentException("cannot permute " + w.length + " values as " + rows + "x" + cols
          + " rows of " + numHeads + " heads with an even head dimension");
    }
    int headDim = rows / numHeads;
    int half = headDim / 2;
    float[] out = new float[w.length];
    for (int h = 0; h < numHeads; h++) {
      for (int side = 0; side < 2; side++) {
        for (int j = 0; j < half; j++) {
          int hfRow = h * headDim + side * half + j;
          int ggufRow = h * headDim + 2 * j + side;
          int from = toHf ? ggufRow : hfRow;
          int to = toHf ? hfRow : ggufRow;
          System.arraycopy(w, from * cols, out, to * cols, cols);
        }
      }
    }
    return out;
  }
}
