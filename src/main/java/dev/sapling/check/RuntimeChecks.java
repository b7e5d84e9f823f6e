package dev.sapling.check;

import dev.sapling.model.loader.LoadedModel;
import dev.sapling.runtime.Generator;
import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generation and scoring on a device, checked against one full forward pass of the same model: the key assertions of
 * the CPU unit tests ({@code GeneratorTest}, {@code ScorerTest}, {@code StoriesRuntimeTest}) for hosts without JUnit.
 * Each check prints one PASS/FAIL line with its numbers through the {@link CheckLog}; tolerances come from the
 * model's compute type ({@link Tolerance}).
 *
 * <pre>{@code
 * try (LoadedModel model = new CleanModelLoader(options).load(path)) {
 *   new RuntimeChecks(model, "stories260K", log).runAll();
 * }
 * }</pre>
 */
final class RuntimeChecks {
  /** Prompts of different lengths, so a batch is left-padded. */
  static final List<String> PROMPTS = List.of("Once upon a time", "The cat", "Tom and Sue went to the park with",
      "Lily", "One day, a little bird saw a big", "The sun was hot and", "Ben had a red ball. He", "She");

  private final LoadedModel model;
  private final String name;
  private final CheckLog log;
  private final Tolerance tol;
  private final List<int[]> prompts;

  RuntimeChecks(LoadedModel model, String name, CheckLog log) {
    this(model, name, log, Tolerance.of(model.transformer().computeType()));
  }

  /** With another tolerance than the compute type's (tests show that the checks can fail). */
  RuntimeChecks(LoadedModel model, String name, CheckLog log, Tolerance tol) {
    this.model = model;
    this.name = name + " " + model.transformer().computeType() + " on " + model.device();
    this.log = log;
    this.tol = tol;
    this.prompts = PROMPTS.stream().map(model::promptIds).toList();
  }

  /** Runs every check; one that throws is reported as failed and the others still run. */
  void runAll() {
    run("greedy batch = argmax of full forwards", this::greedyIsTheArgmaxOfFullForwards);
    run("batch of 1 = batch of 8", this::batchOfOneMatchesBatchOfEight);
    run("seeded sampling repeats", this::seededSamplingRepeats);
    run("scorer = full-forward log-softmax", this::scorerMatchesFullForward);
    run("scoring a completion = its generation log-probs", this::scoringReproducesGeneration);
    run("stop sequence across tokens", this::stopSequenceAcrossTokens);
    run("pipelined decode = one step at a time", this::pipelinedDecodeMatchesOneStepAtATime);
  }

  private void run(String what, Runnable check) {
    try {
      check.run();
    } catch (RuntimeException e) {
      log.error(name + ": " + what, e);
    }
  }

  /**
   * Greedy completions in a padded batch (all rows together, and 3 rows per batch), decoded through the static decoder
   * (CUDA graphs on a GPU) and through the plain forward pass: every token is the argmax of one full forward over
   * prompt + the tokens before it, with that forward's log-probability; finish reasons agree.
   */
  void greedyIsTheArgmaxOfFullForwards() {
    int maxNew = 24;
    for (int run = 0; run < 4; run++) {
      int rows = run < 2 ? Generator.DEFAULT_MAX_BATCH_ROWS : 3;
      boolean staticDecode = run % 2 == 0;
      List<Completion> out = Generator.of(model, o -> o.withMaxBatchRows(rows).withStaticDecode(staticDecode))
          .generateIds(prompts, SamplingParams.greedy().withMaxNewTokens(maxNew));
      FullForward ref = FullForward.NONE;
      int badFinish = 0;
      for (Completion c : out) {
        ref = ref.max(againstFullForward(c));
        boolean finishOk = c.finishReason() == FinishReason.LENGTH ? c.tokenIds().length == maxNew
            : c.finishReason() == FinishReason.EOS && isEos(c.tokenIds()[c.tokenIds().length - 1]);
        badFinish += finishOk ? 0 : 1;
      }
      log.report(ref.within(tol, true) && badFinish == 0 && out.size() == prompts.size(), name + ": greedy, "
          + (staticDecode ? "static" : "plain") + " decode, " + rows + " rows per batch, = argmax of full forwards",
          ref.describe(tol, true) + ", " + badFinish + " wrong finish reasons");
    }
  }

