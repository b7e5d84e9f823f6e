package dev.sapling.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.data.Manifest;
import dev.sapling.data.RecordLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.columns.Column;

/**
 * One finished stage of a run, read from disk: its manifest and records, and the records as a Tablesaw table
 * (one column per scalar field; arrays and objects as compact JSON text).
 *
 * <pre>{@code
 * StageRecords pairs = Runs.open("runs/pilot-100").pairs();
 * pairs.table().first(5);
 * }</pre>
 */
public record StageRecords(String stage, Path dir, Manifest manifest) {
  public Path dataFile() {
    return dir.resolve(manifest.data().file());
  }

  public List<JsonNode> records() {
    return RecordLog.records(dataFile());
  }

  /** The records as a table named after the stage. */
  public tech.tablesaw.api.Table table() {
    List<JsonNode> records = records();
    Map<String, List<JsonNode>> columns = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      final int row = i;
      records.get(i).fields().forEachRemaining(e -> {
        List<JsonNode> col = columns.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
        while (col.size() < row) {
          col.add(null);
        }
        col.add(e.getValue());
      });
    }
    tech.tablesaw.api.Table t = tech.tablesaw.api.Table.create(stage);
    for (Map.Entry<String, List<JsonNode>> e : columns.entrySet()) {
      List<JsonNode> values = e.getValue();
      while (values.size() < records.size()) {
        values.add(null);
      }
      t.addColumns(column(e.getKey(), values));
    }
    return t;
  }

  private static Column<?> column(String name, List<JsonNode> values) {
    boolean numbers = values.stream().allMatch(v -> v == null || v.isNull() || v.isNumber());
    boolean booleans = values.stream().allMatch(v -> v == null || v.isNull() || v.isBoolean());
    if (booleans) {
      BooleanColumn c = BooleanColumn.create(name);
      values.forEach(v -> {
        if (v == null || v.isNull()) {
          c.appendMissing();
        } else {
          c.append(v.asBoolean());
        }
      });
      return c;
    }
    if (numbers) {
      DoubleColumn c = DoubleColumn.create(name);
      values.forEach(v -> {
        if (v == null || v.isNull()) {
          c.appendMissing();
        } else {
          c.append(v.asDouble());
        }
      });
      return c;
    }
    StringColumn c = StringColumn.create(name);
    values.forEach(v -> c.append(v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString()));
    return c;
  }

  @Override
  public String toString() {
    return stage + ": " + manifest.data().records() + " records in " + dataFile();
  }
}
