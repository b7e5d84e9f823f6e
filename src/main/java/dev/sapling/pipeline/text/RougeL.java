package dev.sapling.pipeline.text;

import java.util.List;

/**
 * ROUGE-L F1: the longest common subsequence of two word lists ({@link RougeTokens}) as precision against the candidate and
 * recall against the reference, combined as {@code 2PR / (P + R)} — the {@code fmeasure} of {@code rouge_score}'s
 * {@code rougeL}. Symmetric in its two arguments.
 *
 * <pre>{@code
 * double f = RougeL.f1("write a short poem", "write a poem about cats");   // LCS 3: P 3/4, R 3/5 -> 0.667
 * }</pre>
 */
public final class RougeL {
  private RougeL() {}

  /** ROUGE-L F1 of two texts. */
  public static double f1(String a, String b) {
    return f1(RougeTokens.of(a), RougeTokens.of(b));
  }

  /** ROUGE-L F1 of two word lists; 0 when either is empty. */
  public static double f1(List<String> a, List<String> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return 0;
    }
    int lcs = lcs(a, b);
    if (lcs == 0) {
      return 0;
    }
    double p = (double) lcs / a.size();
    double r = (double) lcs / b.size();
    return 2 * p * r / (p + r);
  }

  /**
   * The highest F1 that two lists of these lengths could reach (the LCS is at most the shorter length): a bound that
   * lets a pool skip the LCS of pairs that cannot pass a threshold.
   */
  public static double upperBound(int lengthA, int lengthB) {
    if (lengthA == 0 || lengthB == 0) {
      return 0;
    }
    int m = Math.min(lengthA, lengthB);
    double p = (double) m / lengthA;
    double r = (double) m / lengthB;
    return 2 * p * r / (p + r);
  }

  /** Length of the longest common subsequence, in O(|a|·|b|) time and O(|b|) memory. */
  static int lcs(List<String> a, List<String> b) {
    int[] prev = new int[b.size() + 1];
    int[] cur = new int[b.size() + 1];
    for (String x : a) {
      for (int j = 1; j <= b.size(); j++) {
        cur[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.size()];
  }
}
