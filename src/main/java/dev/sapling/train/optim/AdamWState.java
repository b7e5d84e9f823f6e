package dev.sapling.train.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * AdamW's per-parameter state, float32 whatever the parameter dtype: the first moment {@code exp_avg}, the second
 * moment {@code exp_avg_sq}, and with amsgrad the running maximum {@code max_exp_avg_sq} (empty list otherwise).
 * Index {@code i} of each list belongs to parameter {@code i}; the arrays are updated in place by each step.
 *
 * <pre>{@code
 * NDArray m0 = optimizer.state().expAvgs().get(0);
 * }</pre>
 */
public record AdamWState(List<NDArray> expAvgs, List<NDArray> expAvgSqs, List<NDArray> maxExpAvgSqs) {
  public AdamWState {
    expAvgs = List.copyOf(expAvgs);
    expAvgSqs = List.copyOf(expAvgSqs);
    maxExpAvgSqs = List.copyOf(maxExpAvgSqs);
  }
}
