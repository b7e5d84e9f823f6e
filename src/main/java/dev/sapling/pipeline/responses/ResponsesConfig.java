package dev.sapling.pipeline.responses;

import dev.sapling.SaplingException;

/**
 * Settings of the response stage: {@code k} samples per instruction from a plain, template-free prompt (the
 * instruction, then {@code promptSuffix}). Defaults follow Self-Rewarding Language Models (Yuan et al., 2024): 4
 * candidates at temperature 0.7 and top-p 0.9.
 *
 * <pre>{@code
 * ResponsesConfig c = Responses.sample(4).temperature(0.7).topP(0.9).build();
 * }</pre>
 *
 * @param k samples per instruction
 * @param maxNewTokens tokens per response; reaching it finishes with {@code length} (a runaway sample)
 * @param promptSuffix what follows the instruction in the prompt
 * @param repetitionThreshold the n-gram repetition rate above which a response is cut and flagged
 */
public record ResponsesConfig(int k, double temperature, double topP, int maxNewTokens, String promptSuffix,
    double repetitionThreshold) {

  public ResponsesConfig {
    if (k < 1) {
      throw new SaplingException("responses config: k is " + k + "; expected an integer >= 1");
    }
    if (maxNewTokens < 1) {
      throw new SaplingException("responses config: max_new_tokens is " + maxNewTokens + "; expected >= 1");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fluent construction; {@link #build()} checks the values. */
  public static final class Builder {
    private int k = 4;
    private double temperature = 0.7;
    private double topP = 0.9;
    private int maxNewTokens = 256;
    private String promptSuffix = "\n";
    private double repetitionThreshold = 0.5;

    private Builder() {}

    public Builder k(int v) {
      k = v;
      return this;
    }

    public Builder temperature(double v) {
      temperature = v;
      return this;
    }

    public Builder topP(double v) {
      topP = v;
      return this;
    }

    public Builder maxNewTokens(int v) {
      maxNewTokens = v;
      return this;
    }

    public Builder promptSuffix(String v) {
      promptSuffix = v;
      return this;
    }

    public Builder repetitionThreshold(double v) {
      repetitionThreshold = v;
      return this;
    }

    public ResponsesConfig build() {
      return new ResponsesConfig(k, temperature, topP, maxNewTokens, promptSuffix, repetitionThreshold);
    }
  }
}
