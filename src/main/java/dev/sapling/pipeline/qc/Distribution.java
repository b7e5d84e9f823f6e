package dev.sapling.pipeline.qc;

import java.util.Arrays;
import java.util.List;

/**
 * The summary of one numeric column (margins, lengths): count, mean, min, max, the quantiles p05/p25/p50/p75/p95
 * (linear interpolation between order statistics, numpy's default), and a histogram over equal-width bins between
 * min and max ({@code edges} has one more entry than {@code counts}; the last bin includes the max). NaN values are
 * counted in {@code nan} and left out of everything else.
 *
 * <pre>{@code
 * Distribution d = Distribution.of(List.of(1.0, 2.0, 3.0, 4.0), 2);
 * d.p50();       // 2.5
 * d.counts();    // [2, 2] over edges [1.0, 2.5, 4.0]
 * }</pre>
 */
public record Distribution(long count, long nan, double mean, double min, double max, double p05, double p25,
    double p50, double p75, double p95, List<Double> edges, List<Long> counts) {
  /** Bins a histogram gets unless asked otherwise. */
  public static final int DEFAULT_BINS = 20;

  public Distribution {
    edges = List.copyOf(edges);
    counts = List.copyOf(counts);
  }

  /** The distribution of {@code values} with {@link #DEFAULT_BINS} bins. */
  public static Distribution of(List<Double> values) {
    return of(values, DEFAULT_BINS);
  }

  /** The distribution of {@code values} with {@code bins} histogram bins; all fields NaN (and no bins) when empty. */
  public static Distribution of(List<Double> values, int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("distribution: bins is " + bins + "; expected >= 1");
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).sorted().toArray();
    long nan = values.size() - v.length;
    if (v.length == 0) {
      double n = Double.NaN;
      return new Distribution(0, nan, n, n, n, n, n, n, n, n, List.of(), List.of());
    }
    double min = v[0];
    double max = v[v.length - 1];
    double width = (max - min) / bins;
    Double[] edges = new Double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = i == bins ? max : min + i * width;
    }
    Long[] counts = new Long[bins];
    Arrays.fill(counts, 0L);
    for (double x : v) {
      int b = width == 0 ? 0 : (int) Math.min(bins - 1, Math.floor((x - min) / width));
      counts[b]++;
    }
    return new Distribution(v.length, nan, Arrays.stream(v).average().orElseThrow(), min, max, quantile(v, 0.05),
        quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75), quantile(v, 0.95), List.of(edges), List.of(counts));
  }

  /** The {@code q} quantile of sorted values, interpolated linearly (numpy's {@code linear} method). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
