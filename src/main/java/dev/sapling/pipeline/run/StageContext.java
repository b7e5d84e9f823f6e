package dev.sapling.pipeline.run;

import dev.sapling.SaplingException;
import dev.sapling.data.RecordLog;
import dev.sapling.model.loader.LoadedModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a running stage may use: the model, the run seed, the settings it started with, the complete manifests and
 * records of its inputs, and its own append-only record log. Progress and notes go to stderr (or the stream given).
 *
 * <pre>{@code
 * long seed = ctx.recordSeed("i-000042");     // this record's random stream
 * ctx.log().append(Json.line(record));          // one committed record
 * ctx.progress(done, total, "responses");
 * }</pre>
 */
public final class StageContext {
  private final String stage;
  private final Path dir;
  private final LoadedModel model;
  private final long seed;
  private final RunSettings settings;
  private final Map<String, StageInput> inputs;
  private final RecordLog log;
  private final PrintStream err;
  private final int committedBefore;
  private List<String> committedLines;
  private final long startNanos = System.nanoTime();
  private long lastProgressNanos;

  StageContext(String stage, Path dir, LoadedModel model, long seed, RunSettings settings,
      Map<String, StageInput> inputs, RecordLog log, PrintStream err) {
    this.stage = stage;
    this.dir = dir;
    this.model = model;
    this.seed = seed;
    this.settings = settings;
    this.inputs = Map.copyOf(inputs);
    this.log = log;
    this.err = err;
    this.committedBefore = log.count();
  }

  public String stage() {
    return stage;
  }

  /** The stage's folder ({@code runs/NAME/STAGE}). */
  public Path dir() {
    return dir;
  }

  public LoadedModel model() {
    if (model == null) {
      throw new SaplingException("stage '" + stage + "' needs a model; give the experiment one with .model(...)");
    }
    return model;
  }

  public long seed() {
    return seed;
  }

  /** The settings this stage started with (kept across resumes). */
  public RunSettings settings() {
    return settings;
  }

  /** A complete input stage, by name. */
  public StageInput input(String name) {
    StageInput in = inputs.get(name);
    if (in == null) {
      throw new IllegalStateException("stage '" + stage + "' did not declare input '" + name + "'");
    }
    return in;
  }

  public RecordLog log() {
    return log;
  }

  /**
   * Commits the record at {@code position} (0-based, in the stage's planned order): appended when it lies past the
   * records committed before this run, otherwise compared with the committed one, which is kept (a note warns when
   * the two differ: the device or thread count likely changed). A resumed stage recomputes a planned batch that was
   * cut short and so writes only the records it is missing.
   */
  public void commit(int position, String line) {
    if (position >= committedBefore) {
      log.append(line);
      return;
    }
    if (committedLines == null) {
      committedLines = RecordLog.lines(log.file());
    }
    if (!line.equals(committedLines.get(position))) {
      note("warning: record " + (position + 1) + " computed again differs from the committed one; kept the committed "
          + "record (is the device or thread count different from the first run?)");
    }
  }

  /** How many records were committed before this run of the stage started. */
  public int committedBefore() {
    return committedBefore;
  }

  /** The seed of record {@code recordId}'s random stream: (run seed, this stage, record id). */
  public long recordSeed(String recordId) {
    return RecordSeeds.of(seed, stage, recordId);
  }

  /** A progress line on stderr, at most twice a second and always when {@code done == total}. */
  public void progress(int done, int total, String unit) {
    long now = System.nanoTime();
    if (done < total && now - lastProgressNanos < 500_000_000L) {
      return;
    }
    lastProgressNanos = now;
    err.printf(Locale.ROOT, "%s: %d/%d %s (%.1f s)%n", stage, done, total, unit, (now - startNanos) / 1e9);
    err.flush();
  }

  /** A note for the person running the stage, on stderr. */
  public void note(String message) {
    err.println(stage + ": " + message);
    err.flush();
  }
}
