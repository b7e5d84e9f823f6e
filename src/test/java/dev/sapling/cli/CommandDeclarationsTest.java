package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every command's declaration promises, checked over {@link Main#commands()}: help lists each flag, each usage
 * error names its flag before anything runs, shared groups mean the same everywhere, one name has one meaning, and
 * no command reads a flag it did not declare.
 */
class CommandDeclarationsTest {
  /** One leaf declaration: a command, or one subcommand of it, and the words that reach it. */
  private record Leaf(Main.Entry command, List<String> words, Flags flags) {}

  private static List<Leaf> leaves() {
    List<Leaf> out = new ArrayList<>();
    for (Main.Entry c : Main.commands()) {
      if (c.command().flags().subcommands().isEmpty()) {
        out.add(new Leaf(c, List.of(c.name()), c.command().flags()));
      }
      for (Flags.Subcommand s : c.command().flags().subcommands()) {
        out.add(new Leaf(c, List.of(c.name(), s.name()), s.flags()));
      }
    }
    return out;
  }

  private static List<String> with(List<String> words, String... more) {
    List<String> argv = new ArrayList<>(words);
    argv.addAll(List.of(more));
    return argv;
  }

  @Test
  void everyCommandsHelpListsEveryDeclaredFlagWithItsHelpAndEveryWord() {
    for (Leaf leaf : leaves()) {
      for (List<String> argv : List.of(with(leaf.words(), "--help"), List.of(leaf.command().name(), "--help"))) {
        CliRun r = CliRun.of(argv);
        assertEquals(0, r.code(), argv.toString());
        assertEquals("", r.out(), "help goes to stderr: " + argv);
        String oneLine = r.err().replaceAll("\\s+", " ");
        for (Flag<?> f : leaf.flags().byName().values()) {
          assertTrue(r.err().contains(" " + f.term() + " "), argv + " lists " + f.term() + "\n" + r.err());
          assertTrue(oneLine.contains(f.help()), argv + " explains " + f.flag() + "\n" + r.err());
        }
        for (Flags.Positional p : leaf.flags().positionals()) {
          assertTrue(oneLine.contains(p.label() + " " + p.help()), argv + " explains " + p.label());
        }
      }
    }
  }

  @Test
  void everyUsageErrorNamesItsFlagAndExitsTwoBeforeAnythingRuns() {
    for (Leaf leaf : leaves()) {
      CliRun unknown = CliRun.of(with(leaf.words(), "--no-such-flag", "1"));
      assertEquals(2, unknown.code(), leaf.words().toString());
      assertTrue(unknown.err().contains("unknown flag --no-such-flag"), unknown.err());
      assertTrue(unknown.err().contains("sapling " + String.join(" ", leaf.words()) + " --help lists every flag"),
          unknown.err());
      for (Flag<?> f : leaf.flags().byName().values()) {
        List<List<String>> bad = new ArrayList<>();
        if (f.kind() != Flag.Kind.SWITCH) {
          bad.add(with(leaf.words(), f.flag())); // missing value
        }
        if (f.kind() == Flag.Kind.SWITCH) {
          bad.add(with(leaf.words(), f.flag() + "=not-a-value?")); // a switch given a value
        } else if (rejects(f, "not-a-value?")) {
          bad.add(with(leaf.words(), f.flag(), "not-a-value?")); // wrong type
        }
        for (List<String> argv : bad) {
          CliRun r = CliRun.of(argv);
          assertEquals(2, r.code(), argv + "\n" + r.err());
          assertEquals("", r.out(), argv.toString());
          String first = r.err().lines().findFirst().orElse("");
          assertTrue(first.startsWith("sapling " + leaf.command().name() + ": " + f.flag() + " ")
              || first.startsWith("sapling " + leaf.command().name() + ": " + f.flag() + ":"), argv + "\n" + first);
        }
      }
    }
  }

  private static boolean rejects(Flag<?> f, String value) {
    try {
      f.parseOne(value);
      return false;
    } catch (CliUsageException e) {
      return true;
    }
  }

  @Test
  void theWrongTypesOfTheSharedFlagsSayWhatIsExpected() {
    CliRun r = CliRun.of(List.of("generate", "--model", "m.gguf", "--top-k", "many"));
    assertEquals("sapling generate: --top-k expects an integer >= 0; got 'many'", r.err().lines().findFirst()
        .orElseThrow());
    r = CliRun.of(List.of("score", "--pairs", "p.jsonl", "--model", "m.gguf", "--device", "tpu"));
    assertEquals("sapling score: --device: unknown value 'tpu'; expected cpu, gpu or auto", r.err().lines()
        .findFirst().orElseThrow());
    r = CliRun.of(List.of("pilot", "--count", "0"));
    assertEquals("sapling pilot: --count expects an integer >= 1; got '0'", r.err().lines().findFirst().orElseThrow());
  }

