package dev.sapling.pipeline.text;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The word n-grams of a reference set (evaluation prompts), for contamination checks: a generated text that shares
 * any 13-gram with an evaluation prompt is counted as overlapping, the rule GPT-3's and many later contamination
 * reports use (Brown et al. 2020, appendix C). RougeTokens as {@link RougeTokens} splits them.
 *
 * <pre>{@code
 * NGramIndex evalSet = NGramIndex.of(13, ifevalPrompts);
 * boolean contaminated = evalSet.overlaps(generatedInstruction);
 * }</pre>
 */
public final class NGramIndex {
  private final int n;
  private final Set<String> grams = new HashSet<>();

  private NGramIndex(int n) {
    this.n = n;
  }

  /** The {@code n}-grams of every text in {@code references}. Texts shorter than {@code n} words add nothing. */
  public static NGramIndex of(int n, List<String> references) {
    if (n < 1) {
      throw new IllegalArgumentException("n-gram index: n is " + n + "; expected >= 1");
    }
    NGramIndex index = new NGramIndex(n);
    for (String text : references) {
      List<String> words = RougeTokens.of(text);
      for (int i = 0; i + n <= words.size(); i++) {
        index.grams.add(String.join(" ", words.subList(i, i + n)));
      }
    }
    return index;
  }

  public int n() {
    return n;
  }

  /** How many distinct n-grams the references hold. */
  public int size() {
    return grams.size();
  }

  /** Whether {@code text} shares at least one n-gram with the references. */
  public boolean overlaps(String text) {
    return overlapCount(text) > 0;
  }

  /** How many of {@code text}'s n-gram positions are n-grams of the references. */
  public int overlapCount(String text) {
    List<String> words = RougeTokens.of(text);
    int count = 0;
    for (int i = 0; i + n <= words.size(); i++) {
      if (grams.contains(String.join(" ", words.subList(i, i + n)))) {
        count++;
      }
    }
    return count;
  }
}
