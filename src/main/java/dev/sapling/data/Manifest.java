package dev.sapling.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.SaplingException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} beside every stage's {@code data.jsonl}: what produced the records (model, code, config,
 * seed, inputs by hash), whether the stage is complete, its data file's SHA-256 and its QC metrics. A stage writes an
 * incomplete manifest before its first record and the complete one after its last, each replaced atomically.
 *
 * <pre>{@code
 * Manifest m = Manifest.read(Path.of("runs/pilot-100/pairs/manifest.json"));
 * m.complete(); m.data().sha256(); m.inputs().get(0).manifestSha256();
 * }</pre>
 *
 * @param saplingManifest format version, {@value #FORMAT}
 * @param signature SHA-256 of everything that changes the stage's output (never batch size, device or progress)
 * @param config the stage's config record as JSON, every default spelled out
 * @param configHash SHA-256 of {@code config}'s canonical JSON
 * @param model the loader's {@code ModelManifest} JSON
 * @param settings what may change speed but not records (batch size, device); recorded, never in the signature
 * @param qcMetrics the stage's QC report JSON, null until complete
 * @param timings seconds per phase; the only place times are kept
 * @param forceReason why a failed gate was overridden, or null
 * @param notes what a person should know about the stage's result (e.g. a shortfall)
 */
public record Manifest(
    int saplingManifest,
    String stage,
    String run,
    String createdAt,
    String signature,
    JsonNode config,
    String configHash,
    long seed,
    String loaderVersion,
    JsonNode model,
    String gitCommit,
    boolean gitDirty,
    List<Input> inputs,
    DataFile data,
    JsonNode settings,
    @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode qcMetrics,
    Map<String, Double> timings,
    boolean complete,
    @JsonInclude(JsonInclude.Include.ALWAYS) String forceReason,
    List<String> notes) {

  /** The manifest format this code writes and reads. */
  public static final int FORMAT = 1;
  /** The file name in every stage folder. */
  public static final String FILE = "manifest.json";

  public Manifest {
    inputs = List.copyOf(inputs);
    notes = notes == null ? List.of() : List.copyOf(notes);
    timings = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(timings == null ? Map.of() : timings));
  }

  /**
   * One stage this one read, named by hashes so the chain can be checked and traced.
   *
   * @param manifestSha256 SHA-256 of the input's manifest.json bytes
   * @param signature the input stage's signature
   * @param dataSha256 SHA-256 of the input's data file
   */
  public record Input(String stage, String manifestSha256, String signature, String dataSha256) {}

  /**
   * The stage's data file.
   *
   * @param sha256 SHA-256 of the file when complete, null while the stage is running
   * @param records committed records
   */
  public record DataFile(String file, @JsonInclude(JsonInclude.Include.ALWAYS) String sha256, long records) {}

  /**
   * Reads and checks {@code file}. A file that is not JSON, not a Sapling manifest, or of another format version is
   * an error saying what to do; nothing is modified.
   */
  public static Manifest read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new SaplingException(file + ": no such manifest; a stage folder needs its manifest.json");
    } catch (AccessDeniedException e) {
      throw new SaplingException(file + ": cannot read (permission denied); fix the file's permissions");
    } catch (IOException e) {
      throw new SaplingException(file + ": cannot read (" + e.getMessage() + ")");
    }
    String whatToDo = " Nothing was changed; move the folder " + file.toAbsolutePath().getParent()
        + " aside (or delete it) to regenerate the stage, or choose another output folder.";
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new SaplingException(file + ": corrupt manifest, not valid JSON (" + e.getMessage().lines().findFirst()
          .orElse("") + ")." + whatToDo);
    }
    if (tree == null || !tree.isObject() || !tree.has("sapling_manifest")) {
      throw new SaplingException(file + ": not a Sapling stage manifest (no 'sapling_manifest' field): a foreign "
          + "file." + whatToDo);
    }
    JsonNode format = tree.get("sapling_manifest");
    if (!format.isInt() || format.asInt() != FORMAT) {
      throw new SaplingException(file + ": manifest format " + format + " is not the format " + FORMAT
          + " this Sapling reads." + whatToDo);
    }
    try {
      return Json.mapper().treeToValue(tree, Manifest.class);
    } catch (JsonProcessingException e) {
      throw new SaplingException(file + ": corrupt manifest (" + e.getOriginalMessage() + ")." + whatToDo);
    }
  }

  /** Writes this manifest to {@code dir/manifest.json} atomically (temp file, fsync, rename). */
  public Path write(Path dir) {
    Path target = dir.resolve(FILE);
    try {
      AtomicFiles.writeString(target, Json.pretty(this));
    } catch (AccessDeniedException e) {
      throw new SaplingException(target + ": cannot write (permission denied); make " + dir + " writable or choose "
          + "another output folder; committed records are kept");
    } catch (IOException e) {
      throw new SaplingException(target + ": cannot write (" + e.getMessage() + "); free disk space or fix the "
          + "folder, then rerun: committed records are kept and the stage resumes after them");
    }
    return target;
  }

  /** SHA-256 of the manifest file at {@code dir/manifest.json}, as later stages name it in their inputs. */
  public static String sha256Of(Path dir) {
    try {
      return Hashing.sha256(dir.resolve(FILE));
    } catch (IOException e) {
      throw new SaplingException(dir.resolve(FILE) + ": cannot read (" + e.getMessage() + ")");
    }
  }
}
