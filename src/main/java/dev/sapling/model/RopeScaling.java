package dev.sapling.model;

/**
 * Rotary-embedding frequency scaling, as Hugging Face's {@code rope_scaling}: none, {@code linear} (positions divided
 * by {@code factor}) or {@code llama3} (low frequencies divided by {@code factor}, high ones kept, a smooth blend in
 * between).
 *
 * <pre>{@code
 * RopeScaling s = RopeScaling.llama3(32.0, 1.0, 4.0, 8192);
 * double[] invFreq = s.apply(RopeScaling.baseInverseFrequencies(64, 500000.0));
 * }</pre>
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
    int originalMaxPositionEmbeddings) {

  /** The kinds of scaling Sapling implements. */
  public enum Type { NONE, LINEAR, LLAMA3 }

  public static RopeScaling none() {
    return new RopeScaling(Type.NONE, 1.0, 0, 0, 0);
  }

  public static RopeScaling linear(double factor) {
    return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
  }

  public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) {
    return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMax);
  }

  /** {@code theta^(-2i/d)} for {@code i < d/2}: the unscaled rotary frequencies. */
  public static double[] baseInverseFrequencies(int headDim, double theta) {
    double[] inv = new double[headDim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    return inv;
  }

  /** The frequencies after scaling. */
  public double[] apply(double[] invFreq) {
    double[] out = invFreq.clone();
    switch (type) {
      case NONE:
        return out;
      case LINEAR:
        for (int i = 0; i < out.length; i++) {
          out[i] = invFreq[i] / factor;
        }
        return out;
      case LLAMA3:
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
          double wavelen = 2 * Math.PI / invFreq[i];
          if (wavelen < highFreqWavelen) {
            out[i] = invFreq[i];
          } else if (wavelen > lowFreqWavelen) {
            out[i] = invFreq[i] / factor;
          } else {
            double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                / (highFreqFactor - lowFreqFactor);
            out[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
          }
        }
        return out;
      default:
        throw new AssertionError(type);
    }
  }
}
