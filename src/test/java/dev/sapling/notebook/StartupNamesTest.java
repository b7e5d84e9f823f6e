package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the notebook's startup imports: every cell star-imports Sapling's packages beside the JDK, Tablesaw and DJL
 * ones, so a public Sapling class whose simple name another imported package also has (a {@code Row}, a {@code Table},
 * a {@code Path}, a {@code Record}) makes that name ambiguous in every cell, or silently hides the one users mean.
 */
class StartupNamesTest {
  private static final String CLASSPATH = System.getProperty("java.class.path");

  @Test
  void noTwoImportedPackagesShareAPublicSimpleName() throws Exception {
    Map<String, TreeSet<String>> owners = new TreeMap<>();
    List<String> imported = new ArrayList<>(List.of("java.lang"));
    for (String line : Startup.imports(CLASSPATH)) {
      if (line.startsWith("import static ")) {
        continue;
      }
      String target = line.substring("import ".length(), line.length() - 1);
      if (target.endsWith(".*")) {
        imported.add(target.substring(0, target.length() - 2));
      } else {
        String simple = target.substring(target.lastIndexOf('.') + 1);
        owners.computeIfAbsent(simple, k -> new TreeSet<>()).add(target.substring(0, target.lastIndexOf('.')));
      }
    }
    for (String pkg : imported) {
      for (String simple : publicTopLevelNames(pkg)) {
        owners.computeIfAbsent(simple, k -> new TreeSet<>()).add(pkg);
      }
    }
    List<String> clashes = new ArrayList<>();
    owners.forEach((simple, pkgs) -> {
      if (pkgs.size() > 1 && pkgs.stream().anyMatch(p -> p.startsWith("dev.sapling"))) {
        clashes.add(simple + " in " + pkgs);
      }
    });
    assertEquals(List.of(), clashes, "public simple names that the startup imports more than once; rename the Sapling"
        + " class (or make it package-private) so cells keep one meaning per name");
  }

  @Test
  void theGuardSeesSaplingsOwnPackagesAndTheNamesUsersType() throws Exception {
    // the check above is only as good as the names it sees: make sure it lists real classes on both sides
    assertTrue(publicTopLevelNames("dev.sapling.report").contains("Chart"));
    assertTrue(publicTopLevelNames("java.lang").contains("Record"));
    assertTrue(publicTopLevelNames("java.nio.file").contains("Path"));
    assertTrue(publicTopLevelNames("tech.tablesaw.api").containsAll(List.of("Table", "Row")));
    assertFalse(Startup.saplingPackages(CLASSPATH).isEmpty());
  }

  /** Public top-level classes of {@code pkg}, from the JDK's modules or the jar or folder that holds it. */
  private static TreeSet<String> publicTopLevelNames(String pkg) throws IOException, URISyntaxException {
    String dir = pkg.replace('.', '/') + "/";
    List<String> entries = new ArrayList<>();
    Optional<ModuleReference> module = ModuleFinder.ofSystem().findAll().stream()
        .filter(m -> m.descriptor().packages().contains(pkg)).findFirst();
    if (module.isPresent()) {
      try (ModuleReader reader = module.get().open(); Stream<String> names = reader.list()) {
        names.forEach(entries::add);
      }
    } else {
      for (String entry : CLASSPATH.split(java.io.File.pathSeparator)) {
        Path path = Path.of(entry);
        if (Files.isDirectory(path.resolve(dir))) {
          try (Stream<Path> files = Files.list(path.resolve(dir))) {
            files.forEach(f -> entries.add(dir + f.getFileName()));
          }
        } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
          try (JarFile jar = new JarFile(path.toFile())) {
            jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(dir)).forEach(entries::add);
          }
        }
      }
    }
    TreeSet<String> names = new TreeSet<>();
    for (String entry : entries) {
      if (!entry.startsWith(dir) || !entry.endsWith(".class") || entry.indexOf('/', dir.length()) >= 0
          || entry.contains("$") || entry.endsWith("package-info.class") || entry.endsWith("module-info.class")) {
        continue;
      }
      String simple = entry.substring(dir.length(), entry.length() - ".class".length());
      try {
        Class<?> c = Class.forName(pkg + "." + simple, false, StartupNamesTest.class.getClassLoader());
        if (Modifier.isPublic(c.getModifiers())) {
          names.add(simple);
        }
      } catch (ClassNotFoundException | LinkageError e) {
        // a class that cannot be loaded here cannot be typed in a cell either
      }
    }
    return names;
  }
}
