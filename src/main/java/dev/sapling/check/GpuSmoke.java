package dev.sapling.check;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import dev.sapling.model.Architecture;
import dev.sapling.model.KvCache;
import dev.sapling.model.LayerWeights;
import dev.sapling.model.ModelConfig;
import dev.sapling.model.ModelShapes;
import dev.sapling.model.RandomWeightSource;
import dev.sapling.model.StaticDecoder;
import dev.sapling.model.TensorOps;
import dev.sapling.model.Transformer;
import dev.sapling.model.WeightSource;
import dev.sapling.model.Weights;
import dev.sapling.model.WeightsBuilder;
import dev.sapling.model.format.RawTensor;
import dev.sapling.model.format.TensorType;
import dev.sapling.model.tokenizer.IdTokenizer;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.Scorer;
import dev.sapling.runtime.device.AsyncReadback;
import dev.sapling.runtime.device.DeviceSelector;
import dev.sapling.model.FusedOps;
import dev.sapling.runtime.sampling.SamplingParams;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Smoke checks for a device, run from the GPU bundle ({@code scripts/gpu-smoke.sh}): the engine starts on the
 * Sapling bridge, BF16 maps both ways, and the transformer forward pass (prefill then decode through the KV cache,
 * also a left-padded batch) on the device matches the CPU in F32 (max abs diff ≤ 1e-4) and in BF16 (within BF16's
 * precision), with composed DJL ops and with Sapling's {@link FusedOps}. With {@code --bench} it also times
 * per-op overhead, a BF16 4096³ matMul and batch-1 and batch-32 decode of a Llama-3.2-1B-shaped random model; with
 * {@code --profile FILE} it writes PyTorch traces of a few decode steps. Prints one line per check to stdout;
 * exits non-zero when a check fails.
 *
 * <pre>
 * ./sapling check smoke --device gpu --bench
 * </pre>
 */
public final class GpuSmoke {
  private static final int[] TOKENS = {1, 17, 5, 60, 33, 2, 9, 41, 12, 7, 0, 58, 99, 250, 3, 77};
  private static final int PREFILL = 6;

  private final PrintStream out;
  private final Device device;
  private final List<String> failures = new ArrayList<>();
  private final Optional<TensorOps> fused;

  private GpuSmoke(PrintStream out, Device device) {
    this.out = out;
    this.device = device;
    this.fused = FusedOps.load();
  }

  /**
   * What to run besides the checks: {@code bench} times op overhead, copies, a BF16 matMul and 1B-shaped decode;
   * each present trace file asks for a PyTorch (Kineto) trace (decode steps, scoring, sampling). Traces without
   * {@code bench} run alone, without the checks.
   *
   * @param device {@code cpu}, {@code gpu} or {@code auto}, as {@link DeviceSelector} reads it
   */
  public record Options(String device, boolean bench, Optional<String> profile, Optional<String> profileScore,
                        Optional<String> profileGenerate) {}

  /** Runs the smoke checks (and what {@code options} adds) on {@code out}; returns the exit code, 1 on a failure. */
  public static int run(Options options, PrintStream out) {
    String profile = options.profile().orElse(null);
    String profileScore = options.profileScore().orElse(null);
    String profileGenerate = options.profileGenerate().orElse(null);
    boolean bench = options.bench();
    Engine engine = Engine.getEngine("PyTorch");
    out.println("engine: PyTorch " + engine.getVersion() + ", library " + LibUtils.getLibtorchPath()
        + ", GPUs " + engine.getGpuCount() + ", features " + JniUtils.getFeatures());
    Device device = DeviceSelector.standard().select(options.device());
    GpuSmoke smoke = new GpuSmoke(out, device);
    smoke.checkBridge();
    if ((profileScore != null || profile != null || profileGenerate != null) && !bench) { // profiling only
      if (profileGenerate != null) {
        smoke.profileGenerate(profileGenerate);
      }
      if (profile != null) {
        smoke.profileDecode(profile);
      }
      if (profileScore != null) {
        smoke.profileScore(profileScore);
      }
      return 0;
    }
    smoke.checkBf16RoundTrip();
    smoke.checkForward("llama-gqa", config(Architecture.LLAMA, false, false, false));
    smoke.checkForward("qwen2-bias-tied", config(Architecture.QWEN2, true, true, false));
    smoke.checkForward("qwen3-qknorm", config(Architecture.QWEN3, false, false, true));
    smoke.checkRecordedDecode("llama-gqa", config(Architecture.LLAMA, false, false, false));
    smoke.checkRecordedDecode("qwen2-bias-tied", config(Architecture.QWEN2, true, true, false));
    smoke.checkRecordedDecode("qwen3-qknorm", config(Architecture.QWEN3, false, false, true));
    if (bench) {
      smoke.bench();
    }
    if (profile != null) {
      try {
        smoke.profileDecode(profile);
      } catch (RuntimeException e) {
        out.println("PROFILE failed: " + e.getMessage());
      }
    }
    smoke.checkFailedRecording();
    if (profileScore != null) {
      try {
        smoke.profileScore(profileScore);
      } catch (RuntimeException e) {
        out.println("PROFILE score failed: " + e);
      }
    }
    if (smoke.failures.isEmpty()) {
      out.println("smoke: all checks passed on " + device);
      return 0;
    }
    out.println("smoke: FAILED " + smoke.failures);
    return 1;
  }

