package dev.sapling.model;

/**
 * A deliberately naive float64 forward pass over one unpadded sequence, written straight from the Hugging Face
 * modeling code's equations, for checking {@link Transformer} on random weights.
 */
final class ReferenceForward {
  private final ModelConfig c;
  private final MapWeightSource w;

  ReferenceForward(ModelConfig c, MapWeightSource w) {
    this.c = c;
    this.w = w;
  }

  /** Logits {@code [tokens.length][vocab]} for every position. */
  double[][] logits(int[] tokens) {
    int n = tokens.length;
    int h = c.hiddenSize();
    int hd = c.headDim();
    double[][] x = new double[n][];
    for (int t = 0; t < n; t++) {
      x[t] = row("model.embed_tokens.weight", tokens[t], h);
    }
    double[] inv = c.ropeScaling().apply(RopeScaling.baseInverseFrequencies(hd, c.ropeTheta()));
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "model.layers." + l + ".";
      double[][] q = new double[n][];
      double[][] k = new double[n][];
      double[][] v = new double[n][];
      for (int t = 0; t < n; t++) {
        double[] hn = rms(x[t], get(p + "input_layernorm.weight"));
        q[t] = linear(hn, p + "self_attn.q_proj");
        k[t] = linear(hn, p + "self_attn.k_proj");
        v[t] = linear(hn, p + "self_attn.v_proj");
        if (c.qkNorm()) {
          headNorm(q[t], get(p + "self_attn.q_norm.weight"));
          headNorm(k[t], get(p + "self_attn.k_norm.weight"));
        }
        rope(q[t], t, inv);
        rope(k[t], t, inv);
      }
      double[][] attn = new double[n][c.numHeads() * hd];
      for (int t = 0; t < n; t++) {
        for (int head = 0; head < c.numHeads(); head++) {
          int kvh = head / c.groupSize();
          double[] s = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= t; j++) {
            double dot = 0;
            for (int d = 0; d < hd; d++) {
              dot += q[t][head * hd + d] * k[j][kvh * hd + d];
            }
            s[j] = dot / Math.sqrt(hd);
            if (c.slidingWindow() > 0 && t - j >= c.slidingWindow()) {
              s[j] = Double.NEGATIVE_INFINITY;
            }
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= t; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int j = 0; j <= t; j++) {
            for (int d = 0; d < hd; d++) {
              attn[t][head * hd + d] += s[j] / sum * v[j][kvh * hd + d];
            }
          }
        }
      }
      for (int t = 0; t < n; t++) {
        double[] o = linear(attn[t], p + "self_attn.o_proj");
        for (int i = 0; i < h; i++) {
          x[t][i] += o[i];
        }
        double[] hn = rms(x[t], get(p + "post_attention_layernorm.weight"));
        double[] g = linear(hn, p + "mlp.gate_proj");
        double[] u = linear(hn, p + "mlp.up_proj");
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        double[] d = linear(g, p + "mlp.down_proj");
        for (int i = 0; i < h; i++) {
          x[t][i] += d[i];
        }
      }
    }
    String head = c.tieWordEmbeddings() ? "model.embed_tokens" : "lm_head";
    double[][] out = new double[n][];
    for (int t = 0; t < n; t++) {
      out[t] = linear(rms(x[t], get("model.norm.weight")), head);
    }
    return out;
  }

  private float[] get(String name) {
    return w.values.get(name);
  }

  private double[] row(String name, int r, int cols) {
    float[] m = get(name);
    double[] out = new double[cols];
    for (int i = 0; i < cols; i++) {
      out[i] = m[r * cols + i];
    }
    return out;
  }

  private double[] linear(double[] in, String prefix) {
    float[] m = get(prefix + ".weight");
    int rows = m.length / in.length;
    float[] bias = get(prefix + ".bias");
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = bias == null ? 0 : bias[r];
      for (int i = 0; i < in.length; i++) {
        s += m[r * in.length + i] * in[i];
      }
      out[r] = s;
    }
    return out;
  }

  private double[] rms(double[] x, float[] weight) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * inv * weight[i];
    }
    return out;
  }

  private void headNorm(double[] x, float[] weight) {
    int hd = c.headDim();
    for (int h0 = 0; h0 < x.length; h0 += hd) {
      double[] part = java.util.Arrays.copyOfRange(x, h0, h0 + hd);
      System.arraycopy(rms(part, weight), 0, x, h0, hd);
    }
  }

  private void rope(double[] x, int pos, double[] inv) {
    int hd = c.headDim();
    int half = hd / 2;
    for (int h0 = 0; h0 < x.length; h0 += hd) {
      for (int i = 0; i < half; i++) {
        double a = pos * inv[i];
        double x1 = x[h0 + i];
        double x2 = x[h0 + half + i];
        x[h0 + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
        x[h0 + half + i] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
  }
}
