package dev.sapling.pipeline.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sapling.SaplingException;
import dev.sapling.data.Hashing;
import dev.sapling.data.Json;
import dev.sapling.data.Manifest;
import dev.sapling.data.Provenance;
import dev.sapling.data.RecordLog;
import dev.sapling.model.loader.LoadedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs stages into a run folder ({@code runs/NAME/STAGE/}), deciding per stage from its manifest on disk: an unchanged
 * complete stage is reused; a changed one (its signature differs, e.g. because an input changed) is moved to
 * {@code runs/NAME/superseded/} and rerun; an incomplete one resumes after its last committed record, with the batch
 * size it started with. A stage folder with a corrupt or foreign manifest, or made with a different model, is an
 * error that says what to do, and nothing on disk changes.
 *
 * <pre>{@code
 * StageRunner runner = new StageRunner(Path.of("runs/pilot"), model, 1234, RunSettings.defaults(), System.err);
 * StageRunner.Outcome o = runner.run(new ResponsesStage(config));
 * o.action(); o.manifest().data().records();
 * }</pre>
 */
public final class StageRunner {
  private final Path runDir;
  private final String runName;
  private final LoadedModel model;
  private final long seed;
  private final RunSettings settings;
  private final PrintStream err;
  private final Provenance provenance;

  /** What the runner did with a stage. */
  public enum Action { REUSED, RAN, RESUMED }

  /** A stage's final manifest, what was done, and the stage's notes (empty when reused). */
  public record Outcome(String stage, Action action, Manifest manifest, List<String> notes) {}

  public StageRunner(Path runDir, LoadedModel model, long seed, RunSettings settings, PrintStream err) {
    this.runDir = runDir.toAbsolutePath().normalize();
    this.runName = this.runDir.getFileName().toString();
    this.model = model;
    this.seed = seed;
    this.settings = settings;
    this.err = err;
    this.provenance = Provenance.ofCode();
  }

  /** Runs, resumes or reuses {@code stage}; its inputs must be complete stages of this run. */
  public Outcome run(Stage stage) {
    Path dir = runDir.resolve(stage.name());
    List<Manifest.Input> inputs = new ArrayList<>();
    Map<String, StageInput> inputData = new LinkedHashMap<>();
    for (String name : stage.inputs()) {
      StageInput in = completeInput(name);
      inputData.put(name, in);
      inputs.add(new Manifest.Input(name, Manifest.sha256Of(in.dir()), in.manifest().signature(),
          in.manifest().data().sha256()));
    }
    JsonNode config = Json.mapper().valueToTree(stage.config());
    JsonNode modelJson = stage.usesModel() && model != null ? model.manifest().toJson(Json.mapper()) : null;
    JsonNode identity = Signatures.modelIdentity(modelJson);
    String signature = Signatures.of(stage.name(), config, identity, seed, inputs);

    Manifest existing = existing(dir, stage.name());
    RunSettings effective = settings;
    String createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Action action = Action.RAN;
    if (existing != null) {
      checkSameModel(dir, existing, identity);
      if (existing.signature().equals(signature)) {
        if (existing.complete()) {
          checkData(dir, existing);
          err.println(stage.name() + ": unchanged, reusing " + existing.data().records() + " records in " + dir);
          return new Outcome(stage.name(), Action.REUSED, existing, List.of());
        }
        action = Action.RESUMED;
        createdAt = existing.createdAt();
        effective = settingsOf(existing);
      } else {
        supersede(dir, existing);
      }
    }
    ObjectNode settingsJson = Json.mapper().valueToTree(effective);
    Manifest running = new Manifest(Manifest.FORMAT, stage.name(), runName, createdAt, signature, config,
        Signatures.hash(config), seed, model == null ? null : model.manifest().loaderVersion(), modelJson,
        provenance.gitCommit(), provenance.gitDirty(), inputs,
        new Manifest.DataFile(DATA_FILE, null, 0), settingsJson, null, Map.of(), false, null, List.of());
    writable(dir);
    long start = System.nanoTime();
    StageReport report;
    int resumedFrom;
    try (RecordLog log = RecordLog.open(dir.resolve(DATA_FILE))) {
      resumedFrom = log.count();
      running = withRecords(running, log.count());
      running.write(dir);
      if (action == Action.RESUMED) {
        err.println(stage.name() + ": resuming after " + log.count() + " committed records"
            + (log.tornBytes() > 0 ? " (cut a torn last line of " + log.tornBytes() + " bytes)" : ""));
      } else if (log.count() > 0) {
        throw new SaplingException(dir.resolve(DATA_FILE) + " has " + log.count() + " records but no matching "
            + "manifest; move the folder aside or delete it to regenerate the stage");
      }
      StageContext ctx = new StageContext(stage.name(), dir, stage.usesModel() ? model : null, seed, effective,
          inputData, log, err);
      report = stage.run(ctx);
    }
    Path data = dir.resolve(DATA_FILE);
    String sha;
    try {
      sha = Hashing.sha256(data);
    } catch (IOException e) {
      throw new SaplingException(data + ": cannot read back (" + e.getMessage() + ")");
    }
    long records = RecordLog.lines(data).size();
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("seconds", (System.nanoTime() - start) / 1e9);
    timings.put("resumed_after_records", (double) resumedFrom);
    Manifest done = new Manifest(Manifest.FORMAT, stage.name(), runName, createdAt, signature, config,
        running.configHash(), seed, running.loaderVersion(), modelJson, provenance.gitCommit(), provenance.gitDirty(),
        inputs, new Manifest.DataFile(DATA_FILE, sha, records), settingsJson, report.qc(), timings, true, null, report.notes());
    done.write(dir);
    for (String note : report.notes()) {
      err.println(stage.name() + ": " + note);
    }
    return new Outcome(stage.name(), action, done, report.notes());
  }

