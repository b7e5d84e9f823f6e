package dev.sapling.train.optim;

/**
 * AdamW's hyper-parameters, named as in {@code torch.optim.AdamW} ({@code lr}, {@code betas}, {@code eps},
 * {@code weight_decay}, {@code amsgrad}); {@link #defaults()} are PyTorch's defaults. Invalid values are refused
 * when the record is built.
 *
 * <pre>{@code
 * AdamWConfig c = AdamWConfig.defaults().withLr(2e-5).withWeightDecay(0.0);
 * }</pre>
 *
 * @param lr learning rate, {@code >= 0}
 * @param beta1 decay of the first moment (exp_avg), in {@code [0, 1)}
 * @param beta2 decay of the second moment (exp_avg_sq), in {@code [0, 1)}
 * @param eps added to the bias-corrected {@code sqrt(exp_avg_sq)}, {@code >= 0}
 * @param weightDecay decoupled weight decay: each step multiplies the weights by {@code 1 - lr * weightDecay}
 * @param amsgrad use the running maximum of exp_avg_sq in the denominator (AMSGrad)
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
  public AdamWConfig {
    requireAtLeastZero("lr", lr);
    requireBeta("beta1", beta1);
    requireBeta("beta2", beta2);
    requireAtLeastZero("eps", eps);
    requireAtLeastZero("weightDecay", weightDecay);
  }

  /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, no amsgrad. */
  public static AdamWConfig defaults() {
    return new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 1e-2, false);
  }

  public AdamWConfig withLr(double lr) {
    return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  public AdamWConfig withBetas(double beta1, double beta2) {
    return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  public AdamWConfig withEps(double eps) {
    return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  public AdamWConfig withWeightDecay(double weightDecay) {
    return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  public AdamWConfig withAmsgrad(boolean amsgrad) {
    return new AdamWConfig(lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  private static void requireAtLeastZero(String field, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "AdamWConfig." + field + " is " + value + "; expected a finite number >= 0");
    }
  }

  private static void requireBeta(String field, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException("AdamWConfig." + field + " is " + value
          + "; expected a value in [0, 1) (PyTorch's default betas are 0.9 and 0.999)");
    }
  }
}
