package dev.sapling.pipeline.run;

import dev.sapling.data.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The random stream of one record: a 64-bit seed derived from (run seed, stage, record id); the sampler then mixes in
 * the sample index. It depends on nothing else — not the batch a record lands in, nor its position there — so a
 * resumed stage, a different batch size or a shard on another machine draws the same numbers for the same record.
 *
 * <pre>{@code
 * long s = RecordSeeds.of(1234, "responses", "i-000042");
 * }</pre>
 */
public final class RecordSeeds {
  private RecordSeeds() {}

  /** The first 8 bytes (big-endian) of SHA-256("sapling-record-seed/1" NUL seed NUL stage NUL recordId). */
  public static long of(long runSeed, String stage, String recordId) {
    String key = "sapling-record-seed/1\0" + runSeed + "\0" + stage + "\0" + recordId;
    byte[] h = java.util.HexFormat.of().parseHex(Hashing.sha256(key.getBytes(StandardCharsets.UTF_8)));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return v;
  }
}
