package dev.sapling.eval.ifeval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads IFEval's JSONL files: the prompts with their instructions ({@code input_data.jsonl}, bundled as a classpath
 * resource under its Apache-2.0 licence) and response files of {@code {"prompt", "response"}} lines. Every malformed
 * line is an error naming the file and the line number.
 *
 * <pre>{@code
 * List<IfevalPrompt> prompts = IfevalData.bundledPrompts();                 // 541 prompts
 * Map<String, String> responses = IfevalData.readResponses(Path.of("responses.jsonl"));
 * }</pre>
 */
public final class IfevalData {
  private IfevalData() {}

  /** Classpath location of the bundled prompts. */
  public static final String BUNDLED_PROMPTS = "/dev/sapling/eval/ifeval/input_data.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The 541 IFEval prompts shipped with Sapling. */
  public static List<IfevalPrompt> bundledPrompts() {
    InputStream in = IfevalData.class.getResourceAsStream(BUNDLED_PROMPTS);
    if (in == null) {
      throw new IfevalException("classpath resource " + BUNDLED_PROMPTS + " is missing; rebuild Sapling");
    }
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return readPrompts(r, "classpath:" + BUNDLED_PROMPTS);
    } catch (IOException e) {
      throw new IfevalException("cannot read " + BUNDLED_PROMPTS + ": " + e.getMessage(), e);
    }
  }

  /** Prompts from an {@code input_data.jsonl}-shaped file. */
  public static List<IfevalPrompt> readPrompts(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return readPrompts(r, file.toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IfevalException("prompts file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new IfevalException("cannot read prompts file " + file + ": " + e, e);
    }
  }

  static List<IfevalPrompt> readPrompts(Reader reader, String source) throws IOException {
    List<IfevalPrompt> out = new ArrayList<>();
    forEachLine(reader, source, (node, where) -> {
      int key = field(node, "key", where).asInt();
      String prompt = text(node, "prompt", where);
      List<String> ids = convert(field(node, "instruction_id_list", where), new TypeReference<List<String>>() {},
          where + ": field 'instruction_id_list' must be a list of strings");
      List<Map<String, Object>> kwargs = convert(field(node, "kwargs", where),
          new TypeReference<List<Map<String, Object>>>() {}, where + ": field 'kwargs' must be a list of objects");
      try {
        IfevalPrompt p = new IfevalPrompt(key, prompt, ids, kwargs);
        p.instructions();
        out.add(p);
      } catch (IfevalException e) {
        throw new IfevalException(where + ": " + e.getMessage(), e);
      }
    });
    return out;
  }

  /**
   * Responses keyed by prompt text, in file order, from lines {@code {"prompt": ..., "response": ...}}. A repeated
   * prompt is an error: its verdict would be ambiguous.
   */
  public static Map<String, String> readResponses(Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> firstSeen = new LinkedHashMap<>();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      forEachLine(r, file.toString(), (node, where) -> {
        String prompt = text(node, "prompt", where);
        String response = text(node, "response", where);
        String earlier = firstSeen.putIfAbsent(prompt, where);
        if (earlier != null) {
          throw new IfevalException(where + ": a second response for the prompt of " + earlier
              + "; keep one response per prompt");
        }
        out.put(prompt, response);
      });
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IfevalException("responses file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new IfevalException("cannot read responses file " + file + ": " + e, e);
    }
    return out;
  }

  private interface LineHandler {
    void accept(JsonNode node, String where);
  }

  private static void forEachLine(Reader reader, String source, LineHandler handler) throws IOException {
    BufferedReader lines = new BufferedReader(reader);
    int number = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      String where = source + " line " + number;
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IfevalException(where + ": not valid JSON (" + e.getOriginalMessage() + "); expected one JSON object"
            + " per line");
      }
      if (node == null || !node.isObject()) {
        throw new IfevalException(where + ": expected a JSON object per line");
      }
      handler.accept(node, where);
    }
  }

  private static JsonNode field(JsonNode node, String name, String where) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw new IfevalException(where + ": field '" + name + "' is missing");
    }
    return v;
  }

  private static String text(JsonNode node, String name, String where) {
    JsonNode v = field(node, name, where);
    if (!v.isTextual()) {
      throw new IfevalException(where + ": field '" + name + "' must be a string; got " + v.getNodeType());
    }
    return v.asText();
  }

  private static <T> T convert(JsonNode node, TypeReference<T> type, String message) {
    try {
      return JSON.convertValue(node, type);
    } catch (IllegalArgumentException e) {
      throw new IfevalException(message);
    }
  }
}
