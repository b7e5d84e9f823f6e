package dev.sapling.train.optim;

/**
 * torch.optim.AdamW written out per scalar in double precision, the oracle for {@link AdamWTest} and
 * {@link FusedAdamWTest}: {@code p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * vmax = max(vmax, v); p -= lr / (1 - b1^t) * m / (sqrt(amsgrad ? vmax : v) / sqrt(1 - b2^t) + eps)}.
 */
final class AdamWReference {
  final double[][] params;
  final double[][] expAvgs;
  final double[][] expAvgSqs;
  final double[][] maxExpAvgSqs;
  private final AdamWConfig config;
  private long step;

  AdamWReference(float[][] initial, AdamWConfig config) {
    this.config = config;
    params = new double[initial.length][];
    expAvgs = new double[initial.length][];
    expAvgSqs = new double[initial.length][];
    maxExpAvgSqs = new double[initial.length][];
    for (int i = 0; i < initial.length; i++) {
      params[i] = new double[initial[i].length];
      for (int j = 0; j < initial[i].length; j++) {
        params[i][j] = initial[i][j];
      }
      expAvgs[i] = new double[initial[i].length];
      expAvgSqs[i] = new double[initial[i].length];
      maxExpAvgSqs[i] = new double[initial[i].length];
    }
  }

  void step(float[][] grads, double lr) {
    step++;
    double b1 = config.beta1();
    double b2 = config.beta2();
    double biasCorrection1 = 1 - Math.pow(b1, step);
    double biasCorrection2 = 1 - Math.pow(b2, step);
    for (int i = 0; i < params.length; i++) {
      for (int j = 0; j < params[i].length; j++) {
        double g = grads[i][j];
        params[i][j] *= 1 - lr * config.weightDecay();
        expAvgs[i][j] = b1 * expAvgs[i][j] + (1 - b1) * g;
        expAvgSqs[i][j] = b2 * expAvgSqs[i][j] + (1 - b2) * g * g;
        maxExpAvgSqs[i][j] = Math.max(maxExpAvgSqs[i][j], expAvgSqs[i][j]);
        double second = config.amsgrad() ? maxExpAvgSqs[i][j] : expAvgSqs[i][j];
        double denom = Math.sqrt(second) / Math.sqrt(biasCorrection2) + config.eps();
        params[i][j] -= lr / biasCorrection1 * expAvgs[i][j] / denom;
      }
    }
  }
}
