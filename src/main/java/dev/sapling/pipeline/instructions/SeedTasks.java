package dev.sapling.pipeline.instructions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sapling.SaplingException;
import dev.sapling.data.Hashing;
import dev.sapling.data.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The human-written tasks instruction generation starts from, in Self-Instruct's JSONL shape ({@code id},
 * {@code instruction}, optionally {@code name}, {@code instances}, {@code is_classification}). A malformed line is
 * reported with its file and line, counted and skipped; a file with no usable task is an error.
 *
 * <pre>{@code
 * SeedTasks seeds = SeedTasks.selfInstruct();                       // the 175 embedded Self-Instruct tasks
 * SeedTasks mine = SeedTasks.jsonl(Path.of("my_seeds.jsonl"));
 * mine.problems();                                                  // "my_seeds.jsonl:7: not valid JSON ..."
 * }</pre>
 *
 * @param source where the tasks came from (a path, or the embedded resource's name)
 * @param sha256 SHA-256 of the file's bytes (enters the signature of the instructions stage)
 * @param tasks the usable tasks, in file order
 * @param problems one message per malformed line, naming file and line
 */
public record SeedTasks(String source, String sha256, List<SeedTask> tasks, List<String> problems) {
  /** The embedded Self-Instruct seed tasks (Apache-2.0; see the LICENSE beside the resource). */
  public static final String EMBEDDED = "/dev/sapling/pipeline/self-instruct/seed_tasks.jsonl";

  public SeedTasks {
    tasks = List.copyOf(tasks);
    problems = List.copyOf(problems);
  }

  /**
   * One seed task.
   *
   * @param id the task's id ({@code seed_task_0}), or {@code seed-LINE} when the line has none
   */
  public record SeedTask(String id, String instruction) {}

  /** The 175 Self-Instruct seed tasks bundled with Sapling. */
  public static SeedTasks selfInstruct() {
    try (InputStream in = SeedTasks.class.getResourceAsStream(EMBEDDED)) {
      if (in == null) {
        throw new SaplingException("the embedded seed tasks " + EMBEDDED + " are missing from the classpath; "
            + "rebuild Sapling, or pass a seed file");
      }
      return parse("embedded:self-instruct/seed_tasks.jsonl", in.readAllBytes());
    } catch (IOException e) {
      throw new SaplingException("cannot read the embedded seed tasks " + EMBEDDED + ": " + e.getMessage());
    }
  }

  /** Seed tasks from a JSONL file. */
  public static SeedTasks jsonl(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new SaplingException(file + ": no such seed file; give a JSONL file with one {\"instruction\": ...} "
          + "per line");
    }
    try {
      return parse(file.toString(), Files.readAllBytes(file));
    } catch (IOException e) {
      throw new SaplingException(file + ": cannot read the seed file (" + e.getMessage() + ")");
    }
  }

  /** Parses JSONL bytes; {@code source} names them in messages. */
  public static SeedTasks parse(String source, byte[] bytes) {
    List<SeedTask> tasks = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = source + ":" + (i + 1) + ": ";
      JsonNode json;
      try {
        json = Json.mapper().readTree(line);
      } catch (IOException e) {
        problems.add(where + "not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "); line skipped");
        continue;
      }
      if (json == null || !json.isObject()) {
        problems.add(where + "expected a JSON object; line skipped");
        continue;
      }
      JsonNode instruction = json.get("instruction");
      if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
        problems.add(where + "field 'instruction' must be a non-empty string; line skipped");
        continue;
      }
      JsonNode id = json.get("id");
      tasks.add(new SeedTask(id != null && id.isTextual() ? id.asText() : "seed-" + (i + 1), instruction.asText()));
    }
    if (tasks.isEmpty()) {
      throw new SaplingException(source + ": no usable seed task (" + problems.size() + " malformed lines"
          + (problems.isEmpty() ? "" : "; first: " + problems.get(0)) + "); expected one {\"instruction\": ...} per "
          + "line");
    }
    return new SeedTasks(source, Hashing.sha256(bytes), tasks, problems);
  }
}
