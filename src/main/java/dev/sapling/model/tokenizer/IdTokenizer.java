package dev.sapling.model.tokenizer;

import dev.sapling.data.Hashing;
import java.util.OptionalInt;

/**
 * The stand-in vocabulary of a model that has none (random-init benchmarks and tests): id {@code i} reads
 * {@code <i>}, there is no BOS or EOS, and text cannot be encoded, since such callers feed token ids.
 *
 * <pre>{@code
 * Generator g = new Generator(randomInitTransformer, new IdTokenizer(32000));
 * new IdTokenizer(8).decode(new int[] {3, 5});   // "<3><5>"
 * }</pre>
 */
public final class IdTokenizer implements Tokenizer {
  private final int vocab;

  public IdTokenizer(int vocab) {
    this.vocab = vocab;
  }

  @Override
  public int[] encode(String text) {
    throw new UnsupportedOperationException("a model without a vocabulary cannot encode text; pass token ids");
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append('<').append(id).append('>');
    }
    return sb.toString();
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public OptionalInt bosId() {
    return OptionalInt.empty();
  }

  @Override
  public OptionalInt eosId() {
    return OptionalInt.empty();
  }

  @Override
  public String sha256() {
    return Hashing.sha256("ids:" + vocab);
  }
}
