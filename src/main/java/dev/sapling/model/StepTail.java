package dev.sapling.model;

import ai.djl.ndarray.NDArray;

/**
 * Work that runs inside a {@link StaticDecoder} step after the logits, on the device: it chooses the next tokens,
 * writes them into the step's token input and advances its slot, so the next step needs nothing from the host and
 * one recording covers the model and the choice. Must use device tensors only (no host copies, no Java numbers).
 *
 * <pre>{@code
 * StaticDecoder d = StaticDecoder.open(transformer, cache, tail);
 * NDArray first = d.step(lastTokens);   // tokens from the host once
 * NDArray next = d.advance();           // then fed back on the device
 * }</pre>
 */
public interface StepTail {
  /**
   * Chooses from {@code logits} ({@code [batch, 1, vocab]}, float32), writes the choice into {@code tokens}
   * ({@code [batch, 1]} int64) and adds one to {@code slot} ({@code [1]} int64), both in place; returns what the host
   * reads after the step.
   */
  NDArray apply(NDArray logits, NDArray tokens, NDArray slot);
}
