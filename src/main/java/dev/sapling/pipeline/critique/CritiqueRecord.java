package dev.sapling.pipeline.critique;

import java.util.List;
import java.util.Map;

/**
 * One line of {@code critique/data.jsonl}: the critic's verdict on one response, keyed by the response's id.
 * Scores that are NaN or infinite are left out (JSON has no NaN; {@code data.Json} leaves nulls out) and named in
 * {@code degenerate}.
 *
 * <pre>{@code
 * {"id":"i-000042/r1","instruction_id":"i-000042","sample_index":1,"rank_by":"response_logprob","margin":-1.92,
 *  "scores":{"response_logprob":-1.92,"ifd":0.31,"judge":0.12},"degenerate":[],"flags":["runaway"],
 *  "fitted_to_context":false,"response_tokens":256}
 * }</pre>
 *
 * @param id the response id, {@code <instruction id>/r<sample>}
 * @param margin the {@code rank_by} criterion's score; absent when degenerate
 * @param scores every criterion's score by name
 * @param degenerate {@code empty_response}, or the criteria whose score is not finite
 * @param flags {@link ResponseFlags#names()}
 * @param fittedToContext whether the critic cut something to fit the model's context
 * @param responseTokens the response's tokens after its prompt
 */
public record CritiqueRecord(String id, String instructionId, int sampleIndex, String rankBy, Double margin,
    Map<String, Double> scores, List<String> degenerate, List<String> flags, boolean fittedToContext,
    int responseTokens) {}