  /** Each shared group, by the title it is shown under. */
  private static final List<Flags.Group> SHARED = List.of(ModelArgs.GROUP, SamplingArgs.GROUP, OutputArgs.GROUP);

  @Test
  void aSharedGroupMeansTheSameInEveryCommandThatUsesIt() {
    Map<String, Set<String>> users = new LinkedHashMap<>();
    for (Leaf leaf : leaves()) {
      for (Flags.Group g : leaf.flags().groups()) {
        for (Flags.Group shared : SHARED) {
          for (Flag<?> f : g.flags()) {
            boolean sharedName = shared.flags().stream().anyMatch(s -> s.name().equals(f.name()));
            if (sharedName && !g.title().equals(shared.title())) {
              throw new AssertionError(leaf.words() + " declares its own " + f.flag() + "; use " + shared.title());
            }
          }
          if (!g.title().equals(shared.title())) {
            continue;
          }
          users.computeIfAbsent(shared.title(), k -> new LinkedHashSet<>()).add(String.join(" ", leaf.words()));
          for (Flag<?> f : g.flags()) {
            Flag<?> s = shared.flags().stream().filter(x -> x.name().equals(f.name())).findFirst()
                .orElseThrow(() -> new AssertionError(leaf.words() + ": " + f.flag() + " is not in " + shared.title()));
            assertTrue(f.sameMeaning(s), leaf.words() + " changes the meaning of " + f.flag());
          }
        }
      }
    }
    // the commands that use a group as declared see exactly the same group
    for (String name : List.of("generate", "score", "logits")) {
      assertTrue(command(name).flags().groups().contains(ModelArgs.GROUP), name);
    }
    assertTrue(command("generate").flags().groups().contains(SamplingArgs.GROUP));
    assertEquals(Set.of("generate", "score", "logits", "bench", "pilot", "check smoke", "check fixtures",
        "check adamw", "check sampling"), users.get(ModelArgs.GROUP.title()));
    assertEquals(Set.of("generate", "bench", "qc", "pilot", "ifeval"), users.get(OutputArgs.GROUP.title()));
    assertEquals(Set.of("generate", "pilot", "bench"), users.get(SamplingArgs.GROUP.title()));
  }

  @Test
  void oneFlagNameHasOneKindLabelAndTypeAcrossAllCommands() {
    Map<String, Flag<?>> first = new HashMap<>();
    for (Leaf leaf : leaves()) {
      for (Flag<?> f : leaf.flags().byName().values()) {
        Flag<?> before = first.putIfAbsent(f.name(), f);
        if (before != null) {
          assertEquals(before.kind(), f.kind(), f.flag() + " in " + leaf.words());
          assertEquals(before.label(), f.label(), f.flag() + " in " + leaf.words());
          assertEquals(before.type().expected(), f.type().expected(), f.flag() + " in " + leaf.words());
        }
      }
    }
  }

  private static Command command(String name) {
    return Main.commands().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow().command();
  }

  // ---- no command reads a flag it did not declare: the constant pools of its classes say what it reads ----

  @Test
  void noCommandReadsAFlagItDidNotDeclareOrReadsFlagsByName() throws Exception {
    for (Main.Entry c : Main.commands()) {
      assertEquals(List.of(), undeclaredReads(c.command()), c.name());
    }
  }

  @Test
  void theReadCheckFindsAnUndeclaredFlagAndAReadByName() throws Exception {
    assertEquals(List.of("--pairs (ScoreCommand.PAIRS) is read but not declared",
        "Args.string(...) reads a flag by name; declare a Flag and read it with Args.get"),
        undeclaredReads(new Undeclared()));
  }

  /** A command that reads {@code --pairs} without declaring it, and a flag by name: what the check must catch. */
  static final class Undeclared extends Command {
    Undeclared() {
      super(Flags.of(ModelArgs.MODEL));
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
      out.println(args.get(ScoreCommand.PAIRS) + " " + args.string("model"));
      return 0;
    }
  }

