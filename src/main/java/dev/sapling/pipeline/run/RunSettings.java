package dev.sapling.pipeline.run;

import dev.sapling.SaplingException;

/**
 * How a run executes, as opposed to what it computes: none of it enters a stage's signature. The batch size a stage
 * started with is recorded in its manifest and kept when it resumes, so its batches are planned as they were.
 *
 * <pre>{@code
 * RunSettings s = RunSettings.defaults().withBatchRows(8);
 * }</pre>
 *
 * @param batchRows rows (prompts × samples) per planned generation batch
 * @param device where the model runs, as given ({@code cpu}, {@code gpu}); recorded only
 */
public record RunSettings(int batchRows, String device) {
  public static final int DEFAULT_BATCH_ROWS = 32;

  public RunSettings {
    if (batchRows < 1) {
      throw new SaplingException("run settings: batch_rows is " + batchRows + "; expected an integer >= 1");
    }
  }

  public static RunSettings defaults() {
    return new RunSettings(DEFAULT_BATCH_ROWS, "cpu");
  }

  public RunSettings withBatchRows(int rows) {
    return new RunSettings(rows, device);
  }

  public RunSettings withDevice(String name) {
    return new RunSettings(batchRows, name);
  }
}