  /** {@link ModelShapes#SMALL} as {@code arch}, with or without tied embeddings, a QKV bias and q/k norm. */
  static ModelConfig config(Architecture arch, boolean tied, boolean bias, boolean qkNorm) {
    return ModelShapes.SMALL.toBuilder().architecture(arch).tieWordEmbeddings(tied).attentionBias(bias)
        .qkNorm(qkNorm).build();
  }

  private void check(String name, boolean ok, String detail) {
    out.println((ok ? "PASS " : "FAIL ") + name + ": " + detail);
    if (!ok) {
      failures.add(name);
    }
  }

  /** The running JNI library is Sapling's bridge (it reports the SAPLING_BRIDGE feature). */
  private void checkBridge() {
    boolean ours = JniUtils.getFeatures().contains("SAPLING_BRIDGE");
    check("bridge", ours, (ours ? "Sapling bridge loaded" : "DJL's own JNI library is loaded, not the bridge")
        + (fused.isPresent() ? ", fused kernels available" : ", no fused kernels (composed ops only)")
        + (FusedOps.decodeKernels() ? ", decode kernels built" : ", no decode kernels")
        + (AsyncReadback.available() ? ", asynchronous readback" : ", no asynchronous readback"));
  }

  /** BF16 created from F32 on the device reads back as DJL BFLOAT16 and rounds exactly like Java's truncation. */
  private void checkBf16RoundTrip() {
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      float[] values = {1f, -2.5f, 3.140625f, 1e-3f, 65504f, -0.0078125f};
      NDArray bf = m.create(values).toType(DataType.BFLOAT16, false);
      float[] back = bf.toType(DataType.FLOAT32, false).toFloatArray();
      float maxRel = 0;
      for (int i = 0; i < values.length; i++) {
        maxRel = Math.max(maxRel, Math.abs(back[i] - values[i]) / Math.abs(values[i]));
      }
      boolean ok = bf.getDataType() == DataType.BFLOAT16 && bf.getDevice().equals(device) && maxRel <= 1f / 256;
      check("bf16-roundtrip", ok, "dtype " + bf.getDataType() + " on " + bf.getDevice() + ", max rel error "
          + maxRel + " (bf16 step 2^-8)");
    }
  }

  /** Device vs CPU logits for one model: single row (prefill + decode) and a left-padded batch, F32 and BF16. */
  private void checkForward(String name, ModelConfig c) {
    WeightSource source = widened(new RandomWeightSource(c, 7), 7);
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        NDManager dev = NDManager.newBaseManager(device, "PyTorch")) {
      Transformer reference = new Transformer(c, new WeightsBuilder(c, source, cpu, DataType.FLOAT32).build());
      float[] expected = run(reference, cpu, DataType.FLOAT32);
      float[] expectedBatch = runBatch(reference, cpu, DataType.FLOAT32);

      Weights f32Weights = new WeightsBuilder(c, source, dev, DataType.FLOAT32).build();
      Weights bf16Weights = device.isGpu()
          ? new WeightsBuilder(c, source, dev, DataType.BFLOAT16).build()
          : convert(f32Weights, a -> a.toType(DataType.BFLOAT16, false));
      List<TensorOps> variants = new ArrayList<>(List.of(TensorOps.composed()));
      fused.ifPresent(variants::add);
      for (TensorOps kernels : variants) {
        String label = name + (kernels == TensorOps.composed() ? "" : " fused");
        Transformer f32 = new Transformer(c, f32Weights, kernels);
        double diff = Math.max(maxAbsDiff(expected, run(f32, dev, DataType.FLOAT32)),
            maxAbsDiff(expectedBatch, runBatch(f32, dev, DataType.FLOAT32)));
        check("forward-f32 " + label, diff <= 1e-4,
            String.format(Locale.ROOT, "max abs diff %.3g vs CPU (limit 1e-4)", diff));

        Transformer bf16 = new Transformer(c, bf16Weights, kernels);
        float[] actual = run(bf16, dev, DataType.BFLOAT16);
        double abs = maxAbsDiff(expected, actual);
        double range = maxAbs(expected);
        double rel = relativeL2(expected, actual);
        double agree = argmaxAgreement(expected, actual, c.vocabSize());
        boolean ok = abs <= 0.05 * range && rel <= 0.03 && agree >= 0.75;
        check("forward-bf16 " + label, ok, String.format(Locale.ROOT,
            "max abs diff %.3g (logit range %.3g, limit 5%%), relative L2 %.3g (limit 0.03), argmax agreement %.2f",
            abs, range, rel, agree));
      }
    } catch (RuntimeException e) {
      check("forward " + name, false, e.toString());
    }
  }

  /**
   * {@code base}'s Hugging Face-style init (norms exactly 1, biases 0, N(0, 0.02²)) made harder to match: norms
   * 1 ± 0.2, biases ± 0.3, projections × 3 and embeddings × 25, so a wrong bias, norm or scale shows in the logits.
   */
  static WeightSource widened(RandomWeightSource base, long seed) {
    return new WeightSource() {
      @Override
      public Optional<RawTensor> find(String name) {
        return base.find(name).map(t -> widen(t, seed));
      }

      @Override
      public Set<String> names() {
        return base.names();
      }

      @Override
      public String describe() {
        return base.describe() + ", widened for the smoke checks";
      }
    };
  }

  private static RawTensor widen(RawTensor t, long seed) {
    String name = t.name();
    FloatBuffer in = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    ByteBuffer out = ByteBuffer.allocateDirect(in.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom r = new SplittableRandom(seed * 31 + name.hashCode());
    boolean norm = name.endsWith("norm.weight");
    boolean bias = name.endsWith(".bias");
    double scale = name.equals("model.embed_tokens.weight") ? 25 : 3;
    while (in.hasRemaining()) {
      float v = in.get();
      double u = r.nextDouble() * 2 - 1;
      out.putFloat((float) (norm ? 1 + 0.2 * u : bias ? 0.3 * u : v * scale));
    }
    out.flip();
    return new RawTensor(name, TensorType.F32, t.shape(), out, t.file());
  }

  /** Logits of every position of TOKENS: a prefill of PREFILL tokens, then one decode step per token. */
  private static float[] run(Transformer t, NDManager m, DataType dtype) {
    ModelConfig c = t.config();
    float[] all = new float[TOKENS.length * c.vocabSize()];
    try (KvCache cache = KvCache.allocate(c, m, dtype, 32, new int[] {0}); NDScope scope = new NDScope()) {
      int[] first = Arrays.copyOf(TOKENS, PREFILL);
      float[] pre = t.forward(m.create(first, new Shape(1, PREFILL)), cache, false).toFloatArray();
      System.arraycopy(pre, 0, all, 0, pre.length);
      for (int pos = PREFILL; pos < TOKENS.length; pos++) {
        float[] step = t.forward(m.create(new int[] {TOKENS[pos]}, new Shape(1, 1)), cache, true).toFloatArray();
        System.arraycopy(step, 0, all, pos * c.vocabSize(), step.length);
      }
    }
    return all;
  }

  /** Last-position logits of three left-padded prompts in one batch, then two decode steps. */
  private static float[] runBatch(Transformer t, NDManager m, DataType dtype) {
    int[][] prompts = {{1, 5, 9, 13, 17, 21}, {1, 4}, {1, 30, 31, 32}};
    int width = 6;
    int[] padding = new int[prompts.length];
    int[] ids = new int[prompts.length * width];
    for (int b = 0; b < prompts.length; b++) {
      padding[b] = width - prompts[b].length;
      System.arraycopy(prompts[b], 0, ids, b * width + padding[b], prompts[b].length);
    }
    List<Float> out = new ArrayList<>();
    try (KvCache cache = KvCache.allocate(t.config(), m, dtype, 16, padding); NDScope scope = new NDScope()) {
      float[] logits = t.forward(m.create(ids, new Shape(prompts.length, width)), cache, true).toFloatArray();
      for (int step = 0; step < 3; step++) {
        for (float v : logits) {
          out.add(v);
        }
        if (step < 2) {
          int[] next = {3 + step, 40 + step, 100 + step};
          logits = t.forward(m.create(next, new Shape(prompts.length, 1)), cache, true).toFloatArray();
        }
      }
    }
    float[] a = new float[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }

  private static Weights convert(Weights w, UnaryOperator<NDArray> f) {
    List<LayerWeights> layers = new ArrayList<>();
    for (LayerWeights l : w.layers()) {
      layers.add(new LayerWeights(f.apply(l.attentionNorm()), f.apply(l.qkv()), nullable(l.qkvBias(), f),
          nullable(l.queryNorm(), f), nullable(l.keyNorm(), f), f.apply(l.output()), f.apply(l.mlpNorm()),
          f.apply(l.gateUp()), f.apply(l.down())));
    }
    return new Weights(f.apply(w.embedding()), layers, f.apply(w.finalNorm()), f.apply(w.lmHead()));
  }

  private static NDArray nullable(NDArray a, UnaryOperator<NDArray> f) {
    return a == null ? null : f.apply(a);
  }

  /** Per-op overhead, BF16 matMul throughput and decode of a 1B-shaped model; numbers go to docs/gpu.md. */
  private void bench() {
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      NDArray x = m.ones(new Shape(1, 2048), DataType.BFLOAT16);
      NDArray y = m.ones(new Shape(1, 2048), DataType.BFLOAT16);
      for (int round = 0; round < 2; round++) {
        int n = 5000;
        long t0 = System.nanoTime();
        try (NDScope scope = new NDScope()) {
          NDArray acc = x;
          for (int i = 0; i < n; i++) {
            acc = acc.add(y);
          }
          acc.get(0, 0).toType(DataType.FLOAT32, false).getFloat();
        }
        double usPerOp = (System.nanoTime() - t0) / 1e3 / n;
        out.println(String.format(Locale.ROOT, "BENCH op-overhead: %.2f us per add that makes a new array (%d ops)",
            usPerOp, n));
      }
      NDArray big = m.zeros(new Shape(512, 1024, 1024), DataType.BFLOAT16); // 1 GiB
      for (int round = 0; round < 2; round++) {
        int copies = 10;
        long t0 = System.nanoTime();
        try (NDScope scope = new NDScope()) {
          NDArray last = null;
          for (int i = 0; i < copies; i++) {
            last = big.duplicate();
          }
          last.get(0, 0, 0).toType(DataType.FLOAT32, false).getFloat();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.println(String.format(Locale.ROOT, "BENCH copy-bandwidth: %.2f TB/s counting bytes read and written "
            + "(%d copies of 1 GiB in %.3f s)", 2.0 * copies * big.size() * 2 / seconds / 1e12, copies, seconds));
      }
      big.close();
      int size = 4096;
      NDArray a = m.randomUniform(-1, 1, new Shape(size, size), DataType.FLOAT32).toType(DataType.BFLOAT16, false);
      NDArray b = m.randomUniform(-1, 1, new Shape(size, size), DataType.FLOAT32).toType(DataType.BFLOAT16, false);
      int reps = 50;
      for (int round = 0; round < 2; round++) {
        long t0 = System.nanoTime();
        try (NDScope scope = new NDScope()) {
          NDArray c = null;
          for (int i = 0; i < reps; i++) {
            c = a.matMul(b);
          }
          c.get(0, 0).toType(DataType.FLOAT32, false).getFloat();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.println(String.format(Locale.ROOT, "BENCH matmul-bf16-4096: %.1f TFLOP/s (%d products in %.3f s)",
            2.0 * size * size * size * reps / seconds / 1e12, reps, seconds));
      }
    }
    benchDecode();
  }

  /** Batch-1 greedy decode steps of a random Llama-3.2-1B-shaped model in BF16: ms per token. */
  private void benchDecode() {
    ModelConfig c = ModelShapes.LLAMA_1B;
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      Weights w = randomWeights(c, m, DataType.BFLOAT16);
      long bytes = w.embedding().size() * 2;
      for (LayerWeights l : w.layers()) {
        bytes += (l.qkv().size() + l.output().size() + l.gateUp().size() + l.down().size()
            + 2 * l.attentionNorm().size()) * 2;
      }
      long weightBytes = bytes;
      List<TensorOps> variants = new ArrayList<>(List.of(TensorOps.composed()));
      fused.ifPresent(variants::add);
      for (int rows : new int[] {1, 32, 64}) {
        int batch = rows;
        for (TensorOps kernels : variants) {
          decode(new Transformer(c, w, kernels), m, weightBytes,
              kernels == TensorOps.composed() ? "composed" : "fused", batch);
        }
        fused.ifPresent(k -> decode(new Transformer(c, w, k), m, weightBytes, "fused+graph", batch, true));
        if (fused.isPresent() && FusedOps.decodeKernels()) {
          FusedOps.useDecodeKernels(false);
          try {
            decode(new Transformer(c, w, fused.get()), m, weightBytes, "fused+graph, decode kernels off", batch, true);
          } finally {
            FusedOps.useDecodeKernels(true);
          }
        }
      }
    }
  }

  /**
   * Decode steps recorded as CUDA graphs and replayed give the eager static steps' logits (F32 within 1e-4, BF16
   * within BF16 rounding), rows padded differently, for each architecture.
   */
  private void checkRecordedDecode(String name, ModelConfig c) {
    if (fused.isEmpty() || fused.get().recorder().isEmpty()) {
      check("graph " + name, !device.isGpu(), "no step recorder (CUDA graphs) on " + device);
      return;
    }
    WeightSource source = widened(new RandomWeightSource(c, 7), 7);
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      for (DataType dtype : new DataType[] {DataType.FLOAT32, DataType.BFLOAT16}) {
        Transformer t = new Transformer(c, new WeightsBuilder(c, source, m, dtype).build(), fused.get());
        int[] padding = {0, 3, 1};
        int[] prompt = new int[padding.length * 6];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = (i * 37 + 3) % c.vocabSize();
        }
        double max = 0;
        double range = 0;
        boolean recorded;
        try (KvCache eagerCache = KvCache.allocate(c, m, dtype, 40, padding);
            KvCache graphCache = KvCache.allocate(c, m, dtype, 40, padding);
            NDManager step = m.newSubManager()) {
          t.forward(step.create(prompt, new Shape(padding.length, 6)), eagerCache, true);
          t.forward(step.create(prompt, new Shape(padding.length, 6)), graphCache, true);
          try (StaticDecoder eager = StaticDecoder.eager(t, eagerCache);
              StaticDecoder graph = StaticDecoder.open(t, graphCache)) {
            for (int s = 0; s < 12; s++) {
              int[] next = {(s * 5 + 1) % c.vocabSize(), (s * 7 + 2) % c.vocabSize(), (s * 11 + 3) % c.vocabSize()};
              float[] e = eager.step(next).toFloatArray();
              float[] g = graph.step(next).toFloatArray();
              max = Math.max(max, maxAbsDiff(e, g));
              range = Math.max(range, maxAbs(e));
            }
            recorded = graph.recorded();
          }
        }
        double limit = dtype == DataType.FLOAT32 ? 1e-4 : 0.02 * range;
        check("graph-" + (dtype == DataType.FLOAT32 ? "f32 " : "bf16 ") + name, recorded && max <= limit,
            String.format(Locale.ROOT, "%s; max abs diff %.3g vs eager steps (limit %.3g)",
                recorded ? "12 steps, 11 replayed" : "NOT recorded", max, limit));
      }
    } catch (RuntimeException e) {
      check("graph " + name, false, e.toString());
    }
  }

  /**
   * A step that cannot be recorded (it copies to the host mid-step) is refused with an error, and decoding afterwards
   * gives the eager steps' logits: recorded again when PyTorch refused the copy before it broke the capture (as torch
   * 2.11 does), eagerly when the capture itself failed. Run last: after a failed capture the process makes no more
   * recordings.
   */
  private void checkFailedRecording() {
    if (fused.isEmpty() || fused.get().recorder().isEmpty()) {
      return;
    }
    ModelConfig c = config(Architecture.LLAMA, false, false, false);
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      String error = "none";
      try {
        fused.get().recorder().get().record(device, () -> {
          NDArray x = m.ones(new Shape(4));
          x.toFloatArray(); // a device-to-host copy: not allowed while capturing
          return x;
        }).close();
      } catch (RuntimeException e) {
        error = e.getMessage();
      }
      Transformer t = new Transformer(c, new WeightsBuilder(c, widened(new RandomWeightSource(c, 7), 7), m,
          DataType.FLOAT32).build(), fused.get());
      double max = 0;
      boolean recorded;
      try (KvCache a = KvCache.allocate(c, m, DataType.FLOAT32, 16, new int[2]);
          KvCache b = KvCache.allocate(c, m, DataType.FLOAT32, 16, new int[2]);
          StaticDecoder eager = StaticDecoder.eager(t, a);
          StaticDecoder graph = StaticDecoder.open(t, b)) {
        for (int s = 0; s < 5; s++) {
          int[] next = {s + 3, s + 9};
          max = Math.max(max, maxAbsDiff(eager.step(next).toFloatArray(), graph.step(next).toFloatArray()));
        }
        recorded = graph.recorded();
      }
      check("graph-failure", !error.equals("none") && max == 0,
          "recording a host copy failed (" + error.lines().findFirst().orElse("") + "); later steps ran "
              + (recorded ? "recorded again" : "eagerly") + ", max abs diff " + max + " vs eager steps");
    } catch (RuntimeException e) {
      check("graph-failure", false, e.toString());
    }
  }

  /**
   * Scoring at the benchmark's shape (32 rows of 1 context + 511 scored ids) on the 1B-shaped BF16 model: prints
   * the time of a warm run and writes a PyTorch (Kineto) trace of the next one.
   */
  private void profileScore(String file) {
    ModelConfig c = ModelShapes.LLAMA_1B;
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      Transformer t = new Transformer(c, randomWeights(c, m, DataType.BFLOAT16), fused.orElse(TensorOps.composed()));
      SplittableRandom r = new SplittableRandom(2);
      List<Scorer.Pair> pairs = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        pairs.add(new Scorer.Pair(new int[] {r.nextInt(c.vocabSize())}, r.ints(511, 0, c.vocabSize()).toArray()));
      }
      Scorer scorer = Scorer.of(t, new IdTokenizer(c.vocabSize())).with(o -> o.withMaxBatchRows(32));
      scorer.score(pairs);
      for (int i = 0; i < 2; i++) {
        long t0 = System.nanoTime();
        scorer.score(pairs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.println(String.format(Locale.ROOT, "BENCH score-1b-bf16 32x512: %.3f s (%.0f tokens/s)", seconds,
            32 * 511 / seconds));
      }
      long t0 = System.nanoTime();
      try (KvCache cache = KvCache.allocate(c, m, DataType.BFLOAT16, 512, new int[32]); NDManager step =
          m.newSubManager()) {
        int[] ids = new int[32 * 511];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = pairs.get(i / 511).continuation()[i % 511];
        }
        t.hidden(step.create(ids, new Shape(32, 511)), cache).toType(DataType.FLOAT32, false).getFloat(0, 0, 0);
      }
      out.println(String.format(Locale.ROOT, "BENCH score-1b-bf16 body only (32x511 through hidden): %.3f s",
          (System.nanoTime() - t0) / 1e9));
      JniUtils.startProfile(device.isGpu(), false, false);
      scorer.score(pairs);
      JniUtils.stopProfile(file);
      out.println("PROFILE wrote " + file);
    }
  }

  /**
   * The benchmark's batch-1 sampling through {@link Generator} (1B-shaped BF16 model, 128-token prompt, T = 1, EOS off,
   * every default on): prints the time per token of a warm run with 256 new tokens, then writes a PyTorch (Kineto)
   * trace of a run with 32.
   */
  private void profileGenerate(String file) {
    ModelConfig c = ModelShapes.LLAMA_1B;
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      Transformer t = new Transformer(c, randomWeights(c, m, DataType.BFLOAT16), fused.orElse(TensorOps.composed()));
      Generator generator = Generator.of(t, new IdTokenizer(c.vocabSize()))
          .with(o -> o.withEosIds().withMaxBatchRows(1));
      List<int[]> prompt = List.of(new SplittableRandom(5).ints(128, 0, c.vocabSize()).toArray());
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        generator.generateIds(prompt, SamplingParams.defaults().withTemperature(1).withMaxNewTokens(256).withSeed(round));
        out.println(String.format(Locale.ROOT, "BENCH generate-1b-bf16 batch 1 T=1: %.3f ms per token (256 tokens)",
            (System.nanoTime() - t0) / 1e6 / 256));
      }
      JniUtils.startProfile(device.isGpu(), false, false);
      generator.generateIds(prompt, SamplingParams.defaults().withTemperature(1).withMaxNewTokens(32).withSeed(9));
      JniUtils.stopProfile(file);
      out.println("PROFILE wrote " + file);
    }
  }

  /**
   * Writes PyTorch (Kineto) traces of four batch-1 decode steps of the 1B-shaped model: composed ops, fused kernels,
   * and fused kernels replayed as a CUDA graph.
   */
  private void profileDecode(String file) {
    ModelConfig c = ModelShapes.LLAMA_1B;
    try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
      Weights w = randomWeights(c, m, DataType.BFLOAT16);
      List<String> variants = new ArrayList<>(List.of("composed"));
      if (fused.isPresent()) {
        variants.add("fused");
        variants.add("graph");
        if (FusedOps.decodeKernels()) {
          variants.add("graph-aten"); // the same graph with the decode kernels off
        }
      }
      for (String variant : variants) {
        Transformer t = new Transformer(c, w, variant.equals("composed") ? TensorOps.composed() : fused.get());
        FusedOps.useDecodeKernels(!variant.equals("graph-aten"));
        try (KvCache cache = KvCache.allocate(c, m, DataType.BFLOAT16, 64, new int[1])) {
          StaticDecoder decoder = variant.startsWith("graph") ? StaticDecoder.open(t, cache) : null;
          for (int s = 0; s < 12; s++) {
            if (s == 8) {
              JniUtils.startProfile(device.isGpu(), false, false);
            }
            try (NDScope scope = new NDScope()) {
              NDArray logits = decoder != null ? decoder.step(new int[] {42 + s})
                  : t.forward(m.create(new int[] {42 + s}, new Shape(1, 1)), cache, true);
              logits.argMax(-1).toType(DataType.INT64, false).getLong(0, 0);
            }
          }
          String name = file.replace(".json", "-" + variant + ".json");
          JniUtils.stopProfile(name);
          if (decoder != null) {
            decoder.close();
          }
          out.println("PROFILE wrote " + name);
        }
      }
    } finally {
      FusedOps.useDecodeKernels(true);
    }
  }

  /** Times prefill and greedy decode of {@code batch} identical rows; prints one BENCH line. */
  private void decode(Transformer t, NDManager m, long weightBytes, String label, int batch) {
    decode(t, m, weightBytes, label, batch, false);
  }

  /**
   * Times prefill and greedy decode of {@code batch} identical rows, decode steps through {@link StaticDecoder}
   * (recorded as a CUDA graph when the kernels can) when {@code recorded}; prints one BENCH line.
   */
  private void decode(Transformer t, NDManager m, long weightBytes, String label, int batch, boolean recorded) {
    ModelConfig c = t.config();
    int prompt = 128;
    int steps = 128;
    int[] ids = new int[batch * prompt];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = ((i % prompt) * 7919) % c.vocabSize();
    }
    try (KvCache cache = KvCache.allocate(c, m, DataType.BFLOAT16, prompt + steps + 8, new int[batch])) {
      long t0 = System.nanoTime();
      try (NDScope scope = new NDScope()) {
        t.forward(m.create(ids, new Shape(batch, prompt)), cache, true).getFloat(0, 0, 0);
      }
      double prefillMs = (System.nanoTime() - t0) / 1e6;
      int[] tokens = new int[batch];
      Arrays.fill(tokens, 42);
      long t1 = 0;
      StaticDecoder decoder = recorded ? StaticDecoder.open(t, cache) : null;
      for (int s = 0; s < steps; s++) {
        if (s == 8) {
          t1 = System.nanoTime();
        }
        try (NDScope scope = new NDScope()) {
          NDArray logits = recorded ? decoder.step(tokens) : t.forward(m.create(tokens, new Shape(batch, 1)), cache,
              true);
          long[] next = logits.argMax(-1).toType(DataType.INT64, false).toLongArray();
          for (int b = 0; b < batch; b++) {
            tokens[b] = (int) next[b];
          }
        }
      }
      double msPerToken = (System.nanoTime() - t1) / 1e6 / (steps - 8);
      if (decoder != null) {
        label += decoder.recorded() ? "" : " (NOT recorded)";
        decoder.close();
      }
      out.println(String.format(Locale.ROOT,
          "BENCH decode-1b-bf16 batch %d %s: %.2f ms/step (%.1f tokens/s), prefill %dx%d tokens %.1f ms, "
            + "weights read per step %.2f GB -> %.0f GB/s effective", batch, label, msPerToken,
          batch * 1000 / msPerToken, batch, prompt, prefillMs, weightBytes / 1e9,
          weightBytes / 1e9 / (msPerToken / 1000)));
    }
  }

  /** Random weights made directly on the device (no host copy), small enough to keep activations finite. */
  private static Weights randomWeights(ModelConfig c, NDManager m, DataType dtype) {
    int h = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    int in = c.intermediateSize();
    List<LayerWeights> layers = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      // [in, out] projections as the loader holds them: transposed views of [out, in] storage
      layers.add(new LayerWeights(m.ones(new Shape(h), dtype),
          random(m, new Shape(q + 2 * kv, h), 0.02, dtype).transpose(), null, null, null,
          random(m, new Shape(h, q), 0.02, dtype).transpose(), m.ones(new Shape(h), dtype),
          random(m, new Shape(2 * in, h), 0.02, dtype).transpose(), random(m, new Shape(h, in), 0.02, dtype).transpose()));
    }
    NDArray embedding = random(m, new Shape(c.vocabSize(), h), 0.02, dtype);
    return new Weights(embedding, layers, m.ones(new Shape(h), dtype), embedding.transpose());
  }

  private static NDArray random(NDManager m, Shape shape, double scale, DataType dtype) {
    return m.randomUniform((float) -scale, (float) scale, shape, DataType.FLOAT32).toType(dtype, false);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalStateException("logit arrays differ in length: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
  }

  static double maxAbs(float[] a) {
    double max = 0;
    for (float v : a) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  static double relativeL2(float[] expected, float[] actual) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < expected.length; i++) {
      num += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
      den += expected[i] * (double) expected[i];
    }
    return Math.sqrt(num / den);
  }

  /** Fraction of positions whose largest logit is the same token. */
  static double argmaxAgreement(float[] expected, float[] actual, int vocab) {
    int rows = expected.length / vocab;
    int same = 0;
    for (int r = 0; r < rows; r++) {
      int ea = 0;
      int aa = 0;
      for (int v = 1; v < vocab; v++) {
        if (expected[r * vocab + v] > expected[r * vocab + ea]) {
          ea = v;
        }
        if (actual[r * vocab + v] > actual[r * vocab + aa]) {
          aa = v;
        }
      }
      same += ea == aa ? 1 : 0;
    }
    return (double) same / rows;
  }
}
