package dev.sapling.notebook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sapling.SaplingException;
import dev.sapling.data.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the {@code sapling} kernelspec (kernel.json and logos) from the template in the repository's
 * {@code kernel/} folder: the template's argv placeholders {@code {java}}, {@code {jvm_opts}} and {@code {classpath}}
 * become this Java, the given JVM flags and this process's classpath; {@code {connection_file}} stays for Jupyter.
 *
 * <pre>{@code
 * Path dir = KernelSpecInstaller.target(null, true);   // ~/.local/share/jupyter/kernels/sapling
 * new KernelSpecInstaller(Path.of("kernel"), List.of("-Xmx8g"), Map.of()).install(dir);
 * }</pre>
 *
 * @param templateDir the folder holding kernel.json (the template) and the logo files
 * @param jvmOptions JVM flags for the kernel process
 * @param env extra environment for the kernel (e.g. SAPLING_KERNEL_CLASSPATH)
 */
public record KernelSpecInstaller(Path templateDir, List<String> jvmOptions, Map<String, String> env) {
  public static final String NAME = "sapling";

  /** Where the kernelspec goes: {@code PREFIX/share/jupyter/kernels/sapling}, or the user's Jupyter data dir. */
  public static Path target(Path prefix, boolean user) {
    if (prefix != null) {
      return prefix.resolve("share/jupyter/kernels").resolve(NAME);
    }
    String dataDir = System.getenv("JUPYTER_DATA_DIR");
    Path base = dataDir != null && !dataDir.isBlank() ? Path.of(dataDir)
        : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
    return base.resolve("kernels").resolve(NAME);
  }

  /** The repository's {@code kernel/} folder: {@code -Dsapling.home}, else found upward from the running code. */
  public static Path findTemplateDir() {
    String home = System.getProperty("sapling.home", System.getenv("SAPLING_HOME"));
    if (home != null && Files.isRegularFile(Path.of(home, "kernel", "kernel.json"))) {
      return Path.of(home, "kernel");
    }
    try {
      Path here = Path.of(KernelSpecInstaller.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = here; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("kernel/kernel.json"))) {
          return p.resolve("kernel");
        }
      }
    } catch (Exception e) {
      throw new SaplingException("cannot locate the kernel/ template folder: " + e.getMessage(), e);
    }
    throw new SaplingException("cannot find kernel/kernel.json above the Sapling classes; set SAPLING_HOME to the "
        + "Sapling folder");
  }

  /** Writes kernel.json and the logos into {@code dir}; returns kernel.json's path. */
  public Path install(Path dir) throws IOException {
    Path template = templateDir.resolve("kernel.json");
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = json.readValue(Files.readString(template, StandardCharsets.UTF_8), LinkedHashMap.class);
    Object argv = spec.get("argv");
    if (!(argv instanceof List<?> words)) {
      throw new SaplingException(template + ": field 'argv' must be a list of words");
    }
    List<String> expanded = new ArrayList<>();
    for (Object w : words) {
      String word = String.valueOf(w);
      switch (word) {
        case "{java}" -> expanded.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        case "{jvm_opts}" -> expanded.addAll(jvmOptions);
        case "{classpath}" -> expanded.add(classpath());
        default -> expanded.add(word);
      }
    }
    if (!expanded.contains("{connection_file}")) {
      throw new SaplingException(template + ": argv must contain {connection_file}");
    }
    spec.put("argv", expanded);
    @SuppressWarnings("unchecked")
    Map<String, Object> specEnv = spec.get("env") instanceof Map<?, ?> m
        ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    specEnv.putAll(env);
    if (!specEnv.isEmpty()) {
      spec.put("env", specEnv);
    }
    Files.createDirectories(dir);
    Path out = dir.resolve("kernel.json");
    AtomicFiles.writeString(out, json.writeValueAsString(spec));
    try (var files = Files.list(templateDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("logo-")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return out;
  }

  /** This process's classpath as absolute paths (so the kernel starts from any working folder). */
  static String classpath() {
    List<String> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.add(Path.of(e).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