  /**
   * Each prompt alone in its batch gives the tokens and log-probs it gets in a batch of eight, greedy and sampled
   * (every completion draws from its own seeded stream, so batching must not change a draw). In BF16 a near-tie may
   * break differently (other kernels, other summation order), after which the texts part; there the log-probs must
   * agree up to the first difference, and every token of both runs must agree with one full forward over its own
   * prefix (greedy ones being its argmax within the tolerance).
   */
  void batchOfOneMatchesBatchOfEight() {
    for (SamplingParams params : List.of(SamplingParams.greedy().withMaxNewTokens(16),
        SamplingParams.defaults().withTemperature(0.9).withTopP(0.95).withMaxNewTokens(16).withSeed(5))) {
      List<Completion> together = Generator.of(model).generateIds(prompts, params);
      List<Completion> alone = Generator.of(model, o -> o.withMaxBatchRows(1)).generateIds(prompts, params);
      double maxDiff = 0;
      int identical = 0;
      FullForward ref = FullForward.NONE;
      for (int p = 0; p < prompts.size(); p++) {
        Completion a = alone.get(p);
        Completion b = together.get(p);
        int same = 0;
        while (same < a.tokenIds().length && same < b.tokenIds().length && a.tokenIds()[same] == b.tokenIds()[same]) {
          same++;
        }
        for (int i = 0; i < same; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(a.logprobs()[i] - b.logprobs()[i]));
        }
        identical += same == a.tokenIds().length && same == b.tokenIds().length ? 1 : 0;
        if (!tol.sameTokens()) {
          ref = ref.max(againstFullForward(a)).max(againstFullForward(b));
        }
      }
      boolean ok = (tol.sameTokens() ? identical == prompts.size() : ref.within(tol, params.isGreedy()))
          && maxDiff <= tol.logprob();
      log.report(ok, name + ": batch of 1 = batch of " + prompts.size() + ", " + (params.isGreedy() ? "greedy"
          : "sampled"), String.format("%d/%d completions identical, log-prob max diff %.3g (limit %.3g)%s", identical,
          prompts.size(), maxDiff, tol.logprob(), tol.sameTokens() ? "" : "; both against full forwards: "
              + ref.describe(tol, params.isGreedy())));
    }
  }

  /**
   * The same seed gives the same samples twice (tokens identical, log-probs within tolerance); another seed and the
   * other samples of one prompt give different ones.
   */
  void seededSamplingRepeats() {
    SamplingParams params = SamplingParams.defaults().withTemperature(1.2).withTopP(0.95).withN(3)
        .withMaxNewTokens(12).withSeed(123);
    List<Completion> a = Generator.of(model).generateIds(prompts, params);
    List<Completion> b = Generator.of(model).generateIds(prompts, params);
    List<Completion> c = Generator.of(model).generateIds(prompts, params.withSeed(124));
    int repeated = 0;
    int otherSeedDiffers = 0;
    int samplesDiffer = 0;
    double maxDiff = 0;
    for (int i = 0; i < a.size(); i++) {
      if (Arrays.equals(a.get(i).tokenIds(), b.get(i).tokenIds())) {
        repeated++;
        for (int t = 0; t < a.get(i).logprobs().length; t++) {
          maxDiff = Math.max(maxDiff, Math.abs(a.get(i).logprobs()[t] - b.get(i).logprobs()[t]));
        }
      }
      otherSeedDiffers += Arrays.equals(a.get(i).tokenIds(), c.get(i).tokenIds()) ? 0 : 1;
      samplesDiffer += i % 3 > 0 && !Arrays.equals(a.get(i).tokenIds(), a.get(i - 1).tokenIds()) ? 1 : 0;
    }
    log.report(repeated == a.size() && maxDiff <= tol.logprob() && 2 * otherSeedDiffers >= a.size()
            && samplesDiffer > 0, name + ": seeded sampling repeats",
        String.format("%d/%d completions repeated, log-prob max diff %.3g; seed 124 changed %d, samples of one "
            + "prompt differ in %d of %d pairs", repeated, a.size(), maxDiff, otherSeedDiffers, samplesDiffer,
            2 * prompts.size()));
  }

  /**
   * Static decoding with the device one step ahead of the host ({@code GeneratorOptions.pipelinedDecode}) gives the
   * completions of reading every step before the next: greedy (two samples per prompt, so rows finish at different
   * steps and the batch compacts) and sampled at temperature 0.9, through the recorded choice (CUDA graphs on a GPU).
   */
  void pipelinedDecodeMatchesOneStepAtATime() {
    for (SamplingParams params : List.of(SamplingParams.greedy().withMaxNewTokens(24).withN(2),
        SamplingParams.defaults().withTemperature(0.9).withMaxNewTokens(24).withSeed(11))) {
      Generator g = Generator.of(model, o -> o.withStaticDecode(true));
      List<Completion> off = g.with(o -> o.withPipelinedDecode(false)).generateIds(prompts, params);
      List<Completion> on = g.with(o -> o.withPipelinedDecode(true)).generateIds(prompts, params);
      int identical = 0;
      double maxDiff = 0;
      for (int i = 0; i < off.size(); i++) {
        Completion a = off.get(i);
        Completion b = on.get(i);
        if (Arrays.equals(a.tokenIds(), b.tokenIds()) && a.finishReason() == b.finishReason()) {
          identical++;
          for (int t = 0; t < a.logprobs().length; t++) {
            maxDiff = Math.max(maxDiff, Math.abs(a.logprobs()[t] - b.logprobs()[t]));
          }
        }
      }
      log.report(identical == off.size() && on.size() == off.size() && maxDiff <= tol.logprob(), name
          + ": pipelined decode = one step at a time, " + (params.isGreedy() ? "greedy" : "sampled"),
          String.format("%d/%d completions identical, log-prob max diff %.3g (limit %.3g)", identical, off.size(),
              maxDiff, tol.logprob()));
    }
  }

  /**
   * The scorer's per-token log-probs, sums and means equal the log-softmax of one full forward over context +
   * continuation, in every batching mode (all pairs together, 2 rows per batch, one LM-head position per chunk).
   */
  void scorerMatchesFullForward() {
    Scorer base = Scorer.of(model);
    List<Scorer.Pair> pairs = new ArrayList<>();
    String[][] texts = {{"Once upon a time", " there was a little girl"}, {"Once upon a time", ","},
        {"The cat", " sat on the mat and looked at the sun."}, {"Tom", " and Sue"},
        {"One day, a little bird saw a big", " tree"}, {"Lily", " was happy. She"}};
    for (String[] t : texts) {
      pairs.add(base.encode(t[0], t[1]));
    }
    Map<String, Scorer> modes = new LinkedHashMap<>();
    modes.put("one batch", base);
    modes.put("2 rows per batch", base.with(o -> o.withMaxBatchRows(2)));
    modes.put("1 LM-head position per chunk", base.with(o -> o.withLogitsBudget(1)));
    for (Map.Entry<String, Scorer> mode : modes.entrySet()) {
      List<ScoredText> scored = mode.getValue().score(pairs);
      double maxDiff = 0;
      double maxSumDiff = 0;
      int tokens = 0;
      for (int i = 0; i < pairs.size(); i++) {
        Scorer.Pair p = pairs.get(i);
        double[][] reference = referenceLogSoftmax(p.context(), p.continuation());
        double sum = 0;
        for (int j = 0; j < p.continuation().length; j++) {
          double expected = reference[j][p.continuation()[j]];
          maxDiff = Math.max(maxDiff, Math.abs(expected - scored.get(i).tokenLogprobs()[j]));
          sum += expected;
          tokens++;
        }
        maxSumDiff = Math.max(maxSumDiff, Math.abs(sum - scored.get(i).logprobSum()) / p.continuation().length);
      }
      log.report(maxDiff <= tol.logprob() && maxSumDiff <= tol.logprob(), name + ": scorer, " + mode.getKey()
          + ", = full-forward log-softmax", String.format(
              "%d tokens of %d pairs, log-prob max diff %.3g, sum diff per token %.3g (limit %.3g)", tokens,
              pairs.size(), maxDiff, maxSumDiff, tol.logprob()));
    }
  }

  /** Sampled completions, scored as (prompt ids, completion ids), get back the log-probs generation reported. */
  void scoringReproducesGeneration() {
    List<Completion> sampled = Generator.of(model).generateIds(prompts.subList(0, 4),
        SamplingParams.defaults().withTemperature(1.3).withTopK(20).withN(2).withMaxNewTokens(12).withSeed(77));
    List<Scorer.Pair> pairs = sampled.stream().map(c -> new Scorer.Pair(c.promptTokenIds(), c.tokenIds())).toList();
    List<ScoredText> scored = Scorer.of(model).score(pairs);
    double maxDiff = 0;
    int tokens = 0;
    for (int i = 0; i < sampled.size(); i++) {
      float[] generated = sampled.get(i).logprobs();
      float[] rescored = scored.get(i).tokenLogprobs();
      if (generated.length != rescored.length) {
        maxDiff = Double.POSITIVE_INFINITY;
        continue;
      }
      for (int j = 0; j < generated.length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(generated[j] - rescored[j]));
        tokens++;
      }
    }
    log.report(maxDiff <= tol.logprob(), name + ": scoring sampled completions = their generation log-probs",
        String.format("%d completions, %d tokens, max diff %.3g (limit %.3g)", sampled.size(), tokens, maxDiff,
            tol.logprob()));
  }

  /**
   * A stop sequence made of the last character of one token and the first of the next ends the completion there:
   * finish reason {@code stop}, text cut before the stop, tokens up to the one that completed it. For each prompt
   * whose free greedy text decodes token by token, a stop is taken at a boundary near token 6 of its own text, and
   * the whole batch is generated again with that stop (and one that never occurs); rows whose free text lacks the stop
   * must run to the limit as before. In BF16 a batch that loses rows earlier may round a near-tie differently, so a
   * row whose tokens changed before its stop is counted, not failed, as long as most rows are checked.
   */
  void stopSequenceAcrossTokens() {
    SamplingParams params = SamplingParams.greedy().withMaxNewTokens(16);
    Generator generator = Generator.of(model, o -> o.withEosIds()); // no EOS: rows end by stop or length only
    List<Completion> free = generator.generateIds(prompts, params);
    int checked = 0;
    int changed = 0;
    int noBoundary = 0;
    List<String> problems = new ArrayList<>();
    for (int p = 0; p < prompts.size(); p++) {
      Completion f = free.get(p);
      String stop = stopAcrossBoundary(f);
      if (stop == null) {
        noBoundary++;
        continue;
      }
      String fullText = f.text();
      int tokensUntilStop = 1;
      while (tokensUntilStop < f.tokenIds().length && !prefixText(f, tokensUntilStop).contains(stop)) {
        tokensUntilStop++;
      }
      List<Completion> stopped = generator.generateIds(prompts, params.withStop(List.of("never-there", stop)));
      Completion c = stopped.get(p);
      if (!Arrays.equals(Arrays.copyOf(f.tokenIds(), Math.min(tokensUntilStop, c.tokenIds().length)),
          Arrays.copyOf(c.tokenIds(), Math.min(tokensUntilStop, c.tokenIds().length)))) {
        changed++;
        if (tol.sameTokens()) {
          problems.add("prompt " + p + ": tokens before the stop changed");
        }
        continue;
      }
      checked++;
      if (c.finishReason() != FinishReason.STOP) {
        problems.add("prompt " + p + " stop '" + stop + "': finish " + c.finishReason());
      } else if (!c.text().equals(fullText.substring(0, fullText.indexOf(stop)))) {
        problems.add("prompt " + p + " stop '" + stop + "': text '" + c.text() + "'");
      } else if (!Arrays.equals(Arrays.copyOf(f.tokenIds(), tokensUntilStop), c.tokenIds())) {
        problems.add("prompt " + p + " stop '" + stop + "': " + c.tokenIds().length + " tokens, expected "
            + tokensUntilStop);
      }
      for (int q = 0; q < prompts.size() && tol.sameTokens(); q++) {
        if (!free.get(q).text().contains(stop) && (stopped.get(q).finishReason() != FinishReason.LENGTH
            || !Arrays.equals(free.get(q).tokenIds(), stopped.get(q).tokenIds()))) {
          problems.add("prompt " + q + " without '" + stop + "' changed");
        }
      }
    }
    log.report(problems.isEmpty() && 2 * checked >= prompts.size(), name + ": stop sequence across tokens",
        String.format("%d/%d prompts checked (%d without a clean token boundary, %d changed before the stop)%s",
            checked, prompts.size(), noBoundary, changed, problems.isEmpty() ? "" : "; " + problems));
  }

  /**
   * Two characters of a completion's text on both sides of a token boundary (the first boundary from token 6 on
   * where the text decodes token by token as a prefix of the whole), or null if there is none.
   */
  private String stopAcrossBoundary(Completion c) {
    String text = c.text();
    for (int k = 6; k < c.tokenIds().length - 1; k++) {
      String before = prefixText(c, k);
      String after = prefixText(c, k + 1);
      if (!before.isEmpty() && after.length() > before.length() && text.startsWith(after)
          && text.startsWith(before)) {
        return text.substring(before.length() - 1, before.length() + 1);
      }
    }
    return null;
  }

  /** The text the first {@code n} tokens of a completion add after its prompt, decoded with the prompt. */
  private String prefixText(Completion c, int n) {
    String prompt = model.tokenizer().decode(c.promptTokenIds());
    String whole = model.tokenizer().decode(concat(c.promptTokenIds(), Arrays.copyOf(c.tokenIds(), n)));
    return whole.startsWith(prompt) ? whole.substring(prompt.length()) : whole;
  }

  /**
   * How far a completion's tokens and log-probs are from one full forward over its prompt and tokens: the largest gap
   * between the best logit and the chosen token's (0 where every token is the argmax) and the largest log-prob
   * difference.
   */
  private FullForward againstFullForward(Completion c) {
    double[][] reference = referenceLogSoftmax(c.promptTokenIds(), c.tokenIds());
    double maxGap = 0;
    double maxDiff = 0;
    for (int i = 0; i < c.tokenIds().length; i++) {
      double[] row = reference[i];
      maxGap = Math.max(maxGap, row[argMax(row)] - row[c.tokenIds()[i]]);
      maxDiff = Math.max(maxDiff, Math.abs(row[c.tokenIds()[i]] - c.logprobs()[i]));
    }
    return new FullForward(c.tokenIds().length, maxGap, maxDiff);
  }

  /** Completions against full forwards: tokens compared, largest argmax gap, largest log-prob difference. */
  private record FullForward(int tokens, double argmaxGap, double logprobDiff) {
    static final FullForward NONE = new FullForward(0, 0, 0);

    FullForward max(FullForward o) {
      return new FullForward(tokens + o.tokens, Math.max(argmaxGap, o.argmaxGap),
          Math.max(logprobDiff, o.logprobDiff));
    }

    boolean within(Tolerance tol, boolean greedy) {
      return (!greedy || argmaxGap <= tol.argmaxGap()) && logprobDiff <= tol.logprob();
    }

    String describe(Tolerance tol, boolean greedy) {
      return String.format("%d tokens, %slog-prob max diff %.3g (limit %.3g)", tokens, greedy ? String.format(
          "chosen logit below the best by max %.2g (limit %.3g), ", argmaxGap, tol.argmaxGap()) : "", logprobDiff,
          tol.logprob());
    }
  }

  /**
   * log-softmax rows, in double, of one full forward over {@code context + continuation} (no cache reuse, batch of
   * one): row {@code j} is the distribution the model gives the continuation's token {@code j}.
   */
  private double[][] referenceLogSoftmax(int[] context, int[] continuation) {
    int[] all = concat(context, continuation);
    float[] logits = model.logits(all, true);
    int vocab = model.config().vocabSize();
    double[][] rows = new double[continuation.length][];
    for (int j = 0; j < continuation.length; j++) {
      rows[j] = logSoftmax(logits, (context.length - 1 + j) * vocab, vocab);
    }
    return rows;
  }

  private static double[] logSoftmax(float[] logits, int from, int length) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < length; i++) {
      max = Math.max(max, logits[from + i]);
    }
    double sum = 0;
    for (int i = 0; i < length; i++) {
      sum += Math.exp(logits[from + i] - max);
    }
    double logZ = max + Math.log(sum);
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      out[i] = logits[from + i] - logZ;
    }
    return out;
  }

  private static int argMax(double[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      best = row[i] > row[best] ? i : best;
    }
    return best;
  }

  private boolean isEos(int token) {
    return model.config().eosTokenIds().contains(token)
        || model.tokenizer().eosId().isPresent() && model.tokenizer().eosId().getAsInt() == token;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
