package dev.sapling.runtime.sampling;

import dev.sapling.SaplingException;
import java.util.List;
import java.util.function.Consumer;

/**
 * How to draw tokens: the usual knobs of the field, under their usual names. Immutable; change one field with the
 * {@code withX} methods. Filters apply in the order penalties → temperature → top-k → top-p → min-p, as in Hugging
 * Face {@code generate}. A temperature of 0 is greedy decoding (argmax after penalties).
 *
 * <pre>{@code
 * SamplingParams p = SamplingParams.defaults().withTemperature(0.7).withTopP(0.9).withMaxNewTokens(128)
 *     .withStop(List.of("\n\n")).withN(4).withSeed(42);
 * SamplingParams g = SamplingParams.greedy().withMaxNewTokens(32);
 * }</pre>
 *
 * @param temperature divides the logits; 0 means greedy
 * @param topK keep the k most likely tokens; 0 disables
 * @param topP keep the smallest set of most likely tokens whose probability reaches top_p; 1 disables
 * @param minP keep tokens whose probability is at least min_p times the most likely one's; 0 disables
 * @param repetitionPenalty CTRL-style penalty on every token already in the prompt or the completion; 1 disables
 * @param presencePenalty subtracted from the logit of every token already generated in this completion; 0 disables
 * @param maxNewTokens most tokens generated per completion; reaching it finishes with {@code length}
 * @param stop strings that end a completion when they appear in its text; they are not part of the returned text
 * @param n completions per prompt, sharing the prompt's prefill
 * @param seed the seed of the request; each completion draws from its own generator seeded by (seed, prompt, sample)
 */
public record SamplingParams(
    double temperature,
    int topK,
    double topP,
    double minP,
    double repetitionPenalty,
    double presencePenalty,
    int maxNewTokens,
    List<String> stop,
    int n,
    long seed) {

  public SamplingParams {
    stop = List.copyOf(stop);
    check(Double.isFinite(temperature) && temperature >= 0, "temperature", temperature, "a number >= 0 (0 = greedy)");
    check(topK >= 0, "top_k", topK, "an integer >= 0 (0 = off)");
    check(topP > 0 && topP <= 1, "top_p", topP, "a number in (0, 1] (1 = off)");
    check(minP >= 0 && minP <= 1, "min_p", minP, "a number in [0, 1] (0 = off)");
    check(Double.isFinite(repetitionPenalty) && repetitionPenalty > 0, "repetition_penalty", repetitionPenalty,
        "a number > 0 (1 = off)");
    check(Double.isFinite(presencePenalty), "presence_penalty", presencePenalty, "a finite number (0 = off)");
    check(maxNewTokens >= 1, "max_new_tokens", maxNewTokens, "an integer >= 1");
    check(n >= 1, "n", n, "an integer >= 1");
    for (String s : stop) {
      if (s == null || s.isEmpty()) {
        throw new SaplingException("sampling params: field 'stop' contains an empty string; every stop sequence "
            + "must have at least one character");
      }
    }
  }

  private static void check(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new SaplingException("sampling params: field '" + field + "' is " + value + "; expected " + expected);
    }
  }

  /** Plain sampling from the model's distribution: temperature 1, no filters, 256 new tokens, one sample, seed 0. */
  public static SamplingParams defaults() {
    return new SamplingParams(1.0, 0, 1.0, 0.0, 1.0, 0.0, 256, List.of(), 1, 0L);
  }

  /** Greedy decoding (argmax at every step), otherwise as {@link #defaults()}. */
  public static SamplingParams greedy() {
    return defaults().withTemperature(0);
  }

  /** True when tokens are chosen by argmax rather than drawn. */
  public boolean isGreedy() {
    return temperature == 0;
  }

  /** True when a repetition or presence penalty reshapes the logits, so the choice depends on earlier tokens. */
  public boolean hasPenalties() {
    return repetitionPenalty != 1.0 || presencePenalty != 0.0;
  }

  /** The same params with logits divided by {@code v}; 0 is greedy. */
  public SamplingParams withTemperature(double v) {
    return copy(d -> d.temperature = v);
  }

  /** The same params keeping the {@code v} most likely tokens; 0 disables. */
  public SamplingParams withTopK(int v) {
    return copy(d -> d.topK = v);
  }

  /** The same params keeping the most likely tokens whose probability reaches {@code v}; 1 disables. */
  public SamplingParams withTopP(double v) {
    return copy(d -> d.topP = v);
  }

  /** The same params keeping tokens at least {@code v} times as likely as the likeliest; 0 disables. */
  public SamplingParams withMinP(double v) {
    return copy(d -> d.minP = v);
  }

  /** The same params with a CTRL-style repetition penalty of {@code v}; 1 disables. */
  public SamplingParams withRepetitionPenalty(double v) {
    return copy(d -> d.repetitionPenalty = v);
  }

  /** The same params subtracting {@code v} from the logit of every token already generated; 0 disables. */
  public SamplingParams withPresencePenalty(double v) {
    return copy(d -> d.presencePenalty = v);
  }

  /** The same params generating at most {@code v} tokens per completion. */
  public SamplingParams withMaxNewTokens(int v) {
    return copy(d -> d.maxNewTokens = v);
  }

  /** The same params ending a completion where one of {@code v} appears in its text. */
  public SamplingParams withStop(List<String> v) {
    return copy(d -> d.stop = v);
  }

  /** The same params drawing {@code v} completions per prompt. */
  public SamplingParams withN(int v) {
    return copy(d -> d.n = v);
  }

  /** The same params seeding the request with {@code v}. */
  public SamplingParams withSeed(long v) {
    return copy(d -> d.seed = v);
  }

  /** The one copy: these params with what {@code change} sets on a draft of them, checked as new params are. */
  private SamplingParams copy(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return new SamplingParams(d.temperature, d.topK, d.topP, d.minP, d.repetitionPenalty, d.presencePenalty,
        d.maxNewTokens, d.stop, d.n, d.seed);
  }

  /** The fields of some params, for {@link #copy} to change. */
  private static final class Draft {
    double temperature;
    int topK;
    double topP;
    double minP;
    double repetitionPenalty;
    double presencePenalty;
    int maxNewTokens;
    List<String> stop;
    int n;
    long seed;

    Draft(SamplingParams from) {
      temperature = from.temperature;
      topK = from.topK;
      topP = from.topP;
      minP = from.minP;
      repetitionPenalty = from.repetitionPenalty;
      presencePenalty = from.presencePenalty;
      maxNewTokens = from.maxNewTokens;
      stop = from.stop;
      n = from.n;
      seed = from.seed;
    }
  }
}
