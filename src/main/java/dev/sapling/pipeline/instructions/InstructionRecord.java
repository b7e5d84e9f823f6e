package dev.sapling.pipeline.instructions;

import java.util.List;

/**
 * One line of {@code instructions/data.jsonl}: a candidate instruction with its verdict and provenance. Every
 * candidate is recorded, kept or not; kept ones get an {@code id} ({@code i-000042}) that later stages use.
 *
 * <pre>{@code
 * InstructionRecord r = Json.mapper().readValue(line, InstructionRecord.class);
 * if (r.kept()) { respondTo(r.id(), r.instruction()); }
 * }</pre>
 *
 * @param id the instruction's id when kept; absent otherwise
 * @param candidateId {@code r003-p01-s2}: round, prompt and sample
 * @param droppedBy the first filter that rejected it ({@code count_reached} once enough were kept); absent when kept
 * @param mostSimilar the closest pool instructions by ROUGE-L F1, as Self-Instruct records them
 * @param avgSimilarityScore the mean ROUGE-L F1 against the pool
 * @param shownIds ids of the tasks shown in the prompt, in prompt order
 * @param prompt the prompt as sent
 * @param rawOutput the sampled text before cleaning
 * @param seed the record seed of its prompt (the sampler mixes in {@code sample_index})
 */
public record InstructionRecord(
    String id,
    String candidateId,
    boolean kept,
    String instruction,
    String droppedBy,
    List<SimilarInstruction> mostSimilar,
    double avgSimilarityScore,
    int round,
    String promptId,
    int sampleIndex,
    List<String> shownIds,
    String prompt,
    String rawOutput,
    String finishReason,
    int promptTokens,
    int completionTokens,
    long seed) {}
