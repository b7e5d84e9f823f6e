package dev.sapling.model.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapling.model.convert.GgufToHfConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert} then load gives the GGUF's logits (≤ 1e-5) and the GGUF tokenizer's ids, through HF tokenizers. */
class ConvertRoundTripTest {
  static final List<String> TEXTS = List.of("Once upon a time", "Hello, world!", " leading space", "trailing space ",
      "  two  spaces  ", "line one\nline two\n\nend", "tab\there", "Ünïcödé façade naïve", "日本語のテキスト",
      "Привет мир", "emoji 🙂🚀 and 👩‍👩‍👧", "", " ", "\n", "a <b> c", "a", "The End.");

  @TempDir
  static Path dir;
  static LoadedModel gguf;
  static LoadedModel hf;

  @BeforeAll
  static void load() throws Exception {
    Path out = dir.resolve("stories260K-hf");
    new GgufToHfConverter().convert(StoriesOracleTest.MODEL, out);
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "generation_config.json")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    gguf = new CleanModelLoader().load(StoriesOracleTest.MODEL);
    hf = new CleanModelLoader().load(out);
  }

  @AfterAll
  static void close() {
    gguf.close();
    hf.close();
  }

  @Test
  void sameLogitsAtEveryPosition() {
    int[] ids = gguf.promptIds("Once upon a time, there was a little girl named Lily. She loved to play.");
    float[] a = gguf.logits(ids, true);
    float[] b = hf.logits(ids, true);
    assertEquals(a.length, b.length);
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    assertTrue(max <= 1e-5f, "max abs diff " + max);
    assertEquals(gguf.manifest().configSha256(), hf.manifest().configSha256(), "same canonical config");
  }

  @Test
  void sameTokenIdsAndTextForEveryString() {
    for (String text : TEXTS) {
      int[] expected = gguf.tokenizer().encode(text);
      assertArrayEquals(expected, hf.tokenizer().encode(text), "ids of '" + text + "'");
      assertEquals(gguf.tokenizer().decode(expected), hf.tokenizer().decode(expected), "decode of '" + text + "'");
    }
    assertArrayEquals(gguf.promptIds("Once"), hf.promptIds("Once"), "both add BOS, explicitly");
  }

  /**
   * The one documented difference: like the sentencepiece library, Sapling's tokenizer encodes the text "<s>" as
   * ordinary characters, while Hugging Face tokenizers matches added special tokens inside text (so does
   * LlamaTokenizerFast). Both agree on every other string, and neither inserts specials on its own.
   */
  @Test
  void specialTokenStringsInTextAreLiteralForSentencePieceAndSpecialForHf() {
    int[] spm = gguf.tokenizer().encode("<s>");
    int[] hfIds = hf.tokenizer().encode("<s>");
    assertTrue(spm.length > 1 && java.util.Arrays.stream(spm).noneMatch(id -> id == 1), "literal in SPM");
    assertArrayEquals(new int[] {1}, hfIds, "HF tokenizers matches the added token");
  }
}
