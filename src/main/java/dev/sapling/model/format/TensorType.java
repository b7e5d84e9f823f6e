package dev.sapling.model.format;

/**
 * Element types of stored weight tensors, in safetensors and GGUF files. {@link #Q8_0} is GGUF's block format
 * (32 int8 values sharing one F16 scale); the others are plain little-endian scalars.
 */
public enum TensorType {
  F32,
  F16,
  BF16,
  Q8_0;

  /** Bytes used to store {@code elements} values of this type. */
  public long byteSize(long elements) {
    switch (this) {
      case F32:
        return elements * 4;
      case F16:
      case BF16:
        return elements * 2;
      case Q8_0:
        return (elements / 32) * 34;
      default:
        throw new AssertionError(this);
    }
  }
}
