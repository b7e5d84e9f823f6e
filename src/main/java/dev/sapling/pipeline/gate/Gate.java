package dev.sapling.pipeline.gate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.SaplingException;
import dev.sapling.data.Hashing;
import dev.sapling.data.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The gate a dataset passes before anyone trains on it: provenance (the manifest names the loader, the QC, the git
 * commit, the config hash, the seed and the data file's SHA-256, and the data file still has that hash) and quality
 * (thresholds over the QC metrics in the manifest's {@code qc_metrics.metrics}: {@code runaway_rate},
 * {@code margin_median}, {@code contamination_rate}, {@code pair_count}). {@link #check} throws one
 * {@link GateFailedException} listing every failed check; {@link #explain} returns them all without throwing.
 *
 * <p>Defaults ({@link #standard()}), all overridable: at most 20% runaway generations (a base model that rarely stops
 * teaches a trained model not to stop; Sapling's choice, no literature standard); a median chosen-rejected margin of
 * at least 0.1 nats per token (the best-of-N minimum gap, so the median pair is a real preference); no contamination
 * (any 13-gram shared with an evaluation prompt fails, the GPT-3 rule); at least 1 pair.
 *
 * <pre>{@code
 * Gate.standard().withMinPairCount(100).check(Path.of("runs/pilot-100/pairs"));
 * Gate.standard().force("pilot on a toy model").check(dir);   // passes, failures recorded
 * }</pre>
 */
public record Gate(double maxRunawayRate, double minMedianMargin, double maxContaminationRate, long minPairCount,
    Optional<String> forceReason) {
  /** Metric names the gate reads from {@code qc_metrics.metrics}. */
  public static final String RUNAWAY_RATE = "runaway_rate";
  public static final String MARGIN_MEDIAN = "margin_median";
  public static final String CONTAMINATION_RATE = "contamination_rate";
  public static final String PAIR_COUNT = "pair_count";

  public Gate {
    if (forceReason.isPresent() && forceReason.get().isBlank()) {
      throw new IllegalArgumentException("gate: force needs a reason that says why the dataset is used anyway");
    }
  }

  /** The default thresholds (see the class comment for where each comes from). */
  public static Gate standard() {
    return new Gate(0.2, 0.1, 0.0, 1, Optional.empty());
  }

  public Gate withMaxRunawayRate(double v) {
    return new Gate(v, minMedianMargin, maxContaminationRate, minPairCount, forceReason);
  }

  public Gate withMinMedianMargin(double v) {
    return new Gate(maxRunawayRate, v, maxContaminationRate, minPairCount, forceReason);
  }

  public Gate withMaxContaminationRate(double v) {
    return new Gate(maxRunawayRate, minMedianMargin, v, minPairCount, forceReason);
  }

  public Gate withMinPairCount(long v) {
    return new Gate(maxRunawayRate, minMedianMargin, maxContaminationRate, v, forceReason);
  }

  /** The same gate accepting a failing dataset, for {@code reason} (recorded with the result). */
  public Gate force(String reason) {
    return new Gate(maxRunawayRate, minMedianMargin, maxContaminationRate, minPairCount, Optional.of(reason));
  }

  /** Checks {@code dir} (a stage folder with manifest.json and its data file); throws unless it passes or is forced. */
  public GateResult check(Path dir) {
    GateResult r = explain(dir);
    if (!r.accepted()) {
      throw new GateFailedException(r);
    }
    return r;
  }

  /** Every check on {@code dir}, passed or not. A missing or unreadable manifest is an error naming the file. */
  public GateResult explain(Path dir) {
    Path manifestFile = dir.resolve("manifest.json");
    if (!Files.isRegularFile(manifestFile)) {
      throw new SaplingException(manifestFile + ": no manifest; the gate checks a stage folder of a Sapling run"
          + " (e.g. runs/NAME/pairs) — run the pipeline first, or point at the folder that holds manifest.json");
    }
    JsonNode m;
    try {
      m = Json.mapper().readTree(Files.readString(manifestFile));
    } catch (IOException e) {
      throw new SaplingException(manifestFile + ": not a readable JSON manifest (" + e.getMessage() + "); the stage"
          + " did not finish writing it or the file was edited: rerun the stage to rewrite it");
    }
    if (m == null || !m.isObject()) {
      throw new SaplingException(manifestFile + ": expected a JSON object; rerun the stage to rewrite it");
    }
    List<GateCheck> checks = new ArrayList<>();
    checks.add(present(m, "loader_version"));
    checks.add(present(m, "config_hash"));
    checks.add(present(m, "seed"));
    JsonNode git = m.get("git_commit");
    boolean known = git != null && git.isTextual() && git.asText().matches("[0-9a-f]{7,64}");
    checks.add(new GateCheck("git_commit", git == null ? "missing" : git.asText(), "a commit hash", known));
    JsonNode dirty = m.get("git_dirty");
    checks.add(new GateCheck("git_dirty", dirty == null ? "missing" : dirty.asText(), "recorded (true or false)",
        dirty != null && dirty.isBoolean()));
    checks.add(dataHash(dir, m));
    JsonNode qc = m.get("qc_metrics");
    boolean hasQc = qc != null && qc.isObject() && qc.path("metrics").isObject();
    checks.add(new GateCheck("qc_metrics", hasQc ? "present" : "missing", "present with metrics", hasQc));
    JsonNode metrics = hasQc ? qc.get("metrics") : null;
    checks.add(atMost(metrics, RUNAWAY_RATE, maxRunawayRate));
    checks.add(atLeast(metrics, MARGIN_MEDIAN, minMedianMargin));
    checks.add(atMost(metrics, CONTAMINATION_RATE, maxContaminationRate));
    checks.add(atLeast(metrics, PAIR_COUNT, minPairCount));
    return new GateResult(dir, checks, forceReason);
  }

  private static GateCheck present(JsonNode m, String field) {
    JsonNode v = m.get(field);
    boolean ok = v != null && !v.isNull() && !(v.isTextual() && v.asText().isBlank());
    return new GateCheck(field, ok ? v.asText() : "missing", "present", ok);
  }

  private static GateCheck dataHash(Path dir, JsonNode m) {
    JsonNode data = m.path("data");
    String file = data.path("file").asText("");
    String sha = data.path("sha256").asText("");
    if (file.isEmpty() || sha.isEmpty()) {
      return new GateCheck("data_sha256", "missing", "data.file and data.sha256 in the manifest", false);
    }
    Path path = dir.resolve(file);
    if (!Files.isRegularFile(path)) {
      return new GateCheck("data_sha256", path + " missing", sha, false);
    }
    try {
      String actual = Hashing.sha256(path);
      return new GateCheck("data_sha256", actual, sha, actual.equals(sha));
    } catch (IOException e) {
      return new GateCheck("data_sha256", "unreadable: " + e.getMessage(), sha, false);
    }
  }

  private static GateCheck atMost(JsonNode metrics, String name, double max) {
    return bound(metrics, name, max, true);
  }

  private static GateCheck atLeast(JsonNode metrics, String name, double min) {
    return bound(metrics, name, min, false);
  }

  private static GateCheck bound(JsonNode metrics, String name, double limit, boolean upper) {
    String threshold = (upper ? "<= " : ">= ") + number(limit);
    JsonNode v = metrics == null ? null : metrics.get(name);
    if (v == null || !(v.isNumber() || v.isTextual())) {
      return new GateCheck(name, "missing", threshold, false);
    }
    double x = v.isNumber() ? v.asDouble() : parse(v.asText());
    boolean ok = !Double.isNaN(x) && (upper ? x <= limit : x >= limit);
    return new GateCheck(name, number(x), threshold, ok);
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String number(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : String.format(java.util.Locale.ROOT, "%.4g", x);
  }
}
