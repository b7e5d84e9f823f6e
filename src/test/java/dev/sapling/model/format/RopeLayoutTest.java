package dev.sapling.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class RopeLayoutTest {
  @Test
  void unpermuteMovesAdjacentPairsToHalves() {
    // one head of dim 4, one column: GGUF rows are (x0, y0, x1, y1) for pairs (x_i, y_i); HF wants (x0, x1, y0, y1)
    float[] gguf = {10, 20, 11, 21};
    assertArrayEquals(new float[] {10, 11, 20, 21}, RopeLayout.unpermuteRows(gguf, 1, 4, 1));
  }

  @Test
  void permuteInvertsUnpermuteForSeveralHeadsAndColumns() {
    float[] w = new float[3 * 8 * 5];
    for (int i = 0; i < w.length; i++) {
      w[i] = i;
    }
    assertArrayEquals(w, RopeLayout.permuteRows(RopeLayout.unpermuteRows(w, 3, 24, 5), 3, 24, 5));
    assertArrayEquals(w, RopeLayout.unpermuteRows(RopeLayout.permuteRows(w, 3, 24, 5), 3, 24, 5));
  }
}
