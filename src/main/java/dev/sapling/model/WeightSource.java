package dev.sapling.model;

import dev.sapling.model.format.RawTensor;
import java.util.Optional;
import java.util.Set;

/**
 * Stored tensors under their Hugging Face names ({@code model.layers.0.self_attn.q_proj.weight}, ...), whatever the
 * file format. A GGUF source renames and un-permutes; a safetensors source passes through.
 */
public interface WeightSource {
  /** The tensor, or empty when the checkpoint has none of that name. */
  Optional<RawTensor> find(String hfName);

  /** Every name present, for error messages and for detecting unused tensors. */
  Set<String> names();

  /** What to call this source in error messages (usually a path). */
  String describe();
}
