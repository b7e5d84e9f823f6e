package dev.sapling.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.SaplingException;
import dev.sapling.data.Json;
import dev.sapling.data.Manifest;
import dev.sapling.pipeline.gate.Gate;
import dev.sapling.pipeline.gate.GateFailedException;
import dev.sapling.pipeline.gate.GateResult;
import dev.sapling.pipeline.qc.QcReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;

/**
 * A run folder ({@code runs/NAME/}) and its finished stages, read from their manifests and records on disk. A run
 * is what {@link Experiment#run()} returns and what {@link Runs#open} reopens later; it never writes.
 *
 * <pre>{@code
 * Run run = experiment.run();
 * run.qc();                       // stage, metric, value
 * run.qc("responses").histogramTable("completion_tokens");
 * run.gate(Gate.standard());      // throws, listing every failed check, unless it passes
 * run.responses().table();
 * run.notes();                    // e.g. the instruction shortfall
 * }</pre>
 */
public final class Run {
  /** Stage folders in pipeline order. */
  public static final List<String> STAGES = List.of("instructions", "responses", "critique", "pairs");

  private final Path dir;

  Run(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /** What the stages said a person should know (shortfalls, skipped seed lines), as "stage: note". */
  public List<String> notes() {
    List<String> out = new ArrayList<>();
    for (String s : stages()) {
      Manifest.read(dir.resolve(s).resolve(Manifest.FILE)).notes().forEach(n -> out.add(s + ": " + n));
    }
    return out;
  }

  /** The stages present, in pipeline order. */
  public List<String> stages() {
    return STAGES.stream().filter(s -> Files.exists(dir.resolve(s).resolve(Manifest.FILE))).toList();
  }

  /** A finished stage by folder name. */
  public StageRecords stage(String name) {
    Path file = dir.resolve(name).resolve(Manifest.FILE);
    if (!Files.exists(file)) {
      throw new SaplingException(dir + " has no stage '" + name + "' (no " + file.getFileName() + "); stages here: "
          + stages());
    }
    Manifest m = Manifest.read(file);
    if (!m.complete()) {
      throw new SaplingException(dir.resolve(name) + ": stage '" + name + "' is incomplete; rerun the experiment to "
          + "finish it");
    }
    return new StageRecords(name, dir.resolve(name), m);
  }

  public StageRecords instructions() {
    return stage("instructions");
  }

  public StageRecords responses() {
    return stage("responses");
  }

  public StageRecords critique() {
    return stage("critique");
  }

  public StageRecords pairs() {
    return stage("pairs");
  }

  /** The last stage present: the dataset the gate checks (pairs once that stage exists). */
  public Path datasetDir() {
    List<String> present = stages();
    if (present.isEmpty()) {
      throw new SaplingException(dir + " holds no finished stage; run the experiment first");
    }
    return dir.resolve(present.get(present.size() - 1));
  }

  /**
   * Checks the run's dataset with {@code gate}: returns the result when it passes or is forced (the force reason is
   * then recorded in the dataset's manifest), throws {@link GateFailedException} listing every failed check otherwise.
   */
  public GateResult gate(Gate gate) {
    return gate(gate, datasetDir());
  }

  /** As {@link #gate(Gate)}, for any stage folder holding a manifest. */
  public static GateResult gate(Gate gate, Path dataset) {
    GateResult result = gate.explain(dataset);
    if (!result.accepted()) {
      throw new GateFailedException(result);
    }
    if (!result.passed()) {
      Manifest m = Manifest.read(dataset.resolve(Manifest.FILE));
      new Manifest(m.saplingManifest(), m.stage(), m.run(), m.createdAt(), m.signature(), m.config(), m.configHash(),
          m.seed(), m.loaderVersion(), m.model(), m.gitCommit(), m.gitDirty(), m.inputs(), m.data(), m.settings(),
          m.qcMetrics(), m.timings(), m.complete(), result.forceReason().orElseThrow(), m.notes()).write(dataset);
    }
    return result;
  }

  /** One stage's QC report (metrics, filters, distributions with histograms, counts). */
  public QcReport qc(String stage) {
    JsonNode qc = stage(stage).manifest().qcMetrics();
    if (qc == null || qc.isNull()) {
      throw new SaplingException(dir.resolve(stage) + ": the manifest has no QC report");
    }
    try {
      return Json.mapper().treeToValue(qc, QcReport.class);
    } catch (Exception e) {
      throw new SaplingException(dir.resolve(stage).resolve(Manifest.FILE) + ": qc_metrics is not a QC report ("
          + e.getMessage() + ")");
    }
  }

  /**
   * Every stage's QC as one table: {@code stage}, {@code metric}, {@code value} — each stage's metrics, then its
   * counts (flags, pairs by kind...), then p05/p50/p95 of its distributions ({@link QcReport#table()}); the
   * histograms are in {@link #qc(String)}{@code .histogramTable(name)}.
   */
  public tech.tablesaw.api.Table qc() {
    StringColumn stage = StringColumn.create("stage");
    StringColumn metric = StringColumn.create("metric");
    DoubleColumn value = DoubleColumn.create("value");
    for (String s : stages()) {
      Manifest m = Manifest.read(dir.resolve(s).resolve(Manifest.FILE));
      if (m.qcMetrics() == null || !m.qcMetrics().path("metrics").isObject()) {
        continue;
      }
      tech.tablesaw.api.Table t = qc(s).table();
      for (int row = 0; row < t.rowCount(); row++) {
        stage.append(s);
        metric.append(t.stringColumn("metric").get(row));
        value.append(t.doubleColumn("value").get(row));
      }
    }
    return tech.tablesaw.api.Table.create("qc " + dir.getFileName(), stage, metric, value);
  }

  @Override
  public String toString() {
    return "run " + dir.getFileName() + " at " + dir + ": " + stages();
  }
}
