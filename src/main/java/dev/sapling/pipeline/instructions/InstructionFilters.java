package dev.sapling.pipeline.instructions;

import dev.sapling.pipeline.text.NearDuplicates;
import dev.sapling.pipeline.text.RougeL;
import dev.sapling.pipeline.text.RougeTokens;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Self-Instruct's filters over machine-written instructions (Wang et al. 2023, section 2.3 and its
 * {@code bootstrap_instructions.py}), applied in a fixed order, each named and counted, with the growing pool of
 * accepted instructions (seeds first) that the similarity filters compare against:
 * <ol>
 *   <li>{@code runaway}: sampling hit {@code max_new_tokens} (finish_reason {@code length}), so the text is cut</li>
 *   <li>{@code too_short} (≤ {@code minWords} words, default 3) and {@code too_long} (&gt; {@code maxWords}, 150)</li>
 *   <li>{@code blacklist}: a keyword a text-only model cannot act on (image, graph, file, draw, plot, video...)</li>
 *   <li>{@code starts_with_punctuation}, {@code starts_non_ascii}</li>
 *   <li>{@code copies_prompt_seed}: the text repeats a seed shown in its own prompt (ROUGE-L ≥ 0.9)</li>
 *   <li>{@code exact_duplicate}, {@code near_duplicate} (MinHash Jaccard ≥ 0.8 against the pool)</li>
 *   <li>{@code rouge_similar}: ROUGE-L F1 &gt; {@code maxRougeL} (0.7) against any pool instruction</li>
 * </ol>
 * Every candidate's {@code most_similar} (the 10 closest pool instructions) and {@code avg_similarity_score} are
 * computed, kept or not.
 *
 * <pre>{@code
 * InstructionFilters filters = InstructionFilters.standard(seedInstructions);
 * FilterVerdict v = filters.offer(new InstructionCandidate(text, "stop", shownSeeds));   // kept ones join the pool
 * filters.droppedCounts();   // {runaway=3, too_short=5, ...}
 * }</pre>
 */
public final class InstructionFilters {
  /** The filter names in the order they run. */
  public static final List<String> NAMES = List.of("runaway", "too_short", "too_long", "blacklist",
      "starts_with_punctuation", "starts_non_ascii", "copies_prompt_seed", "exact_duplicate", "near_duplicate",
      "rouge_similar");
  /** Self-Instruct's keyword blacklist: tasks a language model cannot do from text alone. */
  public static final List<String> BLACKLIST = List.of("image", "images", "graph", "graphs", "picture", "pictures",
      "file", "files", "map", "maps", "draw", "plot", "go to", "video", "audio", "music", "flowchart", "diagram");
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  private static final int MOST_SIMILAR = 10;
  private static final double SEED_COPY_ROUGE = 0.9;

  private final int minWords;
  private final int maxWords;
  private final double maxRougeL;
  private final List<Pattern> blacklist;
  private final List<String> pool = new ArrayList<>();
  private final List<List<String>> poolWords = new ArrayList<>();
  private final Set<String> normalisedPool = new HashSet<>();
  private final NearDuplicates nearDuplicates = NearDuplicates.standard();
  private final Map<String, Long> dropped = new LinkedHashMap<>();
  private long kept;

  /**
   * Filters with explicit thresholds over an initial pool (the seed instructions): a candidate needs more than
   * {@code minWords} and at most {@code maxWords} words and a ROUGE-L F1 of at most {@code maxRougeL} to every pool
   * instruction.
   */
  public InstructionFilters(List<String> initialPool, int minWords, int maxWords, double maxRougeL,
      List<String> blacklist) {
    if (minWords < 0 || maxWords <= minWords || !(maxRougeL > 0 && maxRougeL <= 1)) {
      throw new IllegalArgumentException("instruction filters: need 0 <= min_words < max_words and max_rouge_l in"
          + " (0, 1]; got " + minWords + ", " + maxWords + ", " + maxRougeL);
    }
    this.minWords = minWords;
    this.maxWords = maxWords;
    this.maxRougeL = maxRougeL;
    this.blacklist = blacklist.stream()
        .map(w -> Pattern.compile("\\b" + Pattern.quote(w) + "\\b", Pattern.CASE_INSENSITIVE)).toList();
    NAMES.forEach(n -> dropped.put(n, 0L));
    initialPool.forEach(this::addToPool);
  }

