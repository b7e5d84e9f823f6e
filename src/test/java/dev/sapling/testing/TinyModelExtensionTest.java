package dev.sapling.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sapling.model.TestModels;
import dev.sapling.model.Transformer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the fixture hands out, and that it shares a class's model with its tests and closes what it opened. */
@ExtendWith(TinyModelExtension.class)
class TinyModelExtensionTest {
  @TinyModel(seed = 23)
  static Transformer field;
  static Transformer fromBeforeAll;
  static NDManager classManager;
  static NDArray onClassManager;
  static NDManager testManager;
  static Transformer testModel;

  @BeforeAll
  static void load(@TinyModel(seed = 23) Transformer model, NDManager manager) {
    fromBeforeAll = model;
    classManager = manager;
    onClassManager = manager.create(new float[] {1, 2});
  }

  /** The class's managers are open until the class ends; a test's are closed when it ends. */
  @AfterAll
  static void whatATestAskedForIsClosedAfterItAndTheClasssManagersServeToTheEnd() {
    assertTrue(classManager.isOpen());
    assertTrue(field.weights().embedding().getManager().isOpen());
    assertFalse(testManager.isOpen(), "a test's NDManager");
    assertFalse(testModel.weights().embedding().getManager().isOpen(), "the manager of a test's own model");
  }

  @Test
  void theFieldAndTheBeforeAllParameterAreOneModelWithTheNamedShapeAndSeed() {
    assertSame(field, fromBeforeAll);
    assertEquals(TestModels.tinyLlama(TinyTokenizer.VOCAB_SIZE, List.of(TinyTokenizer.EOS)), field.config());
    assertEquals(23, seedOf(field));
  }

  @Test
  void aTestGetsTheClassModelForTheSameSpecAndItsOwnForAnother(@TinyModel(seed = 23) Transformer same,
      Transformer defaults, @TinyModel(vocab = 100, eos = {}) Transformer other) {
    assertSame(field, same);
    assertNotSame(field, defaults);
    assertEquals(11, seedOf(defaults));
    assertEquals(100, other.config().vocabSize());
    assertEquals(List.of(), other.config().eosTokenIds());
    testModel = other;
  }

  @Test
  void sameSeedsGiveTheSameWeights(Transformer a, NDManager manager) {
    Transformer b = TestModels.randomTransformer(a.config(), 11, manager);
    assertTrue(a.weights().embedding().contentEquals(b.weights().embedding()));
    assertTrue(manager.isOpen());
    testManager = manager;
    assertEquals(2, onClassManager.toFloatArray().length, "the class's manager serves every test");
  }

  /** The seed of a fixture model: the one among 0..30 whose random weights it has. */
  private static long seedOf(Transformer model) {
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      for (long seed = 0; seed <= 30; seed++) {
        if (TestModels.randomTransformer(model.config(), seed, m).weights().embedding()
            .contentEquals(model.weights().embedding())) {
          return seed;
        }
      }
    }
    return -1;
  }
}
