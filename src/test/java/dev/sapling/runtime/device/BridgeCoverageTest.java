package dev.sapling.runtime.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Compares the JNI functions the bridge's DJL engine sources define (src/main/native/djl-engine) with the native
 * methods of DJL's {@code ai.djl.pytorch.jni.PyTorchLibrary}, prints which are implemented and which are missing, and
 * fails when a method Sapling reaches is missing, when an overloaded method is bound by its short JNI name (which would
 * bind every overload to one function), or when the sources define a name DJL does not declare. Also checks that
 * Sapling's own natives (src/main/native/sapling) are registered from the one class table in sapling/natives.cc,
 * never exported under JNI names that embed a Java package.
 */
class BridgeCoverageTest {
  private static final Path NATIVE = Path.of("src/main/native");
  private static final Path SOURCES = NATIVE.resolve("djl-engine");
  private static final Path TABLE = NATIVE.resolve("sapling/natives.cc");
  private static final Pattern TABLE_ROW = Pattern.compile("\\{\"(dev\\.sapling\\.[\\w.]+)\",\\s*sapling::(\\w+)\\}");
  private static final Pattern REGISTERED = Pattern.compile("SAPLING_NATIVE\\((\\w+)\\)");
  private static final String PREFIX = "Java_ai_djl_pytorch_jni_PyTorchLibrary_";
  private static final Pattern EXPLICIT = Pattern.compile(PREFIX + "(\\w+)\\s*\\(");
  private static final Pattern MACRO =
      Pattern.compile("(?m)^BRIDGE_(?:UNARY|BINARY|INPLACE|IVALUE_IS)\\((\\w+)\\s*,");

  /**
   * JNI names (long form for overloaded methods) that Sapling's model, runtime and training code reach, directly or
   * through DJL's Java engine: engine start, buffers in and out, the forward pass, sampling, scoring and training.
   */
  static final List<String> REACHED = List.of(
      // engine start, array properties, host transfer
      "torchSetGradMode", "torchIsGradMode", "torchGetNumInteropThreads", "torchGetNumThreads", "torchShowConfig",
      "torchManualSeed", "torchDeleteTensor", "torchSizes", "torchDType", "torchDevice", "torchLayout",
      "torchIsContiguous", "torchToContiguous", "torchDirectByteBuffer", "torchDataPtr", "torchFromBlob", "torchSet",
      "tensorClone", "torchTo",
      // creation
      "torchEmpty", "torchZeros", "torchOnes", "torchFull", "torchArange", "torchZerosLike", "torchOnesLike",
      "tensorUniform", "torchNormal", "torchRandint",
      // element-wise math
      "torchAdd", "torchSub", "torchMul", "torchTrueDivide", "torchAddi", "torchSubi", "torchMuli",
      "torchTrueDividei", "torchPow", "torchSqrt", "torchSquare", "torchExp", "torchLog", "torchAbs", "torchNeg",
      "torchSigmoid", "torchTanh", "torchCos", "torchSin", "torchMatmul", "torchMaximum", "torchMinimum",
      "torchClamp", "torchWhere", "torchEq", "torchNeq", "torchGt", "torchGte", "torchLt", "torchLte",
      "torchLogicalNot", "torchLogicalAnd", "torchLogicalOr",
      // reductions, softmax, selection
      "torchMean__J", "torchMean__JJZ", "torchSum__J", "torchSum__J_3JZ", "torchMax__J", "torchMax__JJZ",
      "torchMin__J", "torchMin__JJZ", "torchArgMax__J", "torchArgMax__JJZ", "torchSoftmax", "torchLogSoftmax",
      "torchCumSum", "torchTopK", "torchSort", "torchArgSort",
      // shapes
      "torchReshape", "torchPermute", "torchTranspose", "torchUnsqueeze", "torchSqueeze__J", "torchSqueeze__JJ",
      "torchCat", "torchStack", "torchSplit__JJJ", "torchSplit__J_3JJ", "torchExpand", "torchFlatten",
      "torchRepeat", "torchRepeatInterleave",
      // indexing (NDIndex get/set, gather, masks)
      "torchIndexInit", "torchIndexAppendNoneEllipsis", "torchIndexAppendSlice", "torchIndexAppendFixed",
      "torchIndexAppendArray", "torchIndexAdvGet", "torchIndexAdvPut", "torchDeleteIndex", "torchIndex",
      "torchIndexPut", "torchGetItem__JJ", "torchGetItem__J_3J", "torchGather", "torchTake", "torchSlice",
      "torchMaskedSelect", "torchMaskedPut", "torchScatter",
      // training
      "torchAttachGrad", "torchRequiresGrad", "torchGrad", "torchBackward", "torchDetachGrad", "zeroGrad",
      "adamUpdate");

