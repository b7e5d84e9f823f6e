package dev.sapling.pipeline.run;

import java.util.List;

/**
 * One step of a pipeline: an immutable config record plus the code that turns the records and manifests of earlier
 * stages into this stage's records. A stage appends records to {@link StageContext#log()} in its planned order,
 * starting after the ones already committed, so a resumed stage writes exactly what an uninterrupted one would.
 *
 * <pre>{@code
 * final class Upper implements Stage {
 *   public String name() { return "upper"; }
 *   public Object config() { return new UpperConfig(); }
 *   public List<String> inputs() { return List.of("instructions"); }
 *   public StageReport run(StageContext ctx) { ... ctx.log().append(Json.line(r)); ... }
 * }
 * }</pre>
 */
public interface Stage {
  /** The folder under the run, e.g. {@code responses}. */
  String name();

  /** The config record; written into the manifest and hashed into the signature. */
  Object config();

  /** Names of the earlier stages this one reads. */
  List<String> inputs();

  /** Whether the stage samples from or scores with the model (its identity then enters the signature). */
  default boolean usesModel() {
    return true;
  }

  /**
   * Runs the stage, or resumes it after {@code ctx.log().count()} committed records, and returns its QC and notes.
   */
  StageReport run(StageContext ctx);
}
