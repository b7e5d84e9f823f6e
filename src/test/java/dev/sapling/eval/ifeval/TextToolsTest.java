package dev.sapling.eval.ifeval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Python string semantics, sentence splitting, word tokens and language detection used by the checks. */
class TextToolsTest {
  @Test
  void stripsAndSplitsOnPythonWhitespaceIncludingNoBreakSpace() {
    assertEquals("a b", PyText.strip("\u00a0\u3000 a b\n\u2029"));
    assertEquals(List.of("a", "b"), PyText.splitWhitespace("\u00a0a\u2003b "));
    assertEquals(List.of("", "a", ""), PyText.split("**a**", "**"));
    assertEquals("x", PyText.strip("<<x>>", "<>"));
  }

  @Test
  void upperAndLowerNeedACasedCharacter() {
    assertTrue(PyText.isUpper("ÉTÉ 2024!"));
    assertFalse(PyText.isUpper("123"));
    assertFalse(PyText.isUpper("ǅ"));
    assertTrue(PyText.isLower("straße 3"));
    assertFalse(PyText.isLower("日本"));
  }

  @Test
  void splitsSentencesAtStopsButNotAfterAbbreviationsOrDecimals() {
    assertEquals(List.of("Mr. Smith paid $3.50 at 5 p.m. today.", "Then he left!", "Why?"),
        SentenceSplitter.split("Mr. Smith paid $3.50 at 5 p.m. today. Then he left! Why?  "));
    assertEquals(List.of("He said \"stop.\"", "Then silence."), SentenceSplitter.split("He said \"stop.\" Then silence."));
    assertEquals(List.of("Really?!", "Yes..."), SentenceSplitter.split("Really?! Yes..."));
    assertEquals(List.of("Fruits, e.g. apples, are good."), SentenceSplitter.split("Fruits, e.g. apples, are good."));
    assertEquals(List.of("Pens, ink, etc. and paper.", "The end."),
        SentenceSplitter.split("Pens, ink, etc. and paper. The end."));
    assertEquals(List.of("Pens, ink, etc.", "The end."), SentenceSplitter.split("Pens, ink, etc. The end."));
    assertEquals(List.of("J. R. R. Tolkien wrote it.", "Done."), SentenceSplitter.split("J. R. R. Tolkien wrote it. Done."));
    assertEquals(List.of("It was plan B.", "The rest failed."), SentenceSplitter.split("It was plan B. The rest failed."));
    assertEquals(List.of("My answer is no.", "Dogs cannot fly."), SentenceSplitter.split("My answer is no. Dogs cannot fly."));
    assertEquals(0, SentenceSplitter.count(""));
    assertEquals(1, SentenceSplitter.count("* a bullet\n* another bullet"));
  }

  @Test
  void splitsNumberedListItemsBeforeCapitalizedWordsAsPunktDoes() {
    assertEquals(List.of("1.", "Apples.", "2.", "Pears."), SentenceSplitter.split("1. Apples. 2. Pears."));
    assertEquals(List.of("Chapter 1. this continues."), SentenceSplitter.split("Chapter 1. this continues."));
  }

  @Test
  void countsWordsAsRunsOfUnicodeWordCharacters() {
    assertEquals(4, Words.count("Don't stop-now!"));
    assertEquals(3, Words.count("über_alles 2024 日本語"));
    assertEquals(0, Words.count("*** -- !!"));
  }

  @Test
  void tokenizesTreebankStyle() {
    assertEquals(List.of("I", "DO", "N'T", "know", ",", "OK", "?"), Words.tokens("I DON'T know, OK?"));
    assertEquals(List.of("CAN", "NOT", "USA", "'s", "(", "x", ")"), Words.tokens("CANNOT USA's (x)"));
    assertEquals(3, Words.countCapitalized("The USA, UK and EU."));
  }

  @Test
  void detectsLanguagesDeterministically() {
    assertEquals(Optional.of("en"), LanguageDetector.detect("The quick brown fox jumps over the lazy dog."));
    assertEquals(Optional.of("fr"), LanguageDetector.detect("Le renard brun rapide saute par-dessus le chien."));
    assertEquals(Optional.of("ja"), LanguageDetector.detect("今日はとても良い天気ですね。"));
    assertEquals(Optional.empty(), LanguageDetector.detect(""));
  }
}