  @Test
  void bridgeImplementsEveryNativeSaplingReaches() throws Exception {
    Map<String, List<Method>> natives = nativeMethodsByName();
    Set<String> defined = definedNames();

    List<String> problems = new ArrayList<>();
    Set<String> implemented = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    for (Map.Entry<String, List<Method>> e : natives.entrySet()) {
      boolean overloaded = e.getValue().size() > 1;
      String shortName = mangle(e.getKey());
      if (overloaded && defined.contains(shortName)) {
        problems.add(shortName + " is overloaded in PyTorchLibrary; define it with JNI long names ("
            + e.getValue().stream().map(BridgeCoverageTest::longName).collect(Collectors.joining(", ")) + ")");
      }
      for (Method m : e.getValue()) {
        String longName = longName(m);
        String id = overloaded ? longName : shortName;
        if (defined.contains(longName) || (!overloaded && defined.contains(shortName))) {
          implemented.add(id);
        } else {
          missing.add(id);
        }
      }
    }
    Set<String> known = new TreeSet<>(implemented);
    known.addAll(missing);
    for (String name : defined) {
      boolean declared = natives.values().stream().flatMap(List::stream)
          .anyMatch(m -> name.equals(longName(m)) || name.equals(mangle(m.getName())));
      if (!declared) {
        problems.add(PREFIX + name + " is defined in " + SOURCES + " but PyTorchLibrary declares no such native");
      }
    }
    for (String name : REACHED) {
      if (!known.contains(name)) {
        problems.add("REACHED lists " + name + ", which PyTorchLibrary does not declare under that JNI name");
      } else if (missing.contains(name)) {
        problems.add(name + " is reached by Sapling but not implemented in " + SOURCES);
      }
    }

    System.out.println("PyTorch bridge coverage: " + implemented.size() + " of " + known.size()
        + " PyTorchLibrary natives implemented");
    System.out.println("implemented: " + String.join(" ", implemented));
    System.out.println("missing: " + (missing.isEmpty() ? "(none)" : String.join(" ", missing)));
    assertTrue(implemented.size() > REACHED.size(), "the parser found too few JNI functions: " + implemented.size());
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /**
   * Every Java class of Sapling's with native methods has one row in natives.cc's table, and the sapling/ source
   * that defines the row's function registers exactly that class's natives; no source exports a Java_dev_sapling name.
   */
  @Test
  void saplingsNativesAreRegisteredFromOneTable() throws Exception {
    Map<String, String> table = new TreeMap<>();
    Matcher row = TABLE_ROW.matcher(Files.readString(TABLE));
    while (row.find()) {
      table.put(row.group(1), row.group(2));
    }
    assertEquals(declaringNatives(), table.keySet(), "Java classes with natives vs the rows of " + TABLE);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : table.entrySet()) {
      Set<String> java = Stream.of(Class.forName(e.getKey(), false, getClass().getClassLoader()).getDeclaredMethods())
          .filter(m -> Modifier.isNative(m.getModifiers())).map(Method::getName)
          .collect(Collectors.toCollection(TreeSet::new));
      Set<Path> defining = sourcesMatching("sapling::" + e.getValue() + "() {", "cc");
      if (defining.size() != 1) {
        problems.add(e.getValue() + " (for " + e.getKey() + ") is defined in " + defining + "; expected one source");
        continue;
      }
      Path source = defining.iterator().next();
      Set<String> registered = new TreeSet<>();
      Matcher m = REGISTERED.matcher(Files.readString(source));
      while (m.find()) {
        registered.add(m.group(1));
      }
      if (!registered.equals(java)) {
        problems.add(source + " registers " + registered + " but " + e.getKey() + " declares the natives " + java);
      }
    }
    Set<Path> exported = sourcesMatching("Java_dev_sapling", "cc|cu|h");
    if (!exported.isEmpty()) {
      problems.add(exported + " export Java_dev_sapling_* names; register them in " + TABLE + " instead");
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** The Sapling classes whose sources declare a native method. */
  private static Set<String> declaringNatives() throws IOException {
    Path root = Path.of("src/main/java");
    Pattern declaration = Pattern.compile("(?m)^\\s+[\\w\\s]*\\bnative\\s+[\\w\\[\\]]+\\s+\\w+\\(");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
        try {
          return declaration.matcher(Files.readString(p)).find();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).map(p -> root.relativize(p).toString().replace(".java", "").replace('/', '.'))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** The native sources (every folder) with a file extension matching {@code extensions} that contain {@code text}. */
  private static Set<Path> sourcesMatching(String text, String extensions) throws IOException {
    try (Stream<Path> files = Files.walk(NATIVE)) {
      return files.filter(p -> p.toString().matches(".*\\.(" + extensions + ")$")).filter(p -> {
        try {
          return Files.readString(p).contains(text);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void longNamesFollowTheJniSpecification() throws Exception {
    Map<String, List<Method>> natives = nativeMethodsByName();
    Set<String> sums = natives.get("torchSum").stream().map(BridgeCoverageTest::longName).collect(Collectors.toSet());
    assertTrue(sums.equals(Set.of("torchSum__J", "torchSum__J_3JZ")), sums.toString());
    Set<String> loads =
        natives.get("moduleLoad").stream().map(BridgeCoverageTest::longName).collect(Collectors.toSet());
    assertTrue(loads.contains("moduleLoad__Ljava_io_InputStream_2_3IZ_3BJ"), loads.toString());
  }

  private static Map<String, List<Method>> nativeMethodsByName() throws ClassNotFoundException {
    Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary", false,
        BridgeCoverageTest.class.getClassLoader());
    Map<String, List<Method>> byName = new TreeMap<>();
    for (Method m : lib.getDeclaredMethods()) {
      if (Modifier.isNative(m.getModifiers())) {
        byName.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
      }
    }
    return byName;
  }

  /** The JNI name suffixes (after the class prefix) defined in the C++ sources, explicitly or through macros. */
  private static Set<String> definedNames() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".cc")).collect(Collectors.toList())) {
        String text = Files.readString(file);
        for (Pattern p : List.of(EXPLICIT, MACRO)) {
          Matcher m = p.matcher(text);
          while (m.find()) {
            names.add(m.group(1));
          }
        }
      }
    }
    return names;
  }

  private static String longName(Method m) {
    StringBuilder sig = new StringBuilder();
    for (Class<?> p : m.getParameterTypes()) {
      sig.append(descriptor(p));
    }
    return mangle(m.getName()) + "__" + mangle(sig.toString());
  }

  private static String descriptor(Class<?> c) {
    if (c.isArray()) {
      return "[" + descriptor(c.getComponentType());
    }
    if (c == long.class) return "J";
    if (c == int.class) return "I";
    if (c == boolean.class) return "Z";
    if (c == float.class) return "F";
    if (c == double.class) return "D";
    if (c == byte.class) return "B";
    if (c == short.class) return "S";
    if (c == char.class) return "C";
    return "L" + c.getName().replace('.', '/') + ";";
  }

  /** JNI's escaping of a method name or descriptor. */
  static String mangle(String s) {
    StringBuilder out = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '_') {
        out.append("_1");
      } else if (ch == ';') {
        out.append("_2");
      } else if (ch == '[') {
        out.append("_3");
      } else if (ch == '/') {
        out.append('_');
      } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
        out.append(ch);
      } else {
        out.append(String.format("_0%04x", (int) ch));
      }
    }
    return out.toString();
  }
}
