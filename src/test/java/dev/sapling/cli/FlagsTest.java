package dev.sapling.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlagsTest {
  static final Flag<Path> MODEL = Flag.of("model", "PATH", Flag.Type.PATH, "the model").mandatory();
  static final Flag<Integer> MAX_TOKENS = Flag.of("max-tokens", "N", Flag.Type.INT.atLeast(1), "new tokens at most")
      .withDefault(256);
  static final Flag<Double> TOP_P = Flag.of("top-p", "P", Flag.Type.NUMBER.above(0).atMost(1),
      "nucleus");
  static final Flag<Boolean> GREEDY = Flag.toggle("greedy", "argmax decoding");
  static final Flag<List<String>> STOP = Flag.of("stop", "STR", Flag.Type.TEXT, "stop sequence").repeatable();
  static final Flag<int[]> IDS = Flag.of("ids", "LIST", Flag.Type.INT_LIST, "token ids");
  static final Flags FLAGS = Flags.of(MAX_TOKENS, TOP_P, GREEDY, STOP, IDS)
      .with(Flags.Group.of("model", MODEL));

  private static CliUsageException refused(Flags flags, String... argv) {
    return assertThrows(CliUsageException.class, () -> flags.parse(List.of(argv)));
  }

  @Test
  void readsEveryFormTypedWithTheDeclaredDefaults() {
    Args a = FLAGS.parse(List.of("--model", "m.gguf", "--top-p=0.9", "--greedy", "--stop", "a", "--stop=b",
        "--ids", "1, 450,2"));
    assertEquals(Path.of("m.gguf"), a.get(MODEL));
    assertEquals(0.9, a.get(TOP_P));
    assertTrue(a.get(GREEDY));
    assertEquals(List.of("a", "b"), a.get(STOP));
    assertArrayEquals(new int[] {1, 450, 2}, a.get(IDS));
    assertEquals(256, a.get(MAX_TOKENS), "the declared default");
    assertFalse(a.has(MAX_TOKENS));
    assertEquals(Optional.of(256), a.optional(MAX_TOKENS));
    assertEquals(List.of(), a.positional());
  }

  @Test
  void theLastValueWinsAndASwitchCanBeTurnedOff() {
    Args a = FLAGS.parse(List.of("--model", "m", "--max-tokens", "8", "--max-tokens", "9", "--greedy=false"));
    assertEquals(9, a.get(MAX_TOKENS));
    assertFalse(a.get(GREEDY));
    assertEquals(Optional.empty(), a.optional(TOP_P));
    assertEquals(List.of(), FLAGS.parse(List.of("--model", "m")).get(STOP), "an absent repeated flag is empty");
  }

  @Test
  void anUnknownFlagIsNamedWithTheNearestKnownOneOrTheSortedList() {
    assertEquals("unknown flag --max-tokenz; did you mean --max-tokens?",
        refused(FLAGS, "--model", "m", "--max-tokenz", "3").getMessage());
    assertEquals("unknown flag --mod; did you mean --model?", refused(FLAGS, "--mod", "m").getMessage());
    assertEquals("unknown flag --bench; known flags: --greedy, --ids, --max-tokens, --model, --stop, --top-p",
        refused(FLAGS, "--bench").getMessage());
    assertEquals("unknown flag --x; this command takes no flags", refused(Flags.of(), "--x").getMessage());
  }

  @Test
  void aMissingValueNamesTheFlagAndHowToWriteIt() {
    assertEquals("--max-tokens needs a value, as in --max-tokens N",
        refused(FLAGS, "--model", "m", "--max-tokens").getMessage());
    assertEquals("--stop needs a value, as in --stop STR; the next word, --greedy, is a flag (for that very value "
        + "write --stop=--greedy)", refused(FLAGS, "--stop", "--greedy", "--model", "m").getMessage());
    assertEquals(List.of("--greedy"), FLAGS.parse(List.of("--stop=--greedy", "--model", "m")).get(STOP));
    assertEquals(List.of("--other"), FLAGS.parse(List.of("--stop", "--other", "--model", "m")).get(STOP),
        "a word that is no declared flag is a value");
  }

  @Test
  void aBadValueNamesTheFlagWhatItExpectsAndWhatItGot() {
    assertEquals("--max-tokens expects an integer >= 1; got 'many'",
        refused(FLAGS, "--model", "m", "--max-tokens", "many").getMessage());
    assertEquals("--max-tokens expects an integer >= 1; got '0'",
        refused(FLAGS, "--model", "m", "--max-tokens", "0").getMessage());
    assertEquals("--top-p expects a number in (0, 1]; got '1.5'", refused(FLAGS, "--top-p", "1.5").getMessage());
    assertEquals("--ids: 'x' in '1,x' is not an integer; expected comma-separated integers such as 1,450,2",
        refused(FLAGS, "--ids", "1,x").getMessage());
    assertEquals("--greedy is a switch and takes no value; got 'yes' (write --greedy alone, or --greedy=false)",
        refused(FLAGS, "--greedy=yes").getMessage());
    Flag<String> device = Flag.of("device", "D", Flag.Type.oneOf("cpu", "gpu"), "where");
    assertEquals("--device: unknown value 'tpu'; expected one of cpu, gpu",
        refused(Flags.of(device), "--device", "tpu").getMessage());
    assertEquals("gpu", Flags.of(device).parse(List.of("--device", "GPU")).get(device));
  }

  @Test
  void aMissingRequiredFlagAndStrayWordsAreRefused() {
    assertEquals("missing required flag --model: add --model PATH (the model)", refused(FLAGS).getMessage());
    assertEquals("unexpected argument 'x'; this command takes only flags (quote a value that has spaces)",
        refused(FLAGS, "--model", "m", "x").getMessage());
    assertEquals("unexpected argument '-n'; flags start with two dashes (--n)",
        refused(FLAGS, "--model", "m", "-n").getMessage());
    Flags two = Flags.of().withPositionals(new Flags.Positional("IN", "in"), new Flags.Positional("OUT", "out"));
    assertEquals("expected IN OUT (2 words); got 1: 'a'", refused(two, "a").getMessage());
    assertEquals(List.of("a", "--b"), two.parse(List.of("a", "--", "--b")).positional(), "-- ends the flags");
  }

  @Test
  void readingAFlagTheCommandDidNotDeclareIsAProgrammingError() {
    Args a = FLAGS.parse(List.of("--model", "m"));
    Flag<Integer> other = Flag.of("batch-size", "B", Flag.Type.INT, "rows").withDefault(32);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.get(other));
    assertEquals("--batch-size is read but not declared by this command; add it to its Flags", e.getMessage());
    assertThrows(IllegalStateException.class, () -> a.has(other));
    assertThrows(IllegalStateException.class, () -> a.strings("batch-size"));
    Flag<Integer> lookalike = Flag.of("max-tokens", "N", Flag.Type.INT, "another meaning").withDefault(1);
    assertThrows(IllegalStateException.class, () -> a.get(lookalike), "same name, other meaning");
  }

  @Test
  void aDeclarationRefusesDuplicatesHelpAndSwitchesThatTakeValuesElsewhere() {
    assertThrows(IllegalArgumentException.class, () -> Flags.of(GREEDY).with(Flags.Group.of("g", GREEDY)));
    assertThrows(IllegalArgumentException.class, () -> Flags.of(Flag.toggle("help", "no")));
    Flags a = Flags.of(Flag.toggle("x", "a switch"));
    Flags b = Flags.of(Flag.of("x", "V", Flag.Type.TEXT, "a value"));
    assertThrows(IllegalArgumentException.class, () -> Flags.ofSubcommands("thing",
        List.of(new Flags.Subcommand("a", "a", a), new Flags.Subcommand("b", "b", b))));
    assertThrows(IllegalArgumentException.class, () -> Flag.of("Top_P", "P", Flag.Type.NUMBER, "not kebab-case"));
  }

  @Test
  void groupVariantsChangeDefaultsAndRequirementsNeverMeaning() {
    Flag<String> device = Flag.of("device", "D", Flag.Type.TEXT, "where").withDefault("cpu");
    Flags.Group group = Flags.Group.of("model and device", MODEL, device);
    Flags.Group pilot = group.defaulting(MODEL, Path.of("default.gguf"));
    assertTrue(pilot.flags().get(0).sameMeaning(MODEL));
    assertFalse(pilot.flags().get(0).required());
    assertEquals(Path.of("default.gguf"), Flags.of().with(pilot).parse(List.of()).get(MODEL));
    Flags.Group check = group.only(device).defaulting(device, "gpu");
    assertEquals(List.of("device"), check.flags().stream().map(Flag::name).toList());
    assertEquals("gpu", Flags.of().with(check).parse(List.of()).get(device));
    assertEquals(Optional.empty(), Flags.of().with(group.optional(MODEL)).parse(List.of()).optional(MODEL));
    assertThrows(IllegalArgumentException.class, () -> group.requiring(GREEDY));
  }

  @Test
  void subcommandsAreFoundBeforeOrAfterFlagsAndEachHasItsOwnFlags() {
    Flag<Boolean> bench = Flag.toggle("bench", "time it");
    Flag<Integer> steps = Flag.of("steps", "N", Flag.Type.INT.atLeast(1), "steps").withDefault(30);
    Flags flags = Flags.ofSubcommands("check", List.of(new Flags.Subcommand("smoke", "s", Flags.of(bench)),
        new Flags.Subcommand("sampling", "t", Flags.of(steps, bench))));
    Args a = flags.parse(List.of("--bench", "sampling", "--steps", "5"));
    assertEquals("sampling", a.subcommand());
    assertEquals(5, a.get(steps));
    assertTrue(a.get(bench));
    assertEquals(List.of(), a.positional());
    assertEquals("unknown flag --steps; known flags: --bench", refused(flags, "smoke", "--steps", "5").getMessage(),
        "another subcommand's flag is unknown here");
    assertEquals("unknown check 'smok'; known: smoke, sampling; did you mean smoke?",
        refused(flags, "smok").getMessage());
    assertEquals("expected one check name: smoke, sampling", refused(flags, "--bench").getMessage());
    assertEquals("check smoke", flags.resolve("check", List.of("--bench", "smoke")).name());
  }

  @Test
  void helpShowsEveryFlagWithItsDefaultUnderItsGroupAndTheRequiredOnesInTheSynopsis() {
    String help = FLAGS.withNotes("Prints text.").usage("demo");
    assertEquals(String.join("\n",
        "usage: sapling demo --model PATH [options]",
        "  --max-tokens N  new tokens at most (default 256)",
        "  --top-p P       nucleus",
        "  --greedy        argmax decoding",
        "  --stop STR      stop sequence (repeatable)",
        "  --ids LIST      token ids",
        "model:",
        "  --model PATH    the model (required)",
        "Prints text."), help);
  }

  @Test
  void helpWrapsLongTextsUnderTheirColumn() {
    Flag<String> wordy = Flag.of("wordy", "W", Flag.Type.TEXT, "word ".repeat(40).strip());
    List<String> lines = Flags.of(wordy).usage("demo").lines().toList();
    assertTrue(lines.size() > 2, String.join("\n", lines));
    for (String line : lines) {
      assertTrue(line.length() <= 116, line);
    }
    assertTrue(lines.get(2).startsWith("             word"), lines.get(2));
  }

  @Test
  void typesSayWhatTheyExpectFromTheirBounds() {
    assertEquals("an integer >= 1", Flag.Type.INT.atLeast(1).expected());
    assertEquals("a number in (0, 1]", Flag.Type.NUMBER.above(0).atMost(1).expected());
    assertEquals("a number in [0, 0.5]", Flag.Type.NUMBER.atLeast(0).atMost(0.5).expected());
    assertEquals("a number > 0", Flag.Type.NUMBER.above(0).expected());
    assertEquals("comma-separated integers >= 1", Flag.Type.INT_LIST.atLeast(1).expected());
    assertEquals("one of cpu, gpu", Flag.Type.oneOf("cpu", "gpu").expected());
    assertEquals("text that is not blank", Flag.Type.TEXT.notBlank().expected());
    assertThrows(IllegalStateException.class, () -> Flag.Type.PATH.atLeast(1));
    assertThrows(IllegalStateException.class, () -> Flag.Type.INT.nonEmpty());
  }

  @Test
  void typesRefuseWhatTheirBoundsExclude() {
    Flag<Double> t = Flag.of("temperature", "T", Flag.Type.NUMBER.atLeast(0), "t");
    Flags flags = Flags.of(t);
    assertEquals(0.0, flags.parse(List.of("--temperature", "0")).get(t));
    for (String bad : List.of("-0.1", "NaN", "Infinity", "")) {
      assertEquals("--temperature expects a number >= 0; got '" + bad + "'",
          refused(flags, "--temperature=" + bad).getMessage());
    }
    Flag<int[]> batches = Flag.of("batches", "LIST", Flag.Type.INT_LIST.atLeast(1), "b");
    assertEquals("--batches: '0' in '1,0' is out of range; expected comma-separated integers >= 1",
        refused(Flags.of(batches), "--batches", "1,0").getMessage());
    Flag<String> reason = Flag.of("force", "REASON", Flag.Type.TEXT.notBlank(), "why");
    assertEquals("--force expects text that is not blank; got ' '", refused(Flags.of(reason), "--force", " ")
        .getMessage());
    Flag<List<String>> only = Flag.of("only", "LIST", Flag.Type.someOf(List.of("a", "b")), "o");
    assertEquals(List.of("a", "b"), Flags.of(only).parse(List.of("--only", "A, b")).get(only));
    assertEquals("--only: unknown value 'c'; expected some of a, b", refused(Flags.of(only), "--only", "a,c")
        .getMessage());
  }
}
