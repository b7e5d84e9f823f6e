package dev.sapling.pipeline.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a finished stage hands back besides its records: its QC report as JSON (the {@code qc_metrics} of its
 * manifest) and notes a person should read (e.g. a shortfall: fewer instructions accepted than asked for).
 *
 * <pre>{@code
 * return new StageReport(qc.toJson(), List.of("accepted 12 of 20 instructions after 10 rounds"));
 * }</pre>
 */
public record StageReport(JsonNode qc, List<String> notes) {
  public StageReport {
    notes = List.copyOf(notes);
  }
}
