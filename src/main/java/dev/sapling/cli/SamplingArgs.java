package dev.sapling.cli;

import dev.sapling.runtime.sampling.SamplingParams;
import java.util.List;

/**
 * The shared flag group of sampling: the knobs of {@link SamplingParams} under vLLM's and Hugging Face's names, in
 * kebab-case ({@code --top-p} for {@code top_p}; {@code --max-tokens} is vLLM's {@code max_tokens}, Hugging Face's
 * {@code max_new_tokens}). Defaults are {@link SamplingParams#defaults()}'s; a bad value is a usage error naming the
 * flag before any model loads.
 *
 * <pre>{@code
 * static final Flags FLAGS = Flags.of(PROMPT).with(ModelArgs.GROUP, SamplingArgs.GROUP);
 * SamplingParams params = SamplingArgs.params(args);   // --greedy --max-tokens 32 -> greedy, 32 new tokens
 * }</pre>
 */
final class SamplingArgs {
  private static final SamplingParams DEFAULTS = SamplingParams.defaults();

  static final Flag<Boolean> GREEDY = Flag.toggle("greedy", "argmax decoding instead of sampling (temperature 0)");
  static final Flag<Double> TEMPERATURE = Flag.of("temperature", "T",
      Flag.Type.NUMBER.atLeast(0),
      "divides the logits; 0 is greedy").withDefault(DEFAULTS.temperature());
  static final Flag<Integer> TOP_K = Flag.of("top-k", "K", Flag.Type.INT.atLeast(0),
      "keep only the K most likely tokens; 0 = off").withDefault(DEFAULTS.topK());
  static final Flag<Double> TOP_P = Flag.of("top-p", "P",
      Flag.Type.NUMBER.above(0).atMost(1),
      "keep the most likely tokens whose probabilities add up to P; 1 = off").withDefault(DEFAULTS.topP());
  static final Flag<Double> MIN_P = Flag.of("min-p", "P",
      Flag.Type.NUMBER.atLeast(0).atMost(1),
      "keep tokens at least P times as likely as the most likely one; 0 = off").withDefault(DEFAULTS.minP());
  static final Flag<Double> REPETITION_PENALTY = Flag.of("repetition-penalty", "R",
      Flag.Type.NUMBER.above(0),
      "CTRL-style penalty on every token already in the prompt or the completion; 1 = off")
      .withDefault(DEFAULTS.repetitionPenalty());
  static final Flag<Double> PRESENCE_PENALTY = Flag.of("presence-penalty", "P",
      Flag.Type.NUMBER,
      "subtracted from the logit of every token already generated; 0 = off")
      .withDefault(DEFAULTS.presencePenalty());
  static final Flag<Integer> MAX_TOKENS = Flag.of("max-tokens", "N", Flag.Type.INT.atLeast(1),
      "new tokens at most per completion (then finish_reason is length)").withDefault(DEFAULTS.maxNewTokens());
  static final Flag<List<String>> STOP = Flag.of("stop", "STR",
      Flag.Type.TEXT.nonEmpty(),
      "stop sequence, excluded from the text").repeatable();
  static final Flag<Integer> N = Flag.of("n", "K", Flag.Type.INT.atLeast(1),
      "samples per prompt, sharing the prompt's prefill").withDefault(DEFAULTS.n());
  static final Flag<Long> SEED = Flag.of("seed", "S", Flag.Type.LONG,
      "the random seed: the same seed and inputs give the same output").withDefault(DEFAULTS.seed());

  static final Flags.Group GROUP = Flags.Group.of("sampling (vLLM / Hugging Face names)", GREEDY, TEMPERATURE, TOP_K,
      TOP_P, MIN_P, REPETITION_PENALTY, PRESENCE_PENALTY, MAX_TOKENS, STOP, N, SEED);

  private SamplingArgs() {}

  /** The sampling parameters asked for; {@code --greedy} and {@code --temperature} exclude each other. */
  static SamplingParams params(Args args) {
    if (args.get(GREEDY) && args.has(TEMPERATURE)) {
      throw new CliUsageException("give --greedy or --temperature, not both");
    }
    SamplingParams p = args.get(GREEDY) ? SamplingParams.greedy() : DEFAULTS.withTemperature(args.get(TEMPERATURE));
    return p.withTopK(args.get(TOP_K))
        .withTopP(args.get(TOP_P))
        .withMinP(args.get(MIN_P))
        .withRepetitionPenalty(args.get(REPETITION_PENALTY))
        .withPresencePenalty(args.get(PRESENCE_PENALTY))
        .withStop(args.get(STOP))
        .withMaxNewTokens(args.get(MAX_TOKENS))
        .withN(args.get(N))
        .withSeed(args.get(SEED));
  }
}
