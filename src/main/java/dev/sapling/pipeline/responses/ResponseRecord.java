package dev.sapling.pipeline.responses;

/**
 * One line of {@code responses/data.jsonl}: one sampled answer to one instruction, with what the model saw and
 * produced. {@code tokenIds} and {@code logprobs} cover the whole raw sample; {@code text} is the raw output cut at a
 * fabricated next turn or a repetition run, when {@code cut} names why.
 *
 * <pre>{@code
 * ResponseRecord r = Json.mapper().readValue(line, ResponseRecord.class);
 * r.id();   // "i-000042/r1"
 * }</pre>
 *
 * @param id {@code <instruction id>/r<sample>}
 * @param cut why the text was cut ({@code next_turn}, {@code repetition}); absent when it was not
 * @param cutAt the character index of the cut in {@code rawOutput}; absent when not cut
 * @param seed the instruction's record seed (the sampler mixes in {@code sample_index})
 */
public record ResponseRecord(
    String id,
    String instructionId,
    int sampleIndex,
    String instruction,
    String prompt,
    String text,
    String rawOutput,
    String cut,
    Integer cutAt,
    String finishReason,
    int promptTokens,
    int completionTokens,
    int[] tokenIds,
    float[] logprobs,
    double temperature,
    double topP,
    long seed) {}
