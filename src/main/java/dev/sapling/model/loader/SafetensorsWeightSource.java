package dev.sapling.model.loader;

import dev.sapling.model.WeightSource;
import dev.sapling.model.format.RawTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a Hugging Face checkpoint (one or several safetensors files), already under Hugging Face names.
 *
 * <pre>{@code
 * WeightSource src = new SafetensorsWeightSource(dir.toString(), SafetensorsFile.open(file).tensors());
 * }</pre>
 */
public final class SafetensorsWeightSource implements WeightSource {
  private final String description;
  private final Map<String, RawTensor> tensors = new LinkedHashMap<>();

  public SafetensorsWeightSource(String description, List<RawTensor> tensors) {
    this.description = description;
    for (RawTensor t : tensors) {
      this.tensors.put(t.name(), t);
    }
  }

  @Override
  public Optional<RawTensor> find(String hfName) {
    return Optional.ofNullable(tensors.get(hfName));
  }

  @Override
  public Set<String> names() {
    return tensors.keySet();
  }

  @Override
  public String describe() {
    return description;
  }
}