  /** Every stage's records live in this file of its folder. */
  public static final String DATA_FILE = "data.jsonl";

  private StageInput completeInput(String name) {
    Path dir = runDir.resolve(name);
    if (!Files.exists(dir.resolve(Manifest.FILE))) {
      throw new SaplingException("input stage '" + name + "' has not run in " + runDir + "; run it first");
    }
    Manifest m = Manifest.read(dir.resolve(Manifest.FILE));
    if (!m.complete()) {
      throw new SaplingException(dir + ": input stage '" + name + "' is incomplete; rerun the experiment to finish "
          + "it first");
    }
    checkData(dir, m);
    return new StageInput(name, dir, m);
  }

  private Manifest existing(Path dir, String stage) {
    Path file = dir.resolve(Manifest.FILE);
    if (!Files.exists(file)) {
      if (Files.exists(dir.resolve(DATA_FILE))) {
        throw new SaplingException(dir + " has a " + DATA_FILE + " but no manifest.json: not written by this "
            + "Sapling, or damaged. Nothing was changed; move the folder aside (or delete it) to regenerate the stage");
      }
      return null;
    }
    Manifest m = Manifest.read(file);
    if (!stage.equals(m.stage()) || !runName.equals(m.run())) {
      throw new SaplingException(file + ": a foreign manifest (stage '" + m.stage() + "' of run '" + m.run()
          + "', expected stage '" + stage + "' of run '" + runName + "'). Nothing was changed; choose another output "
          + "folder, or move that folder aside");
    }
    return m;
  }

  private void checkSameModel(Path dir, Manifest existing, JsonNode identity) {
    JsonNode recorded = Signatures.modelIdentity(existing.model());
    if (recorded != null && identity != null && !recorded.equals(identity)) {
      throw new SaplingException(dir + " was made with a different model (" + existing.model().path("path").asText()
          + ", weights " + shortHash(recorded) + ") than the one given (" + model.manifest().path() + ", weights "
          + shortHash(identity) + "). Nothing was changed; give that run's model again, or choose another output "
          + "folder (--out) for this model");
    }
  }

  private static String shortHash(JsonNode identity) {
    String h = identity.path("weight_sha256").path(0).asText("?");
    return h.length() > 12 ? h.substring(0, 12) : h;
  }

  private static void checkData(Path dir, Manifest m) {
    Path data = dir.resolve(m.data().file());
    try {
      String sha = Hashing.sha256(data);
      if (!sha.equals(m.data().sha256())) {
        throw new SaplingException(data + ": SHA-256 " + sha.substring(0, 12) + "… differs from the manifest's "
            + String.valueOf(m.data().sha256()).substring(0, Math.min(12, String.valueOf(m.data().sha256()).length()))
            + "…: the data changed after the stage finished. Move the folder aside (or delete it) to regenerate it");
      }
    } catch (IOException e) {
      throw new SaplingException(data + ": cannot read the stage's data (" + e.getMessage() + "); it is listed in "
          + dir.resolve(Manifest.FILE));
    }
  }

  private static RunSettings settingsOf(Manifest m) {
    try {
      return Json.mapper().treeToValue(m.settings(), RunSettings.class);
    } catch (Exception e) {
      return RunSettings.defaults();
    }
  }

  private void supersede(Path dir, Manifest old) {
    Path target = runDir.resolve("superseded").resolve(dir.getFileName() + "-"
        + old.createdAt().replace(':', '-') + "-" + old.signature().substring(0, 8));
    try {
      Files.createDirectories(target.getParent());
      Files.move(dir, target);
    } catch (IOException e) {
      throw new SaplingException("cannot move the outdated stage " + dir + " to " + target + " (" + e.getMessage()
          + "); make " + runDir + " writable, or move it aside yourself");
    }
    err.println(dir.getFileName() + ": config or inputs changed; moved the previous records to " + target
        + " and rerunning");
  }

  private static void writable(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (AccessDeniedException e) {
      throw new SaplingException(dir + ": cannot create the stage folder (permission denied); make "
          + dir.getParent() + " writable or choose another output folder (--out)");
    } catch (IOException e) {
      throw new SaplingException(dir + ": cannot create the stage folder (" + e.getMessage() + "); choose another "
          + "output folder (--out)");
    }
    if (!Files.isWritable(dir)) {
      throw new SaplingException(dir + ": the folder is not writable; make it writable or choose another output "
          + "folder (--out)");
    }
  }

  private static Manifest withRecords(Manifest m, long records) {
    return new Manifest(m.saplingManifest(), m.stage(), m.run(), m.createdAt(), m.signature(), m.config(),
        m.configHash(), m.seed(), m.loaderVersion(), m.model(), m.gitCommit(), m.gitDirty(), m.inputs(),
        new Manifest.DataFile(m.data().file(), null, records), m.settings(), null, m.timings(), false, null, List.of());
  }

}
