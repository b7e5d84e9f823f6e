package dev.sapling.train.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The AdamW optimizer of {@code torch.optim.AdamW} over a fixed list of parameter arrays: decoupled weight decay,
 * bias-corrected moments, {@code eps} outside the square root, optional amsgrad. The state ({@link AdamWState}) is
 * float32 whatever the parameters' dtype and lives on their device, in a child manager of the first parameter's
 * manager that {@link #close()} frees. The arithmetic runs through an {@link AdamWUpdate}: one native call for all
 * tensors where Sapling's bridge is loaded, composed DJL ops elsewhere.
 *
 * <pre>{@code
 * try (AdamW optimizer = new AdamW(params, AdamWConfig.defaults().withLr(2e-5))) {
 *   for (Batch b : batches) {
 *     try (GradientCollector gc = engine.newGradientCollector()) { gc.backward(loss(b)); }
 *     optimizer.step();                       // reads each parameter's gradient
 *     optimizer.zeroGradients();              // DJL adds each backward pass to the gradients already there
 *     // or optimizer.step(grads, schedule.lr(optimizer.steps() + 1)) with explicit gradients and a schedule
 *   }
 * }
 * }</pre>
 */
public final class AdamW implements AutoCloseable {
  private static final NDIndex ALL = new NDIndex("...");
  private final List<NDArray> params;
  private final AdamWConfig config;
  private final AdamWUpdate update;
  private final NDManager stateManager;
  private final AdamWState state;
  private long steps;

  /** An optimizer over {@code params} with the fastest available update ({@link AdamWUpdate#best()}). */
  public AdamW(List<NDArray> params, AdamWConfig config) {
    this(params, config, AdamWUpdate.best());
  }

  /**
   * An optimizer over {@code params} (non-empty, distinct, floating-point, all on one device) whose steps run
   * through {@code update}.
   */
  public AdamW(List<NDArray> params, AdamWConfig config, AdamWUpdate update) {
    this.params = List.copyOf(checkParams(params));
    this.config = config;
    this.update = update;
    NDArray first = this.params.get(0);
    this.stateManager = first.getManager().newSubManager(first.getDevice());
    List<NDArray> expAvgs = zerosLike(this.params);
    List<NDArray> expAvgSqs = zerosLike(this.params);
    List<NDArray> maxExpAvgSqs = config.amsgrad() ? zerosLike(this.params) : List.of();
    this.state = new AdamWState(expAvgs, expAvgSqs, maxExpAvgSqs);
  }

  /** One step with {@link AdamWConfig#lr()} from each parameter's gradient ({@link NDArray#getGradient()}). */
  public void step() {
    try (NDScope scope = new NDScope()) { // getGradient() wraps a new handle on every call
      List<NDArray> grads = new ArrayList<>(params.size());
      for (int i = 0; i < params.size(); i++) {
        NDArray p = params.get(i);
        if (!p.hasGradient()) {
          throw new IllegalArgumentException("AdamW.step(): parameter " + i + " (" + describe(p)
              + ") has no gradient attached; call setRequiresGradient(true) before the forward pass, or pass the "
              + "gradients to step(grads)");
        }
        grads.add(p.getGradient());
      }
      step(grads, config.lr());
    }
  }

  /**
   * Sets every parameter's gradient to zero, as {@code optimizer.zero_grad()}: DJL's PyTorch engine adds each
   * backward pass to the gradients already there, so call this after each {@link #step()}.
   */
  public void zeroGradients() {
    try (NDScope scope = new NDScope()) {
      for (NDArray p : params) {
        if (p.hasGradient()) {
          p.getGradient().set(ALL, 0);
        }
      }
    }
  }

  /** One step with {@link AdamWConfig#lr()}; {@code grads.get(i)} is the gradient of parameter {@code i}. */
  public void step(List<NDArray> grads) {
    step(grads, config.lr());
  }

  /** One step with learning rate {@code lr} (from a schedule) instead of {@link AdamWConfig#lr()}. */
  public void step(List<NDArray> grads, double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("AdamW.step: learning rate is " + lr + "; expected a finite number >= 0");
    }
    checkGrads(grads);
    update.apply(params, grads, state, lr == config.lr() ? config : config.withLr(lr), steps + 1);
    steps++;
  }

  /** Steps taken so far; the next step's bias correction uses {@code steps() + 1}. */
  public long steps() {
    return steps;
  }

  public List<NDArray> params() {
    return params;
  }

  public AdamWConfig config() {
    return config;
  }

  public AdamWUpdate update() {
    return update;
  }

  public AdamWState state() {
    return state;
  }

  /** Frees the optimizer state; the parameters are the caller's and stay open. */
  @Override
  public void close() {
    stateManager.close();
  }

  private static List<NDArray> checkParams(List<NDArray> params) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("AdamW needs at least one parameter; the list is empty");
    }
    Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Device device = params.get(0).getDevice();
    for (int i = 0; i < params.size(); i++) {
      NDArray p = params.get(i);
      if (p == null) {
        throw new IllegalArgumentException("AdamW: parameter " + i + " is null");
      }
      if (!seen.add(p)) {
        throw new IllegalArgumentException("AdamW: parameter " + i + " (" + describe(p)
            + ") appears twice in the list; it would be updated twice per step");
      }
      if (!p.getDataType().isFloating()) {
        throw new IllegalArgumentException("AdamW: parameter " + i + " has dtype " + p.getDataType()
            + "; only floating-point parameters (float32, bfloat16, float16, float64) can be trained");
      }
      if (!p.getDevice().equals(device)) {
        throw new IllegalArgumentException("AdamW: parameter " + i + " is on " + p.getDevice()
            + " but parameter 0 is on " + device + "; one optimizer updates parameters on one device");
      }
    }
    return params;
  }

  private void checkGrads(List<NDArray> grads) {
    if (grads.size() != params.size()) {
      throw new IllegalArgumentException("AdamW.step: " + grads.size() + " gradients for " + params.size()
          + " parameters; pass one gradient per parameter, in the order the optimizer was built with");
    }
    for (int i = 0; i < grads.size(); i++) {
      NDArray g = grads.get(i);
      NDArray p = params.get(i);
      if (g == null) {
        throw new IllegalArgumentException("AdamW.step: gradient " + i + " is null");
      }
      if (!g.getShape().equals(p.getShape()) || !g.getDevice().equals(p.getDevice())) {
        throw new IllegalArgumentException("AdamW.step: gradient " + i + " (" + describe(g)
            + ") does not match parameter " + i + " (" + describe(p)
            + "); pass one gradient per parameter, in the order the optimizer was built with");
      }
      if (!g.getDataType().isFloating()) {
        throw new IllegalArgumentException("AdamW.step: gradient " + i + " has dtype " + g.getDataType()
            + "; expected a floating-point gradient");
      }
    }
  }

  private List<NDArray> zerosLike(List<NDArray> arrays) {
    List<NDArray> out = new ArrayList<>(arrays.size());
    for (NDArray a : arrays) {
      NDArray z = stateManager.zeros(a.getShape(), DataType.FLOAT32);
      NDScope.unregister(z); // lives as long as the optimizer, not a step scope the caller has open
      out.add(z);
    }
    return out;
  }

  private static String describe(NDArray a) {
    String name = a.getName() == null ? "" : "'" + a.getName() + "' ";
    return name + "shape " + a.getShape() + ", " + a.getDataType() + ", " + a.getDevice();
  }
}
