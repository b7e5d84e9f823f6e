package dev.sapling.pipeline.run;

import java.util.List;
import java.util.Objects;

/**
 * One step of a pipeline: an immutable config record plus the code that turns the records and manifests of earlier
 * stages into this stage's records. A stage appends records to {@link StageContext#log()} in its planned order,
 * starting after the ones already committed, so a resumed stage writes exactly what an uninterrupted one would.
 *
 * <pre>{@code
 * final class Upper extends Stage {
 *   Upper() { super("upper", new UpperConfig(), List.of("instructions")); }
 *   public StageReport run(StageContext ctx) { ... ctx.log().append(Json.line(r)); ... }
 * }
 * }</pre>
 */
public abstract class Stage {
  private final String name;
  private final Object config;
  private final List<String> inputs;

  /**
   * @param name the folder under the run, e.g. {@code responses}
   * @param config the config record; written into the manifest and hashed into the signature
   * @param inputs names of the earlier stages this one reads
   */
  protected Stage(String name, Object config, List<String> inputs) {
    this.name = Objects.requireNonNull(name, "name");
    this.config = Objects.requireNonNull(config, "config");
    this.inputs = List.copyOf(inputs);
  }

  /** The folder under the run, e.g. {@code responses}. */
  public final String name() {
    return name;
  }

  /** The config record; written into the manifest and hashed into the signature. */
  public final Object config() {
    return config;
  }

  /** Names of the earlier stages this one reads. */
  public final List<String> inputs() {
    return inputs;
  }

  /** Whether the stage samples from or scores with the model (its identity then enters the signature). */
  public boolean usesModel() {
    return true;
  }

  /**
   * Runs the stage, or resumes it after {@code ctx.log().count()} committed records, and returns its QC and notes.
   */
  public abstract StageReport run(StageContext ctx);
}
