package dev.sapling.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sapling.SaplingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only JSONL file of committed records: {@link #append} writes one line and fsyncs before it returns, so a
 * record once appended survives a crash, and nothing already written is ever rewritten. Opening a log after a crash
 * cuts a torn last line (bytes after the last newline: a record whose append never returned) and resumes from the
 * committed count.
 *
 * <pre>{@code
 * try (RecordLog log = RecordLog.open(dir.resolve("data.jsonl"))) {
 *   for (int i = log.count(); i < planned; i++) {   // resume where the last run stopped
 *     log.append(Json.line(record(i)));
 *   }
 * }
 * }</pre>
 */
public final class RecordLog implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final long tornBytes;
  private int count;

  private RecordLog(Path file, FileChannel channel, int count, long tornBytes) {
    this.file = file;
    this.channel = channel;
    this.count = count;
    this.tornBytes = tornBytes;
  }

  /**
   * Opens (or creates) the log at {@code file}: counts its committed lines and cuts a torn last line. A committed
   * line that is not a JSON object is an error naming the file and line: the log is damaged and is left as it is.
   */
  public static RecordLog open(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try {
        long size = ch.size();
        long committedEnd = lastNewlineEnd(ch, size);
        int count = checkLines(file, committedEnd);
        long torn = size - committedEnd;
        if (torn > 0) {
          ch.truncate(committedEnd); // the only rewrite: bytes of an append that never returned
          ch.force(true);
        }
        ch.position(committedEnd);
        return new RecordLog(file, ch, count, torn);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (AccessDeniedException e) {
      throw new SaplingException(file + ": cannot write here (permission denied); make the folder writable or "
          + "choose another output folder");
    } catch (IOException e) {
      throw new SaplingException(file + ": cannot open the record log (" + e.getMessage() + "); check the disk and "
          + "the folder's permissions, then rerun: committed records are kept");
    }
  }

  /** Position just after the last '\n' in the first {@code size} bytes, or 0. */
  private static long lastNewlineEnd(FileChannel ch, long size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long end = size;
    while (end > 0) {
      int n = (int) Math.min(buf.capacity(), end);
      buf.clear().limit(n);
      long from = end - n;
      while (buf.hasRemaining()) {
        if (ch.read(buf, from + buf.position()) < 0) {
          break;
        }
      }
      for (int i = n - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return from + i + 1;
        }
      }
      end = from;
    }
    return 0;
  }

  private static int checkLines(Path file, long committedEnd) throws IOException {
    if (committedEnd == 0) {
      return 0;
    }
    int count = 0;
    int number = 0;
    try (var in = Files.newInputStream(file)) {
      byte[] all = in.readNBytes((int) Math.min(Integer.MAX_VALUE, committedEnd));
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] == '\n') {
          number++;
          String line = new String(all, start, i - start, StandardCharsets.UTF_8);
          start = i + 1;
          if (line.isBlank()) {
            throw damaged(file, number, "an empty line");
          }
          try {
            if (!Json.mapper().readTree(line).isObject()) {
              throw damaged(file, number, "not a JSON object");
            }
          } catch (JsonProcessingException e) {
            throw damaged(file, number, "not valid JSON");
          }
          count++;
        }
      }
    }
    return count;
  }

  private static SaplingException damaged(Path file, int line, String what) {
    return new SaplingException(file + ":" + line + ": committed record is " + what + "; the log was changed outside "
        + "Sapling or the disk is damaged. Nothing was modified: move the stage folder aside (or delete it) to "
        + "regenerate the stage");
  }

  /** Committed records, counting those appended through this log. */
  public int count() {
    return count;
  }

  /** Bytes of a torn last line that opening cut (0 when the last run ended cleanly). */
  public long tornBytes() {
    return tornBytes;
  }

  public Path file() {
    return file;
  }

  /** Appends {@code jsonLine} (one JSON object, no newline) and fsyncs; when this returns, the record is committed. */
  public void append(String jsonLine) {
    if (jsonLine.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a record must be one line of JSON; got a newline in " + jsonLine);
    }
    ByteBuffer b = ByteBuffer.wrap((jsonLine + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new SaplingException(file + ": cannot append record " + (count + 1) + " (" + e.getMessage() + "); free "
          + "disk space or fix the folder, then rerun: the " + count + " committed records are kept and the stage "
          + "resumes after them");
    }
    count++;
  }

  /** Every committed line, in order (the log's own file, read afresh). */
  public static List<String> lines(Path file) {
    List<String> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    try {
      byte[] all = Files.readAllBytes(file);
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] == '\n') {
          out.add(new String(all, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
    return out;
  }

  /** Every committed record of {@code file} as a JSON tree, in order. */
  public static List<com.fasterxml.jackson.databind.JsonNode> records(Path file) {
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
    int number = 0;
    for (String line : lines(file)) {
      number++;
      try {
        out.add(Json.mapper().readTree(line));
      } catch (JsonProcessingException e) {
        throw damaged(file, number, "not valid JSON");
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot close", e);
    }
  }
}
