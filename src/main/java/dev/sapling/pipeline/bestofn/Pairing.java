package dev.sapling.pipeline.bestofn;

import dev.sapling.pipeline.critique.ResponseFlags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * Best-of-N pairing as a function of the candidates alone: per instruction the chosen, the weaker candidates it is
 * preferred to, and the hard negatives, in the order the stage writes them. Negatives made from text carry no score
 * yet; the stage scores them with the critic.
 */
final class Pairing {
  /**
   * Within this of {@code min_gap} a gap counts as reaching it: score differences carry rounding ({@code -1.2 - -1.3}
   * is 0.0999...).
   */
  static final double GAP_TOLERANCE = 1e-9;

  private Pairing() {}

  /**
   * One answer as best-of-N sees it (a response joined with its critique, or a negative made from text).
   *
   * @param margin the ranking score; NaN when degenerate or not yet scored
   */
  record Candidate(String id, int sampleIndex, String prompt, String instruction, String text, String finishReason,
      double margin, List<String> flags, int tokens) {
    boolean rankable() {
      return Double.isFinite(margin);
    }

    boolean runaway() {
      return flags.contains(ResponseFlags.RUNAWAY);
    }

    Candidate scored(double score, int tokenCount) {
      return new Candidate(id, sampleIndex, prompt, instruction, text, finishReason, score, flags, tokenCount);
    }
  }

  /**
   * A pair before its rejected side is scored.
   *
   * @param needsScore whether {@code rejected} was made here and must be scored by the critic
   */
  record Planned(String kind, Candidate chosen, Candidate rejected, boolean needsScore) {}

  /**
   * One instruction's plan.
   *
   * @param chosen the best rankable candidate; empty when none is rankable
   * @param tiesDropped weaker candidates not paired because their gap is below {@code min_gap} (ties included)
   * @param unrankable candidates left out of ranking (degenerate margin)
   */
  record Group(String instructionId, List<Candidate> candidates, Optional<Candidate> chosen, List<Planned> pairs,
      int tiesDropped, int unrankable) {}

  /**
   * Plans every instruction's pairs; {@code groups} holds each instruction's candidates in sample order,
   * {@code seeds} gives an instruction's record seed (which picks its other-instruction negative).
   */
  static List<Group> plan(List<List<Candidate>> groups, List<String> instructionIds, BestOfNConfig config,
      ToLongFunction<String> seeds, ResponseFlags.Rules rules) {
    List<Optional<Candidate>> chosen = groups.stream().map(Pairing::best).toList();
    List<Integer> withChosen = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      if (chosen.get(g).isPresent()) {
        withChosen.add(g);
      }
    }
    List<Group> out = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      final int group = g;
      List<Candidate> candidates = groups.get(g);
      int unrankable = (int) candidates.stream().filter(c -> !c.rankable()).count();
      if (chosen.get(g).isEmpty()) {
        out.add(new Group(instructionIds.get(g), candidates, Optional.empty(), List.of(), 0, unrankable));
        continue;
      }
      Candidate best = chosen.get(g).get();
      List<Planned> pairs = new ArrayList<>();
      List<Candidate> weaker = candidates.stream().filter(c -> c != best && c.rankable())
          .sorted(Comparator.comparingDouble(Candidate::margin).reversed()
              .thenComparingInt(Candidate::sampleIndex)).toList();
      int ties = 0;
      List<Candidate> paired = new ArrayList<>();
      for (Candidate c : weaker) {
        double gap = best.margin() - c.margin();
        if (gap > 0 && gap >= config.minGap() - GAP_TOLERANCE) {
          pairs.add(new Planned(PreferencePair.BEST_OF_N, best, c, false));
          paired.add(c);
        } else {
          ties++;
        }
      }
      if (config.makes(PreferencePair.TRUNCATED)) {
        HardNegatives.truncate(best.text(), config.truncateKeep()).ifPresent(t -> pairs.add(new Planned(
            PreferencePair.TRUNCATED, best, made(best, best.id() + "#" + PreferencePair.TRUNCATED, t, rules), true)));
      }
      if (config.makes(PreferencePair.OTHER_INSTRUCTION)) {
        List<Integer> others = withChosen.stream().filter(o -> o != group).toList();
        if (!others.isEmpty()) {
          SplittableRandom random = new SplittableRandom(seeds.applyAsLong(instructionIds.get(g)));
          Candidate other = chosen.get(others.get(random.nextInt(others.size()))).orElseThrow();
          if (!other.text().equals(best.text())) {
            Candidate asAnswer = new Candidate(other.id(), other.sampleIndex(), best.prompt(), best.instruction(),
                other.text(), other.finishReason(), Double.NaN,
                ResponseFlags.of(best.instruction(), other.text(), other.finishReason(), rules).names(), 0);
            pairs.add(new Planned(PreferencePair.OTHER_INSTRUCTION, best, asAnswer, true));
          }
        }
      }
      if (config.makes(PreferencePair.REPETITION)) {
        HardNegatives.loop(best.text()).ifPresent(t -> pairs.add(new Planned(PreferencePair.REPETITION, best,
            made(best, best.id() + "#" + PreferencePair.REPETITION, t, rules), true)));
      }
      if (config.makes(PreferencePair.RUNAWAY) && !best.runaway()) {
        for (Candidate c : candidates) {
          if (c != best && c.runaway() && c.rankable() && !paired.contains(c)) {
            pairs.add(new Planned(PreferencePair.RUNAWAY, best, c, false));
          }
        }
      }
      out.add(new Group(instructionIds.get(g), candidates, Optional.of(best), pairs, ties, unrankable));
    }
    return out;
  }

  /** The rankable candidate with the highest margin; the lowest sample index among equals. */
  static Optional<Candidate> best(List<Candidate> candidates) {
    Candidate best = null;
    for (Candidate c : candidates) {
      if (c.rankable() && (best == null || c.margin() > best.margin())) {
        best = c;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * A negative made from {@code source}'s text: same prompt, not yet scored, flagged on its own text (never runaway:
   * it was not sampled, so it has no finish reason).
   */
  private static Candidate made(Candidate source, String id, String text, ResponseFlags.Rules rules) {
    return new Candidate(id, source.sampleIndex(), source.prompt(), source.instruction(), text, null, Double.NaN,
        ResponseFlags.of(source.instruction(), text, null, rules).names(), 0);
  }
}
