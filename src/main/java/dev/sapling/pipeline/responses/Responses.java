package dev.sapling.pipeline.responses;

/**
 * The DSL's entry to the response stage.
 *
 * <pre>{@code
 * experiment.respond(Responses.sample(4).temperature(0.7).topP(0.9));
 * }</pre>
 */
public final class Responses {
  private Responses() {}

  /** {@code k} samples per instruction, otherwise the defaults of {@link ResponsesConfig}. */
  public static ResponsesConfig.Builder sample(int k) {
    return ResponsesConfig.builder().k(k);
  }
}
