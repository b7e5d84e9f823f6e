package dev.sapling.pipeline.instructions;

/**
 * A pool instruction and its ROUGE-L F1 against a candidate, as Self-Instruct records in {@code most_similar}.
 *
 * <pre>{@code
 * new SimilarInstruction("Write a poem.", 0.8);
 * }</pre>
 */
public record SimilarInstruction(String instruction, double score) {}
