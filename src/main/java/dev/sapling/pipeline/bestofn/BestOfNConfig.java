package dev.sapling.pipeline.bestofn;

import dev.sapling.SaplingException;
import java.util.List;

/**
 * Settings of the best-of-N pairs stage. Per instruction the candidates with a usable margin are ranked; the best is
 * {@code chosen}; every other candidate at least {@code minGap} below it is {@code rejected} (a gap of 0, a tie, is
 * never a preference, whatever {@code minGap} is). The hard negatives named in {@code hardNegatives} are added on
 * top ({@link PreferencePair#KINDS}).
 *
 * <p>Defaults ({@link BestOfN#standard()}): {@code min_gap} 0.1 nats per token of the ranking score, no hard
 * negatives. The tie rule is Self-Rewarding Language Models' (Yuan et al., 2024: pairs whose two scores are equal are
 * discarded); for a continuous per-token score no paper fixes the gap, so 0.1 is Sapling's choice, the same number
 * as the gate's minimum median margin, recorded in the manifest and overridable.
 *
 * <pre>{@code
 * BestOfNConfig c = BestOfN.minGap(0.2).hardNegatives(PreferencePair.TRUNCATED).build();
 * }</pre>
 *
 * @param minGap the smallest margin gap between chosen and rejected, in the ranking score's unit, at least 0
 * @param hardNegatives the hard-negative kinds to add, in {@link PreferencePair#HARD_NEGATIVES} order
 * @param truncateKeep the share of the chosen's words a truncated negative keeps, in (0, 1)
 */
public record BestOfNConfig(double minGap, List<String> hardNegatives, double truncateKeep) {
  /** Default {@code min_gap} (see the class comment). */
  public static final double DEFAULT_MIN_GAP = 0.1;
  /** A truncated negative keeps the first half of the chosen's words. */
  public static final double DEFAULT_TRUNCATE_KEEP = 0.5;

  public BestOfNConfig {
    if (!(minGap >= 0) || Double.isInfinite(minGap)) {
      throw new SaplingException("best-of-N config: min_gap is " + minGap + "; expected a number >= 0");
    }
    for (String k : hardNegatives) {
      if (!PreferencePair.HARD_NEGATIVES.contains(k)) {
        throw new SaplingException("best-of-N config: unknown hard negative '" + k + "'; expected some of "
            + PreferencePair.HARD_NEGATIVES);
      }
    }
    hardNegatives = PreferencePair.HARD_NEGATIVES.stream().filter(hardNegatives::contains).toList();
    if (!(truncateKeep > 0 && truncateKeep < 1)) {
      throw new SaplingException("best-of-N config: truncate_keep is " + truncateKeep + "; expected a share in (0, 1)");
    }
  }

  /** Whether hard negatives of {@code kind} are made. */
  public boolean makes(String kind) {
    return hardNegatives.contains(kind);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fluent construction; {@link #build()} checks the values. */
  public static final class Builder {
    private double minGap = DEFAULT_MIN_GAP;
    private List<String> hardNegatives = List.of();
    private double truncateKeep = DEFAULT_TRUNCATE_KEEP;

    Builder() {}

    /** The smallest gap between chosen and rejected. */
    public Builder minGap(double gap) {
      minGap = gap;
      return this;
    }

    /** All four hard-negative kinds. */
    public Builder hardNegatives() {
      hardNegatives = PreferencePair.HARD_NEGATIVES;
      return this;
    }

    /** These hard-negative kinds ({@link PreferencePair#HARD_NEGATIVES}). */
    public Builder hardNegatives(String... kinds) {
      hardNegatives = List.of(kinds);
      return this;
    }

    /** The share of the chosen's words a truncated negative keeps. */
    public Builder truncateKeep(double share) {
      truncateKeep = share;
      return this;
    }

    public BestOfNConfig build() {
      return new BestOfNConfig(minGap, hardNegatives, truncateKeep);
    }
  }
}
