package dev.sapling.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that never leave a half-written file: write a temporary file in the same folder, fsync it, then rename it
 * over the target. A crash leaves either the old file or the new one.
 *
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("manifest.json"), json);
 * }</pre>
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes the whole content to an open channel. */
  @FunctionalInterface
  public interface ChannelWriter {
    void write(FileChannel channel) throws IOException;
  }

  public static void writeString(Path target, String content) throws IOException {
    writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
  }

  public static void writeBytes(Path target, byte[] content) throws IOException {
    write(target, ch -> {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    });
  }

  /** Streams content through {@code writer} into a temporary file, fsyncs, and renames it to {@code target}. */
  public static void write(Path target, ChannelWriter writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writer.write(ch);
        ch.force(true);
      }
      readableLikeANewFile(tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** createTempFile makes 0600 files; an artifact should get the permissions a plain new file would (0644 here). */
  private static void readableLikeANewFile(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }
}
