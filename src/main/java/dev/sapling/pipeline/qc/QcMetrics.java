package dev.sapling.pipeline.qc;

import dev.sapling.eval.ifeval.IfevalData;
import dev.sapling.eval.ifeval.IfevalPrompt;
import dev.sapling.pipeline.text.NGramIndex;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The QC numbers of the pipeline as pure functions over plain values, so every stage computes them one way:
 * rates are shares in [0, 1] (NaN for no input), contamination is the 13-gram rule of {@link NGramIndex}.
 *
 * <pre>{@code
 * double runaway = QcMetrics.rate(finishReasons, "length"::equals);
 * double contaminated = QcMetrics.contaminationRate(texts, QcMetrics.evaluationPrompts());
 * }</pre>
 */
public final class QcMetrics {
  /** The n-gram length of the contamination rule. */
  public static final int CONTAMINATION_NGRAM = 13;

  private QcMetrics() {}

  /** The share of {@code values} for which {@code test} holds; NaN when there are none. */
  public static <T> double rate(List<T> values, java.util.function.Predicate<T> test) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    return (double) values.stream().filter(test).count() / values.size();
  }

  /** The share of finish reasons that are {@code length}: generations cut by {@code max_new_tokens} (runaways). */
  public static double runawayRate(List<String> finishReasons) {
    return rate(finishReasons, "length"::equals);
  }

  /** The share of {@code texts} that share a 13-gram with {@code reference}. */
  public static double contaminationRate(List<String> texts, NGramIndex reference) {
    return rate(texts, reference::overlaps);
  }

  /** The IFEval prompts bundled with Sapling, as a 13-gram index (the evaluation set the pipeline must not leak). */
  public static NGramIndex evaluationPrompts() {
    return NGramIndex.of(CONTAMINATION_NGRAM, IfevalData.bundledPrompts().stream().map(IfevalPrompt::prompt).toList());
  }

  /** The share of {@code keys} that repeat an earlier key (exact duplicates after {@code normalise}). */
  public static <T> double duplicateRate(List<T> keys, Function<T, Object> normalise) {
    if (keys.isEmpty()) {
      return Double.NaN;
    }
    java.util.Set<Object> seen = new java.util.HashSet<>();
    long dup = keys.stream().map(normalise).filter(k -> !seen.add(k)).count();
    return (double) dup / keys.size();
  }

  /** Mean length of chosen answers over mean length of rejected ones; NaN without both. */
  public static double lengthRatio(List<Integer> chosenLengths, List<Integer> rejectedLengths) {
    double c = chosenLengths.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
    double r = rejectedLengths.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
    return c / r;
  }

  /** How many values of each kind, in name order. */
  public static Map<String, Long> countBy(List<String> kinds) {
    Map<String, Long> counts = new TreeMap<>();
    kinds.stream().filter(Objects::nonNull).forEach(k -> counts.merge(k, 1L, Long::sum));
    return counts;
  }
}
