package dev.sapling.pipeline.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Near-duplicate detection with MinHash over word shingles and locality-sensitive hashing in bands, as large-scale
 * dedupe pipelines do (Broder 1997; Leskovec, Rajaraman and Ullman, "Mining of Massive Datasets", ch. 3). Each text
 * becomes a signature of {@code bands × rows} minimum hashes; texts sharing a whole band are candidates, and a
 * candidate is a near duplicate when its estimated Jaccard similarity reaches the threshold. Hashes are fixed
 * functions of the shingle text, so the same texts give the same answer on every machine.
 *
 * <pre>{@code
 * NearDuplicates index = NearDuplicates.standard();
 * index.add("a-1", "Write a short poem about the sea and the sky");
 * index.findDuplicate("Write a short poem about the sea and the sky!");   // Optional[Match[a-1, 1.0]]
 * }</pre>
 */
public final class NearDuplicates {
  /** A text already in the index and its estimated Jaccard similarity to the query. */
  public record Match(String id, double jaccard) {}

  private final int shingle;
  private final int bands;
  private final int rows;
  private final double threshold;
  private final Map<String, long[]> signatures = new HashMap<>();
  private final List<Map<Long, List<String>>> buckets = new ArrayList<>();

  /**
   * An index with {@code shingle}-word shingles, {@code bands × rows} hashes and a Jaccard {@code threshold}.
   * With 16 bands of 8 rows, pairs at Jaccard 0.8 are found with probability 1 − (1 − 0.8^8)^16 ≈ 0.93.
   */
  public NearDuplicates(int shingle, int bands, int rows, double threshold) {
    if (shingle < 1 || bands < 1 || rows < 1 || !(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("near duplicates: shingle, bands and rows must be >= 1 and the threshold in"
          + " (0, 1]; got " + shingle + ", " + bands + ", " + rows + ", " + threshold);
    }
    this.shingle = shingle;
    this.bands = bands;
    this.rows = rows;
    this.threshold = threshold;
    for (int b = 0; b < bands; b++) {
      buckets.add(new HashMap<>());
    }
  }

  /** Word 3-grams, 16 bands × 8 rows, Jaccard ≥ 0.8. */
  public static NearDuplicates standard() {
    return new NearDuplicates(3, 16, 8, 0.8);
  }

  public double threshold() {
    return threshold;
  }

  /** The most similar indexed text at or above the threshold, if any. */
  public Optional<Match> findDuplicate(String text) {
    long[] sig = signature(text);
    Set<String> candidates = new LinkedHashSet<>();
    for (int b = 0; b < bands; b++) {
      List<String> ids = buckets.get(b).get(bandKey(sig, b));
      if (ids != null) {
        candidates.addAll(ids);
      }
    }
    Match best = null;
    for (String id : candidates) {
      double j = estimate(sig, signatures.get(id));
      if (j >= threshold && (best == null || j > best.jaccard())) {
        best = new Match(id, j);
      }
    }
    return Optional.ofNullable(best);
  }

  /** Adds {@code text} under {@code id} (an id already present is replaced in the signature map only). */
  public void add(String id, String text) {
    long[] sig = signature(text);
    signatures.put(id, sig);
    for (int b = 0; b < bands; b++) {
      buckets.get(b).computeIfAbsent(bandKey(sig, b), k -> new ArrayList<>()).add(id);
    }
  }

  /** Estimated Jaccard similarity of two texts' shingle sets. */
  public double similarity(String a, String b) {
    return estimate(signature(a), signature(b));
  }

  private double estimate(long[] a, long[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i]) {
        same++;
      }
    }
    return (double) same / a.length;
  }

  private long bandKey(long[] sig, int band) {
    long h = 0x9E3779B97F4A7C15L * (band + 1);
    for (int r = 0; r < rows; r++) {
      h = mix(h ^ sig[band * rows + r]);
    }
    return h;
  }

  long[] signature(String text) {
    List<String> words = RougeTokens.of(text);
    Set<Long> shingles = new LinkedHashSet<>();
    if (words.size() < shingle) {
      shingles.add(fnv(String.join(" ", words)));
    } else {
      for (int i = 0; i + shingle <= words.size(); i++) {
        shingles.add(fnv(String.join(" ", words.subList(i, i + shingle))));
      }
    }
    long[] sig = new long[bands * rows];
    java.util.Arrays.fill(sig, Long.MAX_VALUE);
    for (long s : shingles) {
      for (int i = 0; i < sig.length; i++) {
        long h = mix(s + 0x632BE59BD9B4E019L * (i + 1));
        if (h < sig[i]) {
          sig[i] = h;
        }
      }
    }
    return sig;
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finaliser: a fixed, well-mixed 64-bit hash. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
