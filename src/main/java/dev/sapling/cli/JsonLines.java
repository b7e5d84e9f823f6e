package dev.sapling.cli;

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

/** Reads a JSONL input file; a malformed line is an error naming the file and line number. Blank lines are skipped. */
final class JsonLines {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One parsed line with its 1-based line number, for messages about its fields. */
  record Line(int number, JsonNode json) {}

  private JsonLines() {}

  static List<Line> read(Path file) throws IOException {
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

  static String text(Path file, Line line, String field) {
    JsonNode v = line.json().get(field);
    if (v == null || !v.isTextual()) {
      throw new SaplingException(file + ":" + line.number() + ": field '" + field + "' must be a string"
          + (v == null ? " and is missing" : ", found " + v.getNodeType()));
    }
    return v.asText();
  }

  static int[] ids(Path file, Line line, String field) {
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
}
