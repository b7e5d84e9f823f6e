package dev.sapling.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which tiny model {@link TinyModelExtension} gives a {@code Transformer} parameter or static field: a 2-layer
 * Llama-shape model ({@code TestModels.tinyLlama}) over deterministic random weights. The same values give the same
 * weights, so test outputs can be compared exactly; an unannotated {@code Transformer} parameter gets the defaults.
 *
 * <pre>{@code
 * @BeforeAll
 * static void load(@TinyModel(seed = 23) Transformer tiny) { model = tiny; }
 * }</pre>
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
public @interface TinyModel {
  /** The random weights' seed. */
  long seed() default 11;

  /** The vocabulary size: {@link TinyTokenizer}'s unless a test needs a larger one. */
  int vocab() default TinyTokenizer.VOCAB_SIZE;

  /** The config's EOS ids. */
  int[] eos() default {TinyTokenizer.EOS};
}
