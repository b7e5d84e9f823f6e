package dev.sapling.runtime.sampling;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * What one completion carries from step to step while it is sampled: its own random generator, seeded from
 * (request seed, prompt index, sample index) so its draws do not depend on which other rows share the batch, and the
 * tokens the penalties look at.
 *
 * <pre>{@code
 * SamplingState s = SamplingState.forSample(params.seed(), promptIndex, sampleIndex, promptIds);
 * TokenSampler.Draw d = sampler.draw(logits, offset, s);
 * }</pre>
 */
public final class SamplingState {
  private final SplittableRandom random;
  private final BitSet seen = new BitSet();
  private final BitSet generated = new BitSet();

  public SamplingState(long seed, int[] promptIds) {
    this.random = new SplittableRandom(seed);
    for (int id : promptIds) {
      seen.set(id);
    }
  }

  /** The state of sample {@code sampleIndex} of prompt {@code promptIndex} in a request seeded with {@code seed}. */
  public static SamplingState forSample(long seed, int promptIndex, int sampleIndex, int[] promptIds) {
    return new SamplingState(sampleSeed(seed, promptIndex, sampleIndex), promptIds);
  }

  /** A well-mixed 64-bit seed for one (request, prompt, sample) triple (SplitMix64 finaliser over the three). */
  public static long sampleSeed(long seed, int promptIndex, int sampleIndex) {
    long z = mix(seed);
    z = mix(z ^ (0x9E3779B97F4A7C15L * (promptIndex + 1L)));
    return mix(z ^ (0xC2B2AE3D27D4EB4FL * (sampleIndex + 1L)));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform double in [0, 1). */
  public double nextUniform() {
    return random.nextDouble();
  }

  /** Records a chosen token for the penalties of later steps. */
  public void accept(int token) {
    seen.set(token);
    generated.set(token);
  }

  /** Tokens in the prompt or generated so far (repetition penalty). */
  BitSet seen() {
    return seen;
  }

  /** Tokens generated so far (presence penalty). */
  BitSet generated() {
    return generated;
  }
}
