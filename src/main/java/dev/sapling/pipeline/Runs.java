package dev.sapling.pipeline;

import dev.sapling.SaplingException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reopens finished runs, read-only.
 *
 * <pre>{@code
 * Runs.open("runs/pilot-100").pairs().table();
 * }</pre>
 */
public final class Runs {
  private Runs() {}

  public static Run open(String dir) {
    return open(Path.of(dir));
  }

  public static Run open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new SaplingException(dir + ": no such run folder; runs are written under runs/NAME by ./sapling pilot "
          + "or Experiment.run()");
    }
    Run run = new Run(dir);
    if (run.stages().isEmpty()) {
      throw new SaplingException(dir + " holds no stage manifest (instructions/manifest.json, ...); is it a run "
          + "folder?");
    }
    return run;
  }
}
