package dev.sapling.check;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Resident memory a memory-flatness test can bound. VmRSS alone also counts Java heap pages the collector touches for
 * the first time, which grows by tens of MiB over a long test without any leak; native leaks (libtorch tensors,
 * malloc arenas) show in the part outside the heap. Used by the memory-flatness tests and by the device check
 * ({@code GpuFixtureCheck}); needs the {@code jdk.management} and {@code jdk.jfr} modules (the bundle's runtime has
 * them: without jdk.jfr, JDK 17 lists no GC.heap_info command).
 *
 * <pre>{@code
 * long before = ResidentMemory.nonHeapKb();
 * // ... thousands of decode steps ...
 * long growthMb = (ResidentMemory.nonHeapKb() - before) / 1024;
 * }</pre>
 */
public final class ResidentMemory {
  private ResidentMemory() {}

  /**
   * Resident memory outside the Java heap, in KiB: the sum of {@code Rss} over {@code /proc/self/smaps} mappings that
   * lie outside the heap's reserved range (which {@code GC.heap_info} reports). libtorch's allocations, metaspace,
   * code and thread stacks count; heap pages the collector touches for the first time do not.
   */
  public static long nonHeapKb() {
    long[] heap = heapRange();
    long total = 0;
    boolean inHeap = false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
        Matcher range = MAPPING.matcher(line);
        if (range.lookingAt()) {
          long from = Long.parseUnsignedLong(range.group(1), 16);
          long to = Long.parseUnsignedLong(range.group(2), 16);
          inHeap = from >= heap[0] && to <= heap[1];
        } else if (line.startsWith("Rss:") && !inHeap) {
          total += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/smaps", e);
    }
    return total;
  }

  private static final Pattern MAPPING = Pattern.compile("([0-9a-f]+)-([0-9a-f]+) ");

  /** The Java heap's reserved address range, from the {@code GC.heap_info} diagnostic command. */
  public static long[] heapRange() {
    try {
      Object info = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo", new Object[] {null},
          new String[] {String[].class.getName()});
      Matcher m = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)").matcher(info.toString());
      if (!m.find()) {
        throw new IllegalStateException("GC.heap_info shows no heap address range: " + info);
      }
      return new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)};
    } catch (javax.management.JMException e) {
      throw new IllegalStateException("cannot run the GC.heap_info diagnostic command (" + e + "); the Java runtime "
          + "needs the jdk.management and jdk.jfr modules (scripts/build-bundle.sh puts both in a bundle's jre/)", e);
    }
  }

}
