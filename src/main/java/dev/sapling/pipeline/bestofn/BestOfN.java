package dev.sapling.pipeline.bestofn;

/**
 * The DSL's entry to the best-of-N pairs stage.
 *
 * <pre>{@code
 * experiment.bestOfN(BestOfN.minGap(0.1).hardNegatives());     // chosen vs each weaker candidate, plus hard negatives
 * experiment.bestOfN(BestOfN.standard());                       // min_gap 0.1, no hard negatives
 * }</pre>
 */
public final class BestOfN {
  private BestOfN() {}

  /** Pairs whose margins differ by at least {@code gap}. */
  public static BestOfNConfig.Builder minGap(double gap) {
    return BestOfNConfig.builder().minGap(gap);
  }

  /** The defaults of {@link BestOfNConfig}. */
  public static BestOfNConfig.Builder standard() {
    return BestOfNConfig.builder();
  }
}
