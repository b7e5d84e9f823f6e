package dev.sapling.notebook;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What every kernel cell and {@code ./sapling script} sees before the first line: the JDK, Tablesaw and DJL imports,
 * every Sapling package on the classpath, and the notebook helpers ({@code display}, {@code render},
 * {@code updateDisplay}, {@code clearOutput}, {@code progress}).
 *
 * <pre>{@code
 * Startup.imports(System.getProperty("java.class.path")).forEach(System.out::println);
 * }</pre>
 */
public final class Startup {
  /** Imports that do not depend on which Sapling packages exist yet. */
  static final List<String> FIXED = List.of(
      "import java.util.*;",
      "import java.util.function.*;",
      "import java.util.stream.*;",
      "import java.io.*;",
      "import java.nio.file.*;",
      "import java.nio.charset.StandardCharsets;",
      "import java.time.*;",
      "import java.awt.image.BufferedImage;",
      "import tech.tablesaw.api.*;",
      "import static tech.tablesaw.aggregate.AggregateFunctions.*;",
      "import ai.djl.Device;",
      "import ai.djl.engine.Engine;",
      "import ai.djl.ndarray.*;",
      "import ai.djl.ndarray.types.*;",
      "import ai.djl.ndarray.index.NDIndex;",
      "import static dev.sapling.report.Display.*;");

  /** Sapling packages that are surfaces or diagnostics (the check programs), not things a cell works with. */
  private static final List<String> SKIPPED = List.of("dev.sapling.check", "dev.sapling.cli", "dev.sapling.notebook");

  private Startup() {}

  /** Every startup import, in order: the fixed ones, then one per Sapling package found on {@code classpath}. */
  public static List<String> imports(String classpath) {
    List<String> all = new ArrayList<>(FIXED);
    for (String pkg : saplingPackages(classpath)) {
      all.add("import " + pkg + ".*;");
    }
    return all;
  }

  /** The startup as a JShell script (for {@code jshell --startup FILE} outside Sapling). */
  public static String script(String classpath) {
    return String.join("\n", imports(classpath)) + "\n";
  }

  /** Packages under dev.sapling that hold classes, found by listing the classpath's folders and jars. */
  static TreeSet<String> saplingPackages(String classpath) {
    TreeSet<String> packages = new TreeSet<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry);
      if (Files.isDirectory(path.resolve("dev/sapling"))) {
        try (Stream<Path> files = Files.walk(path.resolve("dev/sapling"))) {
          files.filter(f -> f.toString().endsWith(".class"))
              .map(f -> path.relativize(f.getParent()).toString().replace(File.separatorChar, '.'))
              .forEach(packages::add);
        } catch (IOException e) {
          throw new UncheckedIOException("could not list Sapling classes under " + path, e);
        }
      } else if (entry.endsWith(".jar") && Files.isRegularFile(path) && path.getFileName().toString().startsWith("sapling")) {
        try (JarFile jar = new JarFile(path.toFile())) {
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.startsWith("dev/sapling/") && name.endsWith(".class")) {
              packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("could not list Sapling classes in " + path, e);
        }
      }
    }
    packages.removeIf(p -> SKIPPED.stream().anyMatch(s -> p.equals(s) || p.startsWith(s + ".")));
    return packages;
  }
}
