package dev.sapling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md's package table is the tree: every package under src/main/java has a row, every row is a
 * package, and no class refers to a Sapling package its row does not allow.
 */
class ArchitectureTest {
  private static final Path DOC = Path.of("docs/architecture.md");
  private static final Path SOURCES = Path.of("src/main/java");
  private static final String ROOT = "dev.sapling";
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  /** A reference to a class of a Sapling package: an import or a qualified name in code. */
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.sapling((?:\\.[a-z]\\w*)*)\\.[A-Z]");
  private static final String EVERY = "every package";

  @Test
  void thePackageTableListsEveryPackageAndNoOther() throws IOException {
    Map<String, Set<String>> table = table();
    Set<String> tree = new TreeSet<>(packagesOf(sources()).values());
    assertEquals(tree, table.keySet(), DOC + ": the Packages table must have one row per package under " + SOURCES);
  }

  @Test
  void everyPackageUsesOnlyWhatItsRowAllows() throws IOException {
    Map<String, Set<String>> table = table();
    Set<String> violations = new TreeSet<>();
    for (Map.Entry<Path, String> source : packagesOf(sources()).entrySet()) {
      String pkg = source.getValue();
      Set<String> allowed = table.get(pkg);
      if (allowed == null || allowed.contains(EVERY)) {
        continue; // a missing row is the other test's failure
      }
      String code = withoutComments(Files.readString(source.getKey()));
      Matcher m = REFERENCE.matcher(code);
      while (m.find()) {
        String used = ROOT + m.group(1);
        if (!used.equals(pkg) && !used.equals(ROOT) && !allowed.contains(used)) {
          violations.add(source.getKey() + " (" + pkg + ") uses " + used);
        }
      }
    }
    assertTrue(violations.isEmpty(), "uses the Packages table in " + DOC + " does not allow; add the package to the "
        + "row's 'May use' if the dependency is meant, else remove it:\n  " + String.join("\n  ", violations));
  }

  @Test
  void theCheckIsAbleToFail() {
    String code = "import dev.sapling.runtime.Generator;\nclass A { dev.sapling.model.loader.LoadedModel m; }";
    Matcher m = REFERENCE.matcher(withoutComments(code + "\n// dev.sapling.cli.Main\n/** {@link dev.sapling.x.Y} */"));
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(ROOT + m.group(1));
    }
    assertEquals(List.of("dev.sapling.runtime", "dev.sapling.model.loader"), found);
  }

  /** The Packages table: package to the packages it may use (qualified), or {@value #EVERY}. */
  private static Map<String, Set<String>> table() throws IOException {
    Map<String, Set<String>> table = new TreeMap<>();
    boolean inSection = false;
    int lineNumber = 0;
    for (String line : Files.readAllLines(DOC)) {
      lineNumber++;
      if (line.startsWith("## ")) {
        inSection = line.equals("## Packages");
        continue;
      }
      if (!inSection || !line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.split("\\|");
      if (cells.length != 4) {
        throw new AssertionError(DOC + ":" + lineNumber + ": expected 3 cells (package, holds, may use); got "
            + (cells.length - 1) + " (a '|' inside a cell?)");
      }
      String pkg = qualified(cells[1].trim().replace("`", ""));
      Set<String> uses = new TreeSet<>();
      String may = cells[3].trim();
      if (may.equals(EVERY)) {
        uses.add(EVERY);
      } else if (!may.equals("—")) {
        for (String name : may.split(",")) {
          uses.add(qualified(name.trim().replace("`", "")));
        }
      }
      if (table.put(pkg, uses) != null) {
        throw new AssertionError(DOC + ":" + lineNumber + ": package " + pkg + " has two rows");
      }
    }
    assertTrue(!table.isEmpty(), DOC + " has no '## Packages' table");
    return table;
  }

  private static String qualified(String name) {
    return name.equals(ROOT) ? ROOT : ROOT + "." + name;
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  private static Map<Path, String> packagesOf(List<Path> sources) throws IOException {
    Map<Path, String> packages = new TreeMap<>();
    for (Path source : sources) {
      Matcher m = PACKAGE.matcher(Files.readString(source));
      if (!m.find()) {
        throw new AssertionError(source + " has no package line");
      }
      packages.put(source, m.group(1));
    }
    return packages;
  }

  /** The code without its comments, so Javadoc may name any class (strings stay: they are rare and harmless). */
  private static String withoutComments(String code) {
    return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
  }
}
