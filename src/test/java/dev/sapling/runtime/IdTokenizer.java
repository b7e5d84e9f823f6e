package dev.sapling.runtime;

import dev.sapling.model.tokenizer.Tokenizer;
import java.util.OptionalInt;

/** A test vocabulary of any size: id {@code i} reads {@code <i>}; no text is ever encoded. */
final class IdTokenizer implements Tokenizer {
  private final int vocab;

  IdTokenizer(int vocab) {
    this.vocab = vocab;
  }

  @Override
  public int[] encode(String text) {
    throw new UnsupportedOperationException("IdTokenizer encodes nothing");
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
    return "ids-" + vocab;
  }
}
