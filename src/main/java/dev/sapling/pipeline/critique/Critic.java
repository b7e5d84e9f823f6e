package dev.sapling.pipeline.critique;

import dev.sapling.SaplingException;
import dev.sapling.model.loader.LoadedModel;
import dev.sapling.model.tokenizer.Tokenizer;
import dev.sapling.runtime.ProgressListener;
import dev.sapling.runtime.ScoredText;
import dev.sapling.runtime.Scorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one critic of the pipeline: every stage that scores a response (critique, and best-of-N for the negatives it
 * makes) scores it here, with the same criteria and the same model. It gathers the token pairs every
 * {@link Criterion} asks for, scores them all with one {@link Scorer} call (pairs sharing a context share its
 * prefill), and hands each criterion its log-probs back. The {@code rankBy} criterion's score is the item's
 * <em>margin</em>, what best-of-N ranks by.
 *
 * <p>No criterion parses generated text, so none can fail to parse. A score can still be degenerate: an empty
 * response is not scored at all ({@link Verdict#degenerate()} is {@code [empty_response]}) and a score that comes out
 * NaN or infinite is named there; both are counted by the stages, never hidden. A pair longer than the model's
 * context is fitted to it (the judge drops examples first, then the end of the response; the response criteria cut
 * the end of the response), and the verdict says so.
 *
 * <pre>{@code
 * Critic critic = Critic.of(model, Critics.logprob().build());
 * Critic.Verdict v = critic.score(new Critic.Item("Name a colour.\n", "Name a colour.", "Blue.")).get(0);
 * v.margin();       // mean log p(response | prompt), the ranking score
 * v.scores();       // {response_logprob=-1.9, ifd=0.4}
 * }</pre>
 */
public final class Critic {
  /** The reason {@link Verdict#degenerate()} gives for a blank response. */
  public static final String EMPTY_RESPONSE = "empty_response";

  /**
   * One response to score.
   *
   * @param prompt the prompt exactly as the response was sampled from it
   * @param instruction the instruction alone (the judge shows it)
   * @param response the response text
   */
  public record Item(String prompt, String instruction, String response) {}

  /**
   * The critic's scores of one item.
   *
   * @param scores every criterion's score by name, in criterion order (NaN where degenerate)
   * @param margin the ranking criterion's score
   * @param degenerate {@value #EMPTY_RESPONSE} for a blank response, otherwise the criteria whose score is NaN or
   *     infinite; empty when every score is usable
   * @param fittedToContext whether something was cut to fit the model's context
   * @param responseTokens the response's tokens after its prompt (before any fitting)
   */
  public record Verdict(Map<String, Double> scores, double margin, List<String> degenerate, boolean fittedToContext,
      int responseTokens) {
    public Verdict {
      scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
      degenerate = List.copyOf(degenerate);
    }

    /** Whether the margin can be ranked: the response was scored and the ranking score is finite. */
    public boolean rankable() {
      return Double.isFinite(margin);
    }
  }

  private final Scorer scorer;
  private final Tokenizer tokenizer;
  private final int maxPositions;
  private final List<Criterion> criteria;
  private final String rankBy;
  private final int[] documentStart;

  /**
   * A critic over {@code scorer}'s model.
   *
   * @param maxPositions the model's context length; longer pairs are fitted to it
   * @param rankBy the name of the criterion whose score is the margin
   */
  public Critic(Scorer scorer, Tokenizer tokenizer, int maxPositions, List<Criterion> criteria, String rankBy) {
    if (criteria.isEmpty()) {
      throw new SaplingException("critic: no criteria; give at least one, e.g. Criterion.responseLogprob()");
    }
    List<String> names = criteria.stream().map(Criterion::name).toList();
    if (!names.contains(rankBy)) {
      throw new SaplingException("critic: rank_by '" + rankBy + "' is not one of its criteria " + names);
    }
    if (names.stream().distinct().count() != names.size()) {
      throw new SaplingException("critic: criteria " + names + " name one criterion twice");
    }
    this.scorer = scorer;
    this.tokenizer = tokenizer;
    this.maxPositions = maxPositions;
    this.criteria = List.copyOf(criteria);
    this.rankBy = rankBy;
    this.documentStart = scorer.options().bos().isPresent() ? new int[] {scorer.options().bos().getAsInt()}
        : tokenizer.eosId().isPresent() ? new int[] {tokenizer.eosId().getAsInt()} : null;
    if (documentStart == null && names.contains(Criterion.IFD)) {
      throw new SaplingException("critic: criterion 'ifd' scores the response after the document start alone, and "
          + "this model has neither a BOS nor an EOS token; drop 'ifd' from the criteria");
    }
  }

  /** The critic {@code config} describes, over {@code model} (its scorer, tokenizer and context length). */
  public static Critic of(LoadedModel model, CritiqueConfig config) {
    return of(Scorer.of(model), model.tokenizer(), model.config().maxPositionEmbeddings(), config);
  }

  /** The critic {@code config} describes, over a scorer and the tokenizer it uses. */
  public static Critic of(Scorer scorer, Tokenizer tokenizer, int maxPositions, CritiqueConfig config) {
    return new Critic(scorer, tokenizer, maxPositions, config.criteria().stream()
        .map(n -> Criterion.named(n, config.judge())).toList(), config.rankBy());
  }

  /** The criteria's names, in the order scores are recorded. */
  public List<String> criteria() {
    return criteria.stream().map(Criterion::name).toList();
  }

  /** The criterion whose score is the margin. */
  public String rankBy() {
    return rankBy;
  }

  /** Verdicts for {@code items}, in their order. */
  public List<Verdict> score(Item... items) {
    return score(List.of(items));
  }

  /**
   * Verdicts for {@code items}, in their order. All their pairs go to the scorer in one call, and a pair two criteria
   * share (the response after its prompt, for {@value Criterion#RESPONSE_LOGPROB} and {@value Criterion#IFD}) is
   * scored once.
   */
  public List<Verdict> score(List<Item> items) {
    List<Scorer.Pair> unique = new ArrayList<>();
    Map<Scorer.Pair, Integer> index = new IdentityHashMap<>();
    int[][][] uses = new int[items.size()][][]; // item -> criterion -> indices into unique
    Encoding[] encodings = new Encoding[items.size()];
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      if (item.response().isBlank()) {
        continue;
      }
      Encoding encoding = new Encoding(item);
      encodings[i] = encoding;
      uses[i] = new int[criteria.size()][];
      for (int c = 0; c < criteria.size(); c++) {
        List<Scorer.Pair> pairs = criteria.get(c).pairs(item, encoding);
        uses[i][c] = new int[pairs.size()];
        for (int j = 0; j < pairs.size(); j++) {
          uses[i][c][j] = index.computeIfAbsent(pairs.get(j), p -> {
            unique.add(p);
            return unique.size() - 1;
          });
        }
      }
    }
    List<ScoredText> scored = unique.isEmpty() ? List.of() : scorer.score(unique, ProgressListener.NONE);
    List<Verdict> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Map<String, Double> scores = new LinkedHashMap<>();
      List<String> degenerate = new ArrayList<>();
      if (uses[i] == null) {
        criteria.forEach(c -> scores.put(c.name(), Double.NaN));
        out.add(new Verdict(scores, Double.NaN, List.of(EMPTY_RESPONSE), false, 0));
        continue;
      }
      for (int c = 0; c < criteria.size(); c++) {
        List<ScoredText> own = new ArrayList<>();
        for (int u : uses[i][c]) {
          own.add(scored.get(u));
        }
        double s = criteria.get(c).score(own);
        scores.put(criteria.get(c).name(), s);
        if (!Double.isFinite(s)) {
          degenerate.add(criteria.get(c).name());
        }
      }
      out.add(new Verdict(scores, scores.get(rankBy), degenerate, encodings[i].fitted,
          encodings[i].responseTokens()));
    }
    return out;
  }

  /**
   * How a criterion turns one item into token pairs that fit the model's context. One encoding serves one item; it
   * remembers whether anything had to be cut.
   */
  public final class Encoding {
    private final Item item;
    private Scorer.Pair response;
    private int responseTokens;
    private boolean fitted;

    private Encoding(Item item) {
      this.item = item;
    }

    /** The item this encoding serves. */
    public Item item() {
      return item;
    }

    /** The model's context length. */
    public int maxPositions() {
      return maxPositions;
    }

    /**
     * The item's response after its prompt, tokenized as the model saw the whole text ({@link Scorer#encode}), its
     * end cut when prompt and response exceed the context.
     */
    public Scorer.Pair response() {
      if (response == null) {
        Scorer.Pair p = scorer.encode(item.prompt(), item.response());
        responseTokens = p.continuation().length;
        response = cuttingContinuation(p);
      }
      return response;
    }

    int responseTokens() {
      response();
      return responseTokens;
    }

    /** {@code continuation} after the document start alone (BOS, or EOS for a model without BOS). */
    public Scorer.Pair unconditional(int[] continuation) {
      return cuttingContinuation(new Scorer.Pair(documentStart.clone(), continuation));
    }

    /** {@code context} then {@code continuation}; when too long, the context loses its start (after any BOS). */
    public Scorer.Pair keepingContinuation(String context, String continuation) {
      Scorer.Pair p = scorer.encode(context, continuation);
      int room = maxPositions - p.continuation().length;
      if (p.context().length <= room) {
        return p;
      }
      if (room < 2) {
        throw new SaplingException("critic: the continuation '" + continuation + "' alone is "
            + p.continuation().length + " tokens, more than the model's context of " + maxPositions);
      }
      fitted = true;
      int[] ctx = p.context();
      boolean bos = scorer.options().bos().isPresent() && ctx[0] == scorer.options().bos().getAsInt();
      int[] kept = Arrays.copyOfRange(ctx, ctx.length - (room - (bos ? 1 : 0)), ctx.length);
      if (bos) {
        int[] withBos = new int[kept.length + 1];
        withBos[0] = ctx[0];
        System.arraycopy(kept, 0, withBos, 1, kept.length);
        kept = withBos;
      }
      return new Scorer.Pair(kept, p.continuation());
    }

    /** Tokens of {@code context} then {@code continuation} as {@link Scorer#encode} gives them. */
    public int length(String context, String continuation) {
      Scorer.Pair p = scorer.encode(context, continuation);
      return p.context().length + p.continuation().length;
    }

    /**
     * The judge prompt for the item that fits the context with either answer: all examples if they fit, else the
     * most that do, else none and the longest start of the response that fits.
     */
    public String fitJudge(JudgePrompt judge) {
      Item of = item;
      int shots = judge.shots().size();
      String context = judge.render(of.instruction(), of.response(), shots);
      while (!fits(judge, context) && shots > 0) {
        fitted = true;
        shots--;
        context = judge.render(of.instruction(), of.response(), shots);
      }
      if (fits(judge, context)) {
        return context;
      }
      fitted = true;
      int lo = 0; // longest response prefix known to fit (or 0)
      int hi = of.response().length(); // known not to fit
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (Character.isHighSurrogate(of.response().charAt(mid - 1))) {
          mid--; // never split a character
        }
        if (mid <= lo) {
          break;
        }
        if (fits(judge, judge.render(of.instruction(), of.response().substring(0, mid), 0))) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return judge.render(of.instruction(), of.response().substring(0, lo), 0);
    }

    private boolean fits(JudgePrompt judge, String context) {
      return Math.max(length(context, judge.yes()), length(context, judge.no())) <= maxPositions;
    }

    private Scorer.Pair cuttingContinuation(Scorer.Pair p) {
      int room = maxPositions - p.context().length;
      if (p.continuation().length <= room) {
        return p;
      }
      if (room < 1) {
        throw new SaplingException("critic: the prompt alone is " + p.context().length + " tokens, the model's "
            + "whole context (" + maxPositions + "); no response token can be scored after it");
      }
      fitted = true;
      return new Scorer.Pair(p.context(), Arrays.copyOf(p.continuation(), room));
    }
  }

  @Override
  public String toString() {
    return "critic " + criteria() + " ranking by " + rankBy + " (context " + maxPositions + ", tokenizer "
        + tokenizer.getClass().getSimpleName() + ")";
  }
}
