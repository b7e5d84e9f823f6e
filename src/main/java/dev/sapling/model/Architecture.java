package dev.sapling.model;

import dev.sapling.model.format.ModelFormatException;
import java.util.Locale;

/**
 * The decoder-only families Sapling runs. They share one forward pass and differ in a few switches: Qwen2 has q/k/v
 * biases, Qwen3 normalises q and k per head, Mistral may use a sliding attention window.
 */
public enum Architecture {
  LLAMA("LlamaForCausalLM", "llama"),
  MISTRAL("MistralForCausalLM", "mistral"),
  QWEN2("Qwen2ForCausalLM", "qwen2"),
  QWEN3("Qwen3ForCausalLM", "qwen3");

  private final String hfClass;
  private final String modelType;

  Architecture(String hfClass, String modelType) {
    this.hfClass = hfClass;
    this.modelType = modelType;
  }

  /** The Hugging Face {@code architectures[0]} value, e.g. {@code LlamaForCausalLM}. */
  public String hfClass() {
    return hfClass;
  }

  /** The Hugging Face {@code model_type} value, e.g. {@code llama}. */
  public String modelType() {
    return modelType;
  }

  /** Finds the architecture from config.json's {@code architectures[0]} or {@code model_type}. */
  public static Architecture fromHf(String name, String source) {
    for (Architecture a : values()) {
      if (a.hfClass.equals(name) || a.modelType.equals(name.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new ModelFormatException(source + ": unsupported architecture '" + name + "'; Sapling runs "
        + "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM and Qwen3ForCausalLM");
  }
}
