package dev.sapling.pipeline.qc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One stage's quality-control numbers, stored as {@code qc_metrics} in its manifest and shown as Tablesaw tables:
 * {@code metrics} are flat named numbers the gate reads ({@code runaway_rate}, {@code margin_median},
 * {@code contamination_rate}, {@code pair_count}...), {@code filters} the kept and dropped counts per filter,
 * {@code distributions} the margin and length distributions with their histograms, {@code counts} named counts
 * such as pairs by kind.
 *
 * <pre>{@code
 * QcReport qc = QcReport.of("pairs").withMetric("pair_count", 42).withDistribution("margin", Distribution.of(gaps));
 * qc.table();                    // metric | value
 * qc.histogramTable("margin");   // bin_start | bin_end | count
 * }</pre>
 */
public record QcReport(String stage, Map<String, Double> metrics, Map<String, FilterCount> filters,
    Map<String, Distribution> distributions, Map<String, Long> counts) {
  /** How many candidates a filter kept and dropped. */
  public record FilterCount(long kept, long dropped) {}

  /** Each map is copied in its order and read-only, so a report never changes once made. */
  public QcReport {
    metrics = frozen(metrics);
    filters = frozen(filters);
    distributions = frozen(distributions);
    counts = frozen(counts);
  }

  private static <V> Map<String, V> frozen(Map<String, V> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /** {@code m} with {@code key} set to {@code value} (a new map; {@code m} is read-only). */
  private static <V> Map<String, V> with(Map<String, V> m, String key, V value) {
    Map<String, V> out = new LinkedHashMap<>(m);
    out.put(key, value);
    return out;
  }

  /** {@code m} with every entry of {@code more} added under {@code prefix}. */
  private static <V> Map<String, V> withAll(Map<String, V> m, String prefix, Map<String, V> more) {
    Map<String, V> out = new LinkedHashMap<>(m);
    more.forEach((k, v) -> out.put(prefix + k, v));
    return out;
  }

  /** An empty report for {@code stage}. */
  public static QcReport of(String stage) {
    return new QcReport(stage, Map.of(), Map.of(), Map.of(), Map.of());
  }

  /** This report with metric {@code name} set to {@code value}. */
  public QcReport withMetric(String name, double value) {
    return new QcReport(stage, with(metrics, name, value), filters, distributions, counts);
  }

  /** This report with filter {@code name}'s counts. */
  public QcReport withFilter(String name, long kept, long dropped) {
    return new QcReport(stage, metrics, with(filters, name, new FilterCount(kept, dropped)), distributions, counts);
  }

  /** This report with distribution {@code name}. */
  public QcReport withDistribution(String name, Distribution d) {
    return new QcReport(stage, metrics, filters, with(distributions, name, d), counts);
  }

  /** This report with count {@code name}. */
  public QcReport withCount(String name, long value) {
    return new QcReport(stage, metrics, filters, distributions, with(counts, name, value));
  }

  /**
   * This report with every entry of {@code upstream} added under the upstream's stage name
   * ({@code responses.runaway_rate}), so the last stage's manifest carries the whole run's QC for the gate.
   */
  public QcReport including(QcReport upstream) {
    String p = upstream.stage() + ".";
    return new QcReport(stage, withAll(metrics, p, upstream.metrics), withAll(filters, p, upstream.filters),
        withAll(distributions, p, upstream.distributions), withAll(counts, p, upstream.counts));
  }

  /** Metrics, counts and each distribution's quantiles as one table: {@code stage | metric | value}. */
  public Table table() {
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    metrics.forEach((k, v) -> {
      names.add(k);
      values.add(v);
    });
    counts.forEach((k, v) -> {
      names.add(k);
      values.add((double) v);
    });
    distributions.forEach((k, d) -> {
      names.addAll(List.of(k + ".p05", k + ".p50", k + ".p95"));
      values.addAll(List.of(d.p05(), d.p50(), d.p95()));
    });
    return Table.create("qc " + stage, StringColumn.create("stage", Collections.nCopies(names.size(), stage)),
        StringColumn.create("metric", names), DoubleColumn.create("value", values));
  }

  /** The filter funnel: {@code filter | kept | dropped}. */
  public Table filterTable() {
    StringColumn names = StringColumn.create("filter");
    LongColumn kept = LongColumn.create("kept");
    LongColumn dropped = LongColumn.create("dropped");
    filters.forEach((k, v) -> {
      names.append(k);
      kept.append(v.kept());
      dropped.append(v.dropped());
    });
    return Table.create("filters " + stage, names, kept, dropped);
  }

  /** Histogram {@code name} as a table: {@code bin | bin_start | bin_end | count}, ready to plot. */
  public Table histogramTable(String name) {
    Distribution d = distributions.get(name);
    if (d == null) {
      throw new IllegalArgumentException("QC of " + stage + " has no distribution '" + name + "'; it has "
          + distributions.keySet());
    }
    IntColumn bin = IntColumn.create("bin");
    DoubleColumn start = DoubleColumn.create("bin_start");
    DoubleColumn end = DoubleColumn.create("bin_end");
    LongColumn count = LongColumn.create("count");
    for (int i = 0; i < d.counts().size(); i++) {
      bin.append(i);
      start.append(d.edges().get(i));
      end.append(d.edges().get(i + 1));
      count.append(d.counts().get(i));
    }
    return Table.create(name + " histogram", bin, start, end, count);
  }
}
