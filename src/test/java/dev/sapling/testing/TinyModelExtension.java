package dev.sapling.testing;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.sapling.model.TestModels;
import dev.sapling.model.Transformer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContextException;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The tiny-model fixture for tests on the CPU. It resolves parameters (of constructors, {@code @BeforeAll} and test
 * methods) and fills static fields annotated {@link TinyModel} before {@code @BeforeAll} runs:
 * <ul>
 *   <li>{@code Transformer}: the tiny model its {@link TinyModel} annotation names (the defaults without one), on a
 *       CPU manager of its own; one per class for fields and {@code @BeforeAll} parameters, one per test for a test
 *       method's parameter unless the class already holds the same model;</li>
 *   <li>{@code NDManager}: a fresh CPU PyTorch manager, closed when the test (or the class, for {@code @BeforeAll})
 *       ends;</li>
 *   <li>{@link TinyTokenizer}: the tokenizer whose vocabulary the default model has.</li>
 * </ul>
 * Every manager it opens is closed when the scope that asked for it ends, so a test class has no teardown.
 *
 * <pre>{@code
 * @ExtendWith(TinyModelExtension.class)
 * class GeneratorTest {
 *   @TinyModel static Transformer model;                   // seed 11, EOS 2, TinyTokenizer's 64 ids
 *
 *   @Test
 *   void largeVocabulary(@TinyModel(vocab = 8192, seed = 17, eos = {}) Transformer big, NDManager manager) { ... }
 * }
 * }</pre>
 */
public final class TinyModelExtension implements ParameterResolver, BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TinyModelExtension.class);
  private static final List<Class<?>> RESOLVED = List.of(Transformer.class, NDManager.class, TinyTokenizer.class);

  /** The defaults of {@link TinyModel}, for an unannotated {@code Transformer} parameter. */
  @TinyModel
  private static final Object DEFAULTS = null;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        TinyModel spec = field.getAnnotation(TinyModel.class);
        if (spec == null) {
          continue;
        }
        if (!Modifier.isStatic(field.getModifiers()) || field.getType() != Transformer.class) {
          throw new ExtensionContextException(c.getName() + "." + field.getName() + ": @TinyModel fills static "
              + "Transformer fields only; declare it 'static Transformer', or take it as a parameter");
        }
        field.setAccessible(true);
        field.set(null, model(context, spec));
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == TinyTokenizer.class) {
      return new TinyTokenizer();
    }
    if (type == NDManager.class) {
      return owned(context, NDManager.newBaseManager(Device.cpu(), "PyTorch"));
    }
    return model(context, parameter.findAnnotation(TinyModel.class).orElseGet(TinyModelExtension::defaults));
  }

  /** The model {@code spec} names, built once per scope (a class's model serves its tests too). */
  private static Transformer model(ExtensionContext context, TinyModel spec) {
    String key = "model seed " + spec.seed() + " vocab " + spec.vocab() + " eos " + Arrays.toString(spec.eos());
    Held held = context.getStore(NAMESPACE).getOrComputeIfAbsent(key, k -> {
      NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
      List<Integer> eos = Arrays.stream(spec.eos()).boxed().toList();
      return new Held(manager, TestModels.randomTransformer(TestModels.tinyLlama(spec.vocab(), eos), spec.seed(),
          manager));
    }, Held.class);
    return held.model();
  }

  /** {@code manager}, closed when {@code context}'s scope ends. */
  private static NDManager owned(ExtensionContext context, NDManager manager) {
    context.getStore(NAMESPACE).put(new Object(), new Held(manager, null));
    return manager;
  }

  private static TinyModel defaults() {
    try {
      return TinyModelExtension.class.getDeclaredField("DEFAULTS").getAnnotation(TinyModel.class);
    } catch (NoSuchFieldException e) {
      throw new AssertionError(e);
    }
  }

  /** A manager (and the model on it, if any) that the store closes with its scope. */
  private record Held(NDManager manager, Transformer model) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      manager.close();
    }
  }
}
