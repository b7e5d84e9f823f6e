package dev.sapling.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sapling.SaplingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSONL files for every stage and command: a malformed line is an error naming the file and the 1-based line
 * number, and field accessors name the field, what was expected and what was found. Blank lines are skipped. Records
 * are read as trees ({@link #read}) or bound to a record type with the snake_case convention of {@link Json}
 * ({@link #readRecords}).
 *
 * <pre>{@code
 * for (JsonLines.Line line : JsonLines.read(Path.of("prompts.jsonl"))) {
 *   String prompt = JsonLines.text(file, line, "prompt");
 * }
 * List<Seed> seeds = JsonLines.readRecords(Path.of("seeds.jsonl"), Seed.class);
 * }</pre>
 */
public final class JsonLines {
  private static final ObjectMapper MAPPER = Json.mapper();

  /** One parsed line with its 1-based line number, for messages about its fields. */
  public record Line(int number, JsonNode json) {}

  private JsonLines() {}

  /** Every non-blank line of {@code file} as a JSON object, in file order. */
  public static List<Line> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new SaplingException(file + ": no such file");
    }
    List<Line> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int number = 0;
      while ((text = r.readLine()) != null) {
        number++;
        if (text.isBlank()) {
          continue;
        }
        try {
          JsonNode json = MAPPER.readTree(text);
          if (!json.isObject()) {
            throw new SaplingException(file + ":" + number + ": expected a JSON object, found " + json.getNodeType());
          }
          lines.add(new Line(number, json));
        } catch (JsonProcessingException e) {
          throw new SaplingException(file + ":" + number + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
      }
    }
    return lines;
  }

  /** The string field {@code field} of {@code line}; an error naming file, line and field otherwise. */
  public static String text(Path file, Line line, String field) {
    JsonNode v = line.json().get(field);
    if (v == null || !v.isTextual()) {
      throw new SaplingException(file + ":" + line.number() + ": field '" + field + "' must be a string"
          + (v == null ? " and is missing" : ", found " + v.getNodeType()));
    }
    return v.asText();
  }

  /** The integer-array field {@code field} of {@code line} (token ids); an error naming file, line and item otherwise. */
  public static int[] ids(Path file, Line line, String field) {
    JsonNode v = line.json().get(field);
    if (v == null || !v.isArray()) {
      throw new SaplingException(file + ":" + line.number() + ": field '" + field + "' must be an array of token ids");
    }
    int[] ids = new int[v.size()];
    for (int i = 0; i < ids.length; i++) {
      if (!v.get(i).canConvertToInt() || !v.get(i).isIntegralNumber()) {
        throw new SaplingException(file + ":" + line.number() + ": field '" + field + "' item " + i
            + " is not an integer token id: " + v.get(i));
      }
      ids[i] = v.get(i).asInt();
    }
    return ids;
  }

  /**
   * Every non-blank line of {@code file} bound to {@code type} (a record, snake_case names). A line that does not fit
   * the type (a missing or mistyped field, an unknown field) is an error naming the file, the line and Jackson's reason.
   */
  public static <T> List<T> readRecords(Path file, Class<T> type) throws IOException {
    List<T> out = new ArrayList<>();
    for (Line line : read(file)) {
      try {
        out.add(MAPPER.treeToValue(line.json(), type));
      } catch (JsonProcessingException e) {
        throw new SaplingException(file + ":" + line.number() + ": not a valid " + type.getSimpleName() + " ("
            + e.getOriginalMessage() + ")");
      }
    }
    return out;
  }
}
