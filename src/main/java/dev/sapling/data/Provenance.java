package dev.sapling.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which code produced an artifact: the git commit of the checkout and whether its tracked files had uncommitted
 * changes ({@code dirty}). Outside a git checkout, or without a {@code git} program, the commit is
 * {@value #UNKNOWN} and dirty is false.
 *
 * <pre>{@code
 * Provenance p = Provenance.ofCode();          // the checkout Sapling's classes were built from
 * Provenance q = Provenance.of(Path.of(".")); // any folder
 * p.gitCommit(); p.gitDirty();
 * }</pre>
 *
 * @param gitCommit 40 hex digits, or {@value #UNKNOWN}
 * @param gitDirty whether tracked files differ from that commit
 */
public record Provenance(String gitCommit, boolean gitDirty) {
  public static final String UNKNOWN = "unknown";

  /** The checkout holding Sapling's own classes (target/classes or target/sapling.jar), else the working folder. */
  public static Provenance ofCode() {
    Path start = Path.of("").toAbsolutePath();
    try {
      var source = Provenance.class.getProtectionDomain().getCodeSource();
      if (source != null) {
        start = Path.of(source.getLocation().toURI());
      }
    } catch (Exception e) {
      // no code location (e.g. a custom class loader): the working folder is the best guess
    }
    return of(Files.isDirectory(start) ? start : start.getParent());
  }

  /** The provenance of the git checkout containing {@code dir}. */
  public static Provenance of(Path dir) {
    String head = git(dir, "rev-parse", "HEAD");
    if (head == null || !head.strip().matches("[0-9a-f]{40}")) {
      return new Provenance(UNKNOWN, false);
    }
    String status = git(dir, "status", "--porcelain", "--untracked-files=no");
    return new Provenance(head.strip(), status == null || !status.isBlank());
  }

  /** Output of {@code git -C dir args...}, or null when git is missing, fails or takes too long. */
  private static String git(Path dir, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
