import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Cuts library jars down to the classes that the other jars can reach, for the bundle only (build-bundle.sh).
 * Every class of a root jar is kept; a class of a shrunk jar is kept when any kept class names it anywhere in its
 * constant pool (type references, descriptors, signatures, and strings such as {@code Class.forName} names, in
 * slash or dot form), repeated to a fixed point. This over-approximates the JVM's needs: inner classes, verifier
 * types and reflective names in constants are all kept. Resources of a shrunk jar are kept unless they lie under a
 * dropped prefix. Runs on the JDK alone:
 * <pre>
 * java scripts/ShrinkJars.java --root a.jar --root b.jar --shrink fastutil.jar \
 *     --shrink icu4j.jar --drop-resources com/ibm/icu/impl/data/
 * </pre>
 * Each shrunk jar is rewritten in place; a line per jar (classes kept / total, bytes before / after) goes to stderr.
 */
public final class ShrinkJars {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_$/]+");

  public static void main(String[] args) throws IOException {
    List<Path> roots = new ArrayList<>();
    List<Path> shrink = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--root" -> roots.add(Path.of(value));
        case "--shrink" -> shrink.add(Path.of(value));
        case "--drop-resources" -> dropped.add(value);
        default -> throw new IllegalArgumentException("ShrinkJars: unknown argument '" + args[i]
            + "' (expected --root JAR, --shrink JAR, --drop-resources PREFIX)");
      }
      i++;
    }
    // the classes that may be cut: internal name -> bytes
    Map<String, List<byte[]>> candidates = new HashMap<>();
    for (Path jar : shrink) {
      classes(jar).forEach((name, versions) -> candidates.computeIfAbsent(name, k -> new ArrayList<>()).addAll(versions));
    }
    Set<String> kept = new HashSet<>();
    Deque<byte[]> work = new ArrayDeque<>();
    for (Path jar : roots) {
      classes(jar).values().forEach(work::addAll);
    }
    while (!work.isEmpty()) {
      for (String name : referencedNames(work.pop())) {
        if (candidates.containsKey(name) && kept.add(name)) {
          candidates.get(name).forEach(work::push);
        }
      }
    }
    for (Path jar : shrink) {
      rewrite(jar, kept, dropped);
    }
  }

  /** Every class entry of a jar by internal name, each with its multi-release versions. */
  private static Map<String, List<byte[]>> classes(Path jar) throws IOException {
    Map<String, List<byte[]>> out = new LinkedHashMap<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        String name = entry.getName();
        if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
          continue;
        }
        String internal = name.substring(0, name.length() - ".class".length());
        internal = internal.replaceFirst("^META-INF/versions/[0-9]+/", "");
        try (InputStream in = file.getInputStream(entry)) {
          out.computeIfAbsent(internal, k -> new ArrayList<>()).add(in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** Every class-name-like token in a class file's UTF-8 constants, in slash form. */
  private static Set<String> referencedNames(byte[] classFile) throws IOException {
    Set<String> names = new HashSet<>();
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("ShrinkJars: not a class file (bad magic)");
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> {
          String text = in.readUTF();
          for (String form : new String[] {text, text.replace('.', '/')}) {
            Matcher m = TOKEN.matcher(form);
            while (m.find()) {
              String token = m.group();
              names.add(token);
              names.add(token.substring(1)); // 'L' of a descriptor, 'T'/'[' prefixes
            }
          }
        }
        case 3, 4 -> in.skipBytes(4);
        case 5, 6 -> { in.skipBytes(8); i++; }
        case 7, 8, 16, 19, 20 -> in.skipBytes(2);
        case 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
        case 15 -> in.skipBytes(3);
        default -> throw new IOException("ShrinkJars: unknown constant-pool tag " + tag);
      }
    }
    return names;
  }

  private static void rewrite(Path jar, Set<String> kept, List<String> dropped) throws IOException {
    long before = Files.size(jar);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int total = 0;
    int classesKept = 0;
    try (JarFile file = new JarFile(jar.toFile()); ZipOutputStream out = new ZipOutputStream(buffer)) {
      out.setLevel(9);
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        String name = entry.getName();
        boolean keep;
        if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
          total++;
          String internal = name.substring(0, name.length() - ".class".length())
              .replaceFirst("^META-INF/versions/[0-9]+/", "");
          keep = kept.contains(internal);
          classesKept += keep ? 1 : 0;
        } else {
          keep = dropped.stream().noneMatch(name::startsWith) && !name.endsWith("module-info.class");
        }
        if (keep) {
          out.putNextEntry(new ZipEntry(name));
          if (!entry.isDirectory()) {
            try (InputStream in = file.getInputStream(entry)) {
              in.transferTo(out);
            }
          }
          out.closeEntry();
        }
      }
    }
    Files.write(jar, buffer.toByteArray());
    System.err.printf("ShrinkJars: %s: %d of %d classes kept, %d -> %d bytes%n",
        jar.getFileName(), classesKept, total, before, Files.size(jar));
  }
}
