package dev.sapling.model.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One stored tensor as it lies in its file: name, element type, shape in row-major order (outermost dimension first,
 * as PyTorch and safetensors write it; GGUF's innermost-first dimensions are reversed by its reader) and a read-only
 * little-endian view of its bytes (usually a slice of a memory-mapped file).
 *
 * <pre>{@code
 * RawTensor t = safetensors.tensor("model.embed_tokens.weight");
 * float[] values = t.toFloats();   // F16/BF16 widened, Q8_0 dequantized
 * }</pre>
 */
public record RawTensor(String name, TensorType type, long[] shape, ByteBuffer data, String file) {
  public RawTensor {
    data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    shape = shape.clone();
  }

  /**
   * An F32 tensor held in memory, for writing and for tests; {@code file} is {@code "<memory>"}.
   *
   * <pre>{@code
   * RawTensor w = RawTensor.ofFloats("lm_head.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
   * }</pre>
   */
  public static RawTensor ofFloats(String name, long[] shape, float[] values) {
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (count != values.length) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds "
          + count + " values but " + values.length + " were given");
    }
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return new RawTensor(name, TensorType.F32, shape, data, "<memory>");
  }

  /**
   * This tensor's shape and file with new float32 values (a dequantized or re-ordered copy) under {@code newName}.
   */
  public RawTensor withFloats(String newName, float[] values) {
    RawTensor t = ofFloats(newName, shape, values);
    return new RawTensor(newName, TensorType.F32, shape, t.data(), file);
  }

  /** Product of the dimensions. */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Shape as ints, for array APIs. */
  public int[] intShape() {
    return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
  }

  /**
   * All values as F32: F16 and BF16 are widened exactly, Q8_0 is dequantized (value = int8 * block scale). This is
   * the CPU path's form; DJL's official CPU JNI has no BF16, so weights never reach it narrower than F32.
   */
  public float[] toFloats() {
    long count = elementCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(file + ": tensor '" + name + "' has " + count
          + " elements, too many for one Java array; load it on the GPU path, which keeps its stored dtype");
    }
    int n = (int) count;
    float[] out = new float[n];
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case F32:
        b.asFloatBuffer().get(out);
        break;
      case F16:
        for (int i = 0; i < n; i++) {
          out[i] = Half.toFloat(b.getShort(i * 2));
        }
        break;
      case BF16:
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
        }
        break;
      case Q8_0:
        for (int block = 0; block < n / 32; block++) {
          int base = block * 34;
          float scale = Half.toFloat(b.getShort(base));
          for (int j = 0; j < 32; j++) {
            out[block * 32 + j] = b.get(base + 2 + j) * scale;
          }
        }
        break;
      default:
        throw new ModelFormatException(file + ": tensor '" + name + "' has unsupported type " + type);
    }
    return out;
  }

  @Override
  public String toString() {
    return name + " " + type + Arrays.toString(shape) + " in " + file;
  }
}
