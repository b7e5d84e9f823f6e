package dev.sapling.pipeline;

import dev.sapling.pipeline.instructions.SeedTasks;
import java.nio.file.Path;

/**
 * Seed tasks for instruction generation.
 *
 * <pre>{@code
 * experiment.seeds(Seeds.jsonl("data/self-instruct/seed_tasks.jsonl"));
 * experiment.seeds(Seeds.selfInstruct());   // the embedded default
 * }</pre>
 */
public final class Seeds {
  private Seeds() {}

  /** Self-Instruct-shaped JSONL ({@code {"id": ..., "instruction": ...}} per line). */
  public static SeedTasks jsonl(String path) {
    return SeedTasks.jsonl(Path.of(path));
  }

  public static SeedTasks jsonl(Path path) {
    return SeedTasks.jsonl(path);
  }

  /** The 175 Self-Instruct seed tasks bundled with Sapling. */
  public static SeedTasks selfInstruct() {
    return SeedTasks.selfInstruct();
  }
}
