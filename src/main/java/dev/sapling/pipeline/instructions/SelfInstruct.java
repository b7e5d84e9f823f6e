package dev.sapling.pipeline.instructions;

/**
 * The DSL's entry to instruction generation, Self-Instruct style.
 *
 * <pre>{@code
 * experiment.generate(SelfInstruct.fewShot(8).count(100));
 * }</pre>
 */
public final class SelfInstruct {
  private SelfInstruct() {}

  /** Prompts of {@code tasks} numbered tasks (a quarter of them machine-written once there are some). */
  public static InstructionsConfig.Builder fewShot(int tasks) {
    return InstructionsConfig.builder().promptTasks(tasks);
  }

  /** Self-Instruct's defaults (8 tasks, 6 + 2, T 0.7, top-p 0.5, 100 instructions). */
  public static InstructionsConfig.Builder defaults() {
    return InstructionsConfig.builder();
  }
}
