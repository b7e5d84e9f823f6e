package dev.sapling.pipeline.instructions;

import java.util.List;
import java.util.Optional;

/**
 * What the instruction filters said of one candidate: kept, or the first filter that dropped it, plus the
 * similarity record Self-Instruct keeps for every candidate ({@code most_similar}, {@code avg_similarity_score}).
 *
 * <pre>{@code
 * FilterVerdict v = filters.offer(candidate);
 * if (!v.kept()) System.err.println("dropped by " + v.droppedBy().orElseThrow());
 * }</pre>
 */
public record FilterVerdict(Optional<String> droppedBy, List<SimilarInstruction> mostSimilar,
    double avgSimilarityScore) {
  public FilterVerdict {
    mostSimilar = List.copyOf(mostSimilar);
  }

  public boolean kept() {
    return droppedBy.isEmpty();
  }
}
