package dev.sapling.runtime;

import ai.djl.ndarray.NDArray;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.sampling.Completion;
import dev.sapling.runtime.sampling.FinishReason;
import dev.sapling.runtime.sampling.SamplingParams;
import dev.sapling.runtime.sampling.SamplingState;
import dev.sapling.runtime.sampling.StopSequenceMatcher;
import dev.sapling.runtime.sampling.TokenSampler;
import dev.sapling.runtime.sampling.TokenSelector;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One sampled completion in progress: a row of a {@link Generator} batch. It holds the tokens drawn so far, its
 * sampling state, and decides when it is done (EOS, a stop sequence, its token limit); {@code finish} stays null
 * until then. Rows are mutated by the decoding loop only, one batch at a time.
 */
final class DecodeRow {
  /** Prompt tokens decoded before a completion's own, so its first token decodes as it does in context. */
  private static final int CONTEXT_TOKENS = 4;

  final int promptIndex;
  final int sampleIndex;
  final int[] prompt;
  final SamplingState state;
  final StopSequenceMatcher stops;
  /** New tokens this row may have: max_new_tokens, or fewer where the model's context ends first. */
  final int limit;
  private final BitSet eosIds;
  private final Tokenizer tokenizer;
  int[] tokens;
  float[] logprobs;
  int count;
  /** Uniforms drawn ahead for recorded sampling: {@code ahead[i]} is the one for token {@code aheadFrom + i}. */
  double[] ahead;
  int aheadFrom;
  FinishReason finish;
  long finishedAt;
  private int[] tail;
  private String head;

  /** Sample {@code sampleIndex} of prompt {@code promptIndex}, in a model of {@code context} positions. */
  DecodeRow(int promptIndex, int sampleIndex, int[] prompt, SamplingParams params, SamplingState state, int context,
      BitSet eosIds, Tokenizer tokenizer) {
    this.promptIndex = promptIndex;
    this.sampleIndex = sampleIndex;
    this.prompt = prompt;
    this.state = state;
    this.stops = params.stop().isEmpty() ? null : new StopSequenceMatcher(params.stop());
    this.limit = Math.min(params.maxNewTokens(), context - prompt.length);
    this.eosIds = eosIds;
    this.tokenizer = tokenizer;
    int initial = Math.min(limit, 64);
    this.tokens = new int[initial];
    this.logprobs = new float[initial];
  }

  /** Appends a drawn token and decides whether the row is done. */
  void accept(TokenSampler.Draw draw) {
    if (count == tokens.length) {
      tokens = Arrays.copyOf(tokens, Math.min(limit, tokens.length * 2));
      logprobs = Arrays.copyOf(logprobs, tokens.length);
    }
    tokens[count] = draw.token();
    logprobs[count] = draw.logprob();
    count++;
    if (eosIds.get(draw.token())) {
      finish = FinishReason.EOS;
    } else if (stops != null && stops.update(text(count))) {
      finish = FinishReason.STOP;
    } else if (count == limit) {
      finish = FinishReason.LENGTH;
    }
  }

  /**
   * The text the first {@code n} new tokens add after the prompt. Decoded together with the prompt's last few
   * tokens and then cut after them, because tokenizers decode a word-initial token differently at the start of a
   * text (SentencePiece drops its leading space) and may join bytes across the boundary.
   */
  String text(int n) {
    if (head == null) {
      tail = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - CONTEXT_TOKENS), prompt.length);
      head = tokenizer.decode(tail);
    }
    int[] ids = Arrays.copyOf(tail, tail.length + n);
    System.arraycopy(tokens, 0, ids, tail.length, n);
    String full = tokenizer.decode(ids);
    return full.startsWith(head) ? full.substring(head.length()) : tokenizer.decode(Arrays.copyOf(tokens, n));
  }

  Completion toCompletion(long prefillNanos, long decodeStart) {
    String text = finish == FinishReason.STOP ? stops.text() : text(finish == FinishReason.EOS ? count - 1 : count);
    return new Completion(promptIndex, sampleIndex, prompt.clone(), text, Arrays.copyOf(tokens, count),
        Arrays.copyOf(logprobs, count), finish, new Completion.Timing(prefillNanos, finishedAt - decodeStart));
  }

  /** Each row's last token into {@code out} (0 for a finished row, whose output is unused); returns {@code out}. */
  static int[] lastTokens(List<DecodeRow> rows, int[] out) {
    for (int i = 0; i < rows.size(); i++) {
      DecodeRow row = rows.get(i);
      out[i] = row.finish == null ? row.tokens[row.count - 1] : 0;
    }
    return out;
  }

  /**
   * The next token of every unfinished row, row {@code i} choosing from the last position's logits of batch row
   * {@code logitRow[i]}; {@code null} for finished rows. Only what {@code selector} copies reaches the host.
   */
  static TokenSampler.Draw[] select(TokenSelector selector, NDArray logits, List<DecodeRow> rows, int[] logitRow) {
    int[] live = IntStream.range(0, rows.size()).filter(i -> rows.get(i).finish == null).toArray();
    int[] from = new int[live.length];
    SamplingState[] states = new SamplingState[live.length];
    for (int j = 0; j < live.length; j++) {
      from[j] = logitRow[live[j]];
      states[j] = rows.get(live[j]).state;
    }
    TokenSampler.Draw[] chosen = selector.select(logits, from, states);
    TokenSampler.Draw[] draws = new TokenSampler.Draw[rows.size()];
    for (int j = 0; j < live.length; j++) {
      draws[live[j]] = chosen[j];
    }
    return draws;
  }
}