  /** Classes whose static methods read flags on a command's behalf: calling one reads every flag it refers to. */
  private static final List<Class<?>> HELPERS = List.of(ModelArgs.class, SamplingArgs.class, OutputArgs.class);
  private static final Set<String> BY_NAME = Set.of("string", "strings", "flag", "intValue", "intList",
      "requireAllKnown");

  private static List<String> undeclaredReads(Command command) throws Exception {
    Map<String, Flag<?>> declared = new HashMap<>(command.flags().byName());
    command.flags().subcommands().forEach(s -> declared.putAll(s.flags().byName()));
    List<String> problems = new ArrayList<>();
    Set<String> flagRefs = new LinkedHashSet<>();
    for (Class<?> k : classesOf(command.getClass())) {
      ConstantPool pool = ConstantPool.of(k);
      flagRefs.addAll(pool.flagFields());
      for (String[] m : pool.methods()) {
        if (m[0].equals(Args.class.getName()) && BY_NAME.contains(m[1])) {
          problems.add("Args." + m[1] + "(...) reads a flag by name; declare a Flag and read it with Args.get");
        }
        for (Class<?> h : HELPERS) {
          if (m[0].equals(h.getName()) && !h.equals(k)) {
            flagRefs.addAll(ConstantPool.of(h).flagFields());
          }
        }
      }
    }
    for (String ref : flagRefs) {
      int dot = ref.lastIndexOf('.');
      Class<?> owner = Class.forName(ref.substring(0, dot));
      Field field = owner.getDeclaredField(ref.substring(dot + 1));
      field.setAccessible(true);
      Flag<?> f = (Flag<?>) field.get(null);
      Flag<?> d = declared.get(f.name());
      if (d == null || !d.sameMeaning(f)) {
        problems.add(0, f.flag() + " (" + owner.getSimpleName() + "." + field.getName() + ") is read but not declared");
      }
    }
    return problems;
  }

  /** A class and every class nested in it, named or anonymous, at any depth. */
  private static List<Class<?>> classesOf(Class<?> top) {
    List<Class<?>> out = new ArrayList<>(List.of(top));
    for (int i = 0; i < out.size(); i++) {
      Class<?> k = out.get(i);
      out.addAll(List.of(k.getDeclaredClasses()));
      for (int n = 1; ; n++) {
        try {
          out.add(Class.forName(k.getName() + "$" + n));
        } catch (ClassNotFoundException e) {
          break;
        }
      }
    }
    return out;
  }

  /** The field and method references of one class file's constant pool (JVMS 4.4). */
  private record ConstantPool(List<String[]> fields, List<String[]> methods) {
    static ConstantPool of(Class<?> k) throws IOException {
      String resource = "/" + k.getName().replace('.', '/') + ".class";
      try (InputStream raw = k.getResourceAsStream(resource); DataInputStream in = new DataInputStream(raw)) {
        in.readInt();
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[][] refs = new int[count][];
        int[] tags = new int[count];
        for (int i = 1; i < count; i++) {
          int tag = in.readUnsignedByte();
          tags[i] = tag;
          switch (tag) {
            case 1 -> utf8[i] = in.readUTF();
            case 3, 4 -> in.readInt();
            case 5, 6 -> {
              in.readLong();
              i++;
            }
            case 7, 8, 16, 19, 20 -> refs[i] = new int[] {in.readUnsignedShort()};
            case 9, 10, 11, 12, 17, 18 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
            case 15 -> {
              in.readUnsignedByte();
              refs[i] = new int[] {in.readUnsignedShort()};
            }
            default -> throw new IOException(resource + ": constant pool tag " + tag + " at " + i);
          }
        }
        List<String[]> fields = new ArrayList<>();
        List<String[]> methods = new ArrayList<>();
        for (int i = 1; i < count; i++) {
          if (tags[i] == 9 || tags[i] == 10 || tags[i] == 11) {
            String owner = utf8[refs[refs[i][0]][0]].replace('/', '.');
            int[] nameAndType = refs[refs[i][1]];
            String[] ref = {owner, utf8[nameAndType[0]], utf8[nameAndType[1]]};
            (tags[i] == 9 ? fields : methods).add(ref);
          }
        }
        return new ConstantPool(fields, methods);
      }
    }

    /** {@code owner.NAME} of every static field of type {@link Flag} referred to. */
    List<String> flagFields() {
      return fields.stream().filter(f -> f[2].equals("L" + Flag.class.getName().replace('.', '/') + ";"))
          .map(f -> f[0] + "." + f[1]).toList();
    }
  }
}
