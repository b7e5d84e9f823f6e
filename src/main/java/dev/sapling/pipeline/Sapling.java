package dev.sapling.pipeline;

/**
 * Where experiments start.
 *
 * <pre>{@code
 * var run = Sapling.experiment("pilot-100").model(Models.load("models/stories260K")).run();
 * }</pre>
 */
public final class Sapling {
  private Sapling() {}

  /** A new experiment writing to {@code runs/NAME/}. */
  public static Experiment experiment(String name) {
    return new Experiment(name);
  }
}