  /** Self-Instruct's thresholds (more than 3 and at most 150 words, ROUGE-L ≤ 0.7, its blacklist). */
  public static InstructionFilters standard(List<String> seedInstructions) {
    return new InstructionFilters(seedInstructions, 3, 150, 0.7, BLACKLIST);
  }

  /** The verdict on {@code candidate} without changing the pool or the counts. */
  public FilterVerdict judge(InstructionCandidate candidate) {
    String text = candidate.text().strip();
    List<String> words = RougeTokens.of(text);
    List<SimilarInstruction> scores = new ArrayList<>(pool.size());
    double sum = 0;
    double max = 0;
    for (int i = 0; i < pool.size(); i++) {
      double f = RougeL.f1(words, poolWords.get(i));
      scores.add(new SimilarInstruction(pool.get(i), f));
      sum += f;
      max = Math.max(max, f);
    }
    scores.sort(Comparator.comparingDouble(SimilarInstruction::score).reversed());
    List<SimilarInstruction> top = scores.subList(0, Math.min(MOST_SIMILAR, scores.size()));
    double avg = pool.isEmpty() ? 0 : sum / pool.size();
    return new FilterVerdict(firstFailure(candidate, text, words, max), top, avg);
  }

  /** Judges {@code candidate}, counts the verdict, and adds a kept candidate to the pool. */
  public FilterVerdict offer(InstructionCandidate candidate) {
    FilterVerdict v = judge(candidate);
    if (v.kept()) {
      kept++;
      addToPool(candidate.text().strip());
    } else {
      dropped.merge(v.droppedBy().orElseThrow(), 1L, Long::sum);
    }
    return v;
  }

  /** Candidates dropped per filter, every filter listed, in {@link #NAMES} order. */
  public Map<String, Long> droppedCounts() {
    return new LinkedHashMap<>(dropped);
  }

  /** Candidates kept so far. */
  public long keptCount() {
    return kept;
  }

  /** The pool: the initial instructions, then the kept candidates, in order. */
  public List<String> pool() {
    return List.copyOf(pool);
  }

  private Optional<String> firstFailure(InstructionCandidate c, String text, List<String> words, double maxRouge) {
    if ("length".equals(c.finishReason())) {
      return Optional.of("runaway");
    }
    int count = RougeTokens.count(text);
    if (count <= minWords || text.isEmpty()) {
      return Optional.of("too_short");
    }
    if (count > maxWords) {
      return Optional.of("too_long");
    }
    if (blacklist.stream().anyMatch(p -> p.matcher(text).find())) {
      return Optional.of("blacklist");
    }
    if (PUNCTUATION.indexOf(text.charAt(0)) >= 0) {
      return Optional.of("starts_with_punctuation");
    }
    if (text.charAt(0) > 127) {
      return Optional.of("starts_non_ascii");
    }
    String norm = normalise(text);
    for (String seed : c.promptSeeds()) {
      if (normalise(seed).equals(norm) || RougeL.f1(words, RougeTokens.of(seed)) >= SEED_COPY_ROUGE) {
        return Optional.of("copies_prompt_seed");
      }
    }
    if (normalisedPool.contains(norm)) {
      return Optional.of("exact_duplicate");
    }
    if (nearDuplicates.findDuplicate(text).isPresent()) {
      return Optional.of("near_duplicate");
    }
    if (maxRouge > maxRougeL) {
      return Optional.of("rouge_similar");
    }
    return Optional.empty();
  }

  private void addToPool(String instruction) {
    pool.add(instruction);
    poolWords.add(RougeTokens.of(instruction));
    normalisedPool.add(normalise(instruction));
    nearDuplicates.add(Integer.toString(pool.size() - 1), instruction);
  }

  private static String normalise(String s) {
    return s.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
  }
}
