package dev.sapling.pipeline.qc;

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

  public QcReport {
    metrics = new LinkedHashMap<>(metrics);
    filters = new LinkedHashMap<>(filters);
    distributions = new LinkedHashMap<>(distributions);
    counts = new LinkedHashMap<>(counts);
  }

  /** An empty report for {@code stage}. */
  public static QcReport of(String stage) {
    return new QcReport(stage, Map.of(), Map.of(), Map.of(), Map.of());
  }

  @Override
  public Map<String, Double> metrics() {
    return java.util.Collections.unmodifiableMap(metrics);
  }

  @Override
  public Map<String, FilterCount> filters() {
    return java.util.Collections.unmodifiableMap(filters);
  }

  @Override
  public Map<String, Distribution> distributions() {
    return java.util.Collections.unmodifiableMap(distributions);
  }

  @Override
  public Map<String, Long> counts() {
    return java.util.Collections.unmodifiableMap(counts);
  }

  /** This report with metric {@code name} set to {@code value}. */
  public QcReport withMetric(String name, double value) {
    QcReport r = copy();
    r.metrics.put(name, value);
    return r;
  }

  /** This report with filter {@code name}'s counts. */
  public QcReport withFilter(String name, long kept, long dropped) {
    QcReport r = copy();
    r.filters.put(name, new FilterCount(kept, dropped));
    return r;
  }

  /** This report with distribution {@code name}. */
  public QcReport withDistribution(String name, Distribution d) {
    QcReport r = copy();
    r.distributions.put(name, d);
    return r;
  }

  /** This report with count {@code name}. */
  public QcReport withCount(String name, long value) {
    QcReport r = copy();
    r.counts.put(name, value);
    return r;
  }

  /**
   * This report with every entry of {@code upstream} added under the upstream's stage name ({@code responses.runaway_rate}),
   * so the last stage's manifest carries the whole run's QC for the gate.
   */
  public QcReport including(QcReport upstream) {
    QcReport r = copy();
    String p = upstream.stage() + ".";
    upstream.metrics.forEach((k, v) -> r.metrics.put(p + k, v));
    upstream.filters.forEach((k, v) -> r.filters.put(p + k, v));
    upstream.distributions.forEach((k, v) -> r.distributions.put(p + k, v));
    upstream.counts.forEach((k, v) -> r.counts.put(p + k, v));
    return r;
  }

  /** Metrics and counts as one table: {@code stage | metric | value}. */
  public Table table() {
    StringColumn stages = StringColumn.create("stage");
    StringColumn names = StringColumn.create("metric");
    DoubleColumn values = DoubleColumn.create("value");
    metrics.forEach((k, v) -> {
      stages.append(stage);
      names.append(k);
      values.append(v);
    });
    counts.forEach((k, v) -> {
      stages.append(stage);
      names.append(k);
      values.append((double) v);
    });
    distributions.forEach((k, d) -> {
      for (String q : List.of("p05", "p50", "p95")) {
        stages.append(stage);
        names.append(k + "." + q);
        values.append(q.equals("p05") ? d.p05() : q.equals("p50") ? d.p50() : d.p95());
      }
    });
    return Table.create("qc " + stage, stages, names, values);
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

  private QcReport copy() {
    return new QcReport(stage, metrics, filters, distributions, counts);
  }
}
