package dev.sapling.eval.ifeval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One nested class per instruction family; each type is checked on typical, edge and Unicode input. */
class InstructionsTest {
  private static boolean follows(String id, Map<String, ?> kwargs, String response) {
    return Instructions.create(id, kwargs).isFollowed(response);
  }

  @Test
  void buildsEveryKnownIdAndNamesAnUnknownOne() {
    for (String id : Instructions.IDS) {
      IfevalException missing = null;
      try {
        assertEquals(id, Instructions.create(id, Map.of()).id());
      } catch (IfevalException e) {
        missing = e;
      }
      if (missing != null) {
        assertTrue(missing.getMessage().startsWith(id + ": kwarg '"), missing.getMessage());
      }
    }
    IfevalException e = assertThrows(IfevalException.class, () -> Instructions.create("keywords:rhyme", Map.of()));
    assertTrue(e.getMessage().contains("unknown instruction id 'keywords:rhyme'"), e.getMessage());
  }

  @Test
  void treatsANullKwargAsMissing() {
    Map<String, Object> kwargs = new java.util.HashMap<>();
    kwargs.put("num_highlights", null);
    IfevalException e = assertThrows(IfevalException.class,
        () -> Instructions.create("detectable_format:number_highlighted_sections", kwargs));
    assertTrue(e.getMessage().contains("kwarg 'num_highlights' is missing"), e.getMessage());
  }

  @Test
  void rejectsKwargsOfTheWrongTypeOrRelation() {
    IfevalException e = assertThrows(IfevalException.class, () -> Instructions.create(
        "length_constraints:number_words", Map.of("num_words", "300", "relation", "at least")));
    assertTrue(e.getMessage().contains("kwarg 'num_words' must be an integer"), e.getMessage());
    e = assertThrows(IfevalException.class, () -> Instructions.create(
        "length_constraints:number_words", Map.of("num_words", 300, "relation", "at most")));
    assertTrue(e.getMessage().contains("relation 'at most' is not supported"), e.getMessage());
  }

  @Nested
  class Keywords {
    @Test
    void existenceNeedsEveryKeywordCaseInsensitivelyEvenInsideWords() {
      Map<String, ?> k = Map.of("keywords", List.of("river", "Boat"));
      assertTrue(follows("keywords:existence", k, "Rivers and BOATS."));
      assertFalse(follows("keywords:existence", k, "A river only."));
      assertFalse(follows("keywords:existence", k, ""));
      assertTrue(follows("keywords:existence", Map.of("keywords", List.of("café")), "Un CAFÉ, s'il vous plaît"));
    }

    @Test
    void frequencyCountsNonOverlappingCaseInsensitiveMatches() {
      Map<String, ?> atLeast = Map.of("keyword", "war", "frequency", 3, "relation", "at least");
      assertTrue(follows("keywords:frequency", atLeast, "War, warning, and software."));
      assertFalse(follows("keywords:frequency", atLeast, "War and peace."));
      Map<String, ?> less = Map.of("keyword", " the ", "frequency", 2, "relation", "less than");
      assertTrue(follows("keywords:frequency", less, "The end."));
      assertFalse(follows("keywords:frequency", less, "The other one."));
    }

    @Test
    void forbiddenWordsMatchOnlyWholeWords() {
      Map<String, ?> k = Map.of("forbidden_words", List.of("cat", "naïve"));
      assertTrue(follows("keywords:forbidden_words", k, "Concatenate the categories."));
      assertFalse(follows("keywords:forbidden_words", k, "The CAT sat."));
      assertFalse(follows("keywords:forbidden_words", k, "A naïve plan."));
      assertTrue(follows("keywords:forbidden_words", k, "naïveté"));
      assertTrue(follows("keywords:forbidden_words", k, ""));
    }

    @Test
    void letterFrequencyCountsTheLetterInEitherCase() {
      Map<String, ?> k = Map.of("letter", "q", "let_frequency", 3, "let_relation", "at least");
      assertTrue(follows("keywords:letter_frequency", k, "Quick quiet Quokka"));
      assertFalse(follows("keywords:letter_frequency", k, "Quick quiet"));
      Map<String, ?> less = Map.of("letter", "e", "let_frequency", 1, "let_relation", "less than");
      assertTrue(follows("keywords:letter_frequency", less, "A dog ran. Ça va? ÉÉ"));
      assertFalse(follows("keywords:letter_frequency", less, "ThE"));
    }

    @Test
    void letterFrequencyCountsANonLetterAsAskedUnlikeTheReference() {
      Map<String, ?> k = Map.of("letter", "#", "let_frequency", 2, "let_relation", "at least");
      assertTrue(follows("keywords:letter_frequency", k, "#one #two"));
      assertFalse(follows("keywords:letter_frequency", k, "#one"));
    }
  }

  @Nested
  class Language {
    @Test
    void responseLanguageDetectsTheLanguage() {
      Map<String, ?> de = Map.of("language", "de");
      assertTrue(follows("language:response_language", de,
          "Die Katze sitzt auf dem Dach und schaut den Vögeln beim Fliegen zu."));
      assertFalse(follows("language:response_language", de,
          "The cat sits on the roof and watches the birds fly by."));
      assertTrue(follows("language:response_language", Map.of("language", "hi"),
          "भारत एक विशाल देश है जिसकी संस्कृति बहुत पुरानी और समृद्ध है।"));
    }

    @Test
    void responseLanguagePassesTextWithNothingToDetect() {
      assertTrue(follows("language:response_language", Map.of("language", "ko"), "12345 !!! ..."));
    }
  }

  @Nested
  class Length {
    @Test
    void numberSentencesCountsPunktStyleSentences() {
      Map<String, ?> less = Map.of("num_sentences", 3, "relation", "less than");
      assertTrue(follows("length_constraints:number_sentences", less, "Dr. Smith came home. He slept."));
      assertFalse(follows("length_constraints:number_sentences", less, "One. Two! Three?"));
      Map<String, ?> atLeast = Map.of("num_sentences", 2, "relation", "at least");
      assertFalse(follows("length_constraints:number_sentences", atLeast, "Just one line with no stop"));
    }

    @Test
    void numberWordsCountsUnicodeWordRuns() {
      Map<String, ?> k = Map.of("num_words", 4, "relation", "at least");
      assertTrue(follows("length_constraints:number_words", k, "naïve café, don't"));
      assertFalse(follows("length_constraints:number_words", k, "**Three** words -- here!"));
      assertTrue(follows("length_constraints:number_words", Map.of("num_words", 1, "relation", "less than"), "..."));
    }

    @Test
    void numberParagraphsSplitsOnStarDividersToleratingEmptyEnds() {
      Map<String, ?> k = Map.of("num_paragraphs", 2);
      assertTrue(follows("length_constraints:number_paragraphs", k, "First.\n***\nSecond."));
      assertTrue(follows("length_constraints:number_paragraphs", k, "***\nFirst.\n***\nSecond.\n***"));
      assertFalse(follows("length_constraints:number_paragraphs", k, "First.\n***\n\n***\nSecond."));
      assertFalse(follows("length_constraints:number_paragraphs", k, "First.\n\nSecond."));
    }

    @Test
    void nthParagraphFirstWordComparesTheWordWithoutPunctuation() {
      Map<String, ?> k = Map.of("num_paragraphs", 3, "nth_paragraph", 2, "first_word", "however");
      assertTrue(follows("length_constraints:nth_paragraph_first_word", k, "One.\n\n\"However, two.\n\nThree."));
      assertFalse(follows("length_constraints:nth_paragraph_first_word", k, "One.\n\nBut two.\n\nThree."));
      assertFalse(follows("length_constraints:nth_paragraph_first_word", k, "One.\n\nHowever two."));
      assertFalse(follows("length_constraints:nth_paragraph_first_word", k, "**However** one.\n\nTwo.\n\nThree."));
    }
  }

  @Nested
  class Content {
    @Test
    void numberPlaceholdersCountsBracketsOnOneLine() {
      Map<String, ?> k = Map.of("num_placeholders", 2);
      assertTrue(follows("detectable_content:number_placeholders", k, "Dear [name], see [address]."));
      assertFalse(follows("detectable_content:number_placeholders", k, "Dear [name\n], see [address]."));
      assertTrue(follows("detectable_content:number_placeholders", Map.of("num_placeholders", 1), "[名前]"));
    }

    @Test
    void postscriptFindsTheMarkerAnywhereIgnoringCase() {
      Map<String, ?> ps = Map.of("postscript_marker", "P.S.");
      assertTrue(follows("detectable_content:postscript", ps, "Thanks.\n\np. s. bring snacks"));
      assertTrue(follows("detectable_content:postscript", ps, "Thanks.\nP.S. bring snacks"));
      assertFalse(follows("detectable_content:postscript", ps, "Thanks. PS bring snacks"));
      Map<String, ?> pps = Map.of("postscript_marker", "P.P.S");
      assertTrue(follows("detectable_content:postscript", pps, "Bye.\nP.P.S. one more"));
      assertFalse(follows("detectable_content:postscript", pps, "Bye.\nP.S. one more"));
    }
  }

  @Nested
  class Format {
    @Test
    void bulletListsCountStarAndDashItemsExactly() {
      Map<String, ?> k = Map.of("num_bullets", 3);
      assertTrue(follows("detectable_format:number_bullet_lists", k, "Intro:\n* one\n* two\n- three"));
      assertFalse(follows("detectable_format:number_bullet_lists", k, "* one\n* two"));
      assertFalse(follows("detectable_format:number_bullet_lists", k, "**Bold** line\n* one\n* two"));
      assertTrue(follows("detectable_format:number_bullet_lists", Map.of("num_bullets", 0), "No lists here."));
    }

    @Test
    void constrainedResponseNeedsOneOfTheThreePhrases() {
      assertTrue(follows("detectable_format:constrained_response", Map.of(), "My answer is maybe."));
      assertTrue(follows("detectable_format:constrained_response", Map.of(), "Well... My answer is no. Sorry"));
      assertFalse(follows("detectable_format:constrained_response", Map.of(), "my answer is yes."));
    }

    @Test
    void highlightedSectionsCountItalicAndBoldSpansWithText() {
      Map<String, ?> k = Map.of("num_highlights", 2);
      assertTrue(follows("detectable_format:number_highlighted_sections", k, "*one* and *two*"));
      assertFalse(follows("detectable_format:number_highlighted_sections", k, "**bold** alone counts once"));
      assertTrue(follows("detectable_format:number_highlighted_sections", k, "*é* and **ü**"));
      assertFalse(follows("detectable_format:number_highlighted_sections", k, "*one* and ** and *\n*"));
    }

    @Test
    void multipleSectionsCountsNumberedHeaders() {
      Map<String, ?> k = Map.of("section_spliter", "Section", "num_sections", 2);
      assertTrue(follows("detectable_format:multiple_sections", k, "Section 1\nIntro\nSection 2\nBody"));
      assertFalse(follows("detectable_format:multiple_sections", k, "Section 1\nIntro\nSECTION 2\nBody"));
      assertFalse(follows("detectable_format:multiple_sections", k, "Section one\nSection two"));
    }

    @Test
    void jsonFormatAcceptsPlainOrFencedJsonOnly() {
      assertTrue(follows("detectable_format:json_format", Map.of(), "{\"a\": [1, 2], \"é\": null}"));
      assertTrue(follows("detectable_format:json_format", Map.of(), "```json\n{\"a\": 1}\n```"));
      assertTrue(follows("detectable_format:json_format", Map.of(), "```JSON\n[1, NaN]\n```  "));
      assertTrue(follows("detectable_format:json_format", Map.of(), "```\n\"text\"\n```"));
      assertFalse(follows("detectable_format:json_format", Map.of(), "Here it is: {\"a\": 1}"));
      assertFalse(follows("detectable_format:json_format", Map.of(), "{\"a\": 1} trailing"));
      assertFalse(follows("detectable_format:json_format", Map.of(), "{'a': 1}"));
      assertFalse(follows("detectable_format:json_format", Map.of(), "```json\n```"));
    }

    @Test
    void titleNeedsNonBlankDoubleAngularBrackets() {
      assertTrue(follows("detectable_format:title", Map.of(), "<<Poème d'été>>\nText"));
      assertFalse(follows("detectable_format:title", Map.of(), "<< >> and <<\n>>"));
      assertFalse(follows("detectable_format:title", Map.of(), "<Title>"));
    }
  }

  @Nested
  class Combination {
    @Test
    void twoResponsesNeedTwoDifferentNonBlankParts() {
      assertTrue(follows("combination:two_responses", Map.of(), "Answer A.\n******\nAnswer B."));
      assertTrue(follows("combination:two_responses", Map.of(), "******\nA\n******\nB\n******"));
      assertFalse(follows("combination:two_responses", Map.of(), "Same\n******\nSame "));
      assertFalse(follows("combination:two_responses", Map.of(), "A\n******\n\n******\nB"));
      assertFalse(follows("combination:two_responses", Map.of(), "A\n*****\nB"));
    }

    @Test
    void repeatPromptNeedsTheRequestFirstIgnoringCase() {
      Map<String, ?> k = Map.of("prompt_to_repeat", "Write a haiku about rain. ");
      assertTrue(follows("combination:repeat_prompt", k, "  write a HAIKU about rain.\nRain falls..."));
      assertFalse(follows("combination:repeat_prompt", k, "Sure! Write a haiku about rain."));
    }
  }

  @Nested
  class StartEnd {
    @Test
    void endCheckerIgnoresCaseWhitespaceAndOuterQuotes() {
      Map<String, ?> k = Map.of("end_phrase", "Any other questions?");
      assertTrue(follows("startend:end_checker", k, "\"Done. any other questions?\"\n"));
      assertFalse(follows("startend:end_checker", k, "Done. Any other questions?!"));
    }

    @Test
    void quotationNeedsDoubleQuotesAroundTheWholeAnswer() {
      assertTrue(follows("startend:quotation", Map.of(), "  \"Hello, world\"\n"));
      assertFalse(follows("startend:quotation", Map.of(), "\""));
      assertFalse(follows("startend:quotation", Map.of(), "“Curly quotes”"));
    }
  }

  @Nested
  class ChangeCase {
    @Test
    void capitalWordFrequencyCountsAllCapsTokensIncludingContractionParts() {
      Map<String, ?> atLeast = Map.of("capital_frequency", 4, "capital_relation", "at least");
      assertTrue(follows("change_case:capital_word_frequency", atLeast, "I DON'T like NASA."));
      assertFalse(follows("change_case:capital_word_frequency", atLeast, "I don't like NASA."));
      Map<String, ?> less = Map.of("capital_frequency", 2, "capital_relation", "less than");
      assertTrue(follows("change_case:capital_word_frequency", less, "The U.S. is big; 42 is a number."));
      assertFalse(follows("change_case:capital_word_frequency", less, "ÉCOLE and ÜBER"));
    }

    @Test
    void englishCapitalNeedsAllCapsEnglish() {
      assertTrue(follows("change_case:english_capital", Map.of(),
          "THIS IS THE ANSWER TO YOUR QUESTION ABOUT THE WEATHER TODAY."));
      assertFalse(follows("change_case:english_capital", Map.of(), "THIS IS Almost ALL CAPS."));
      assertFalse(follows("change_case:english_capital", Map.of(),
          "DAS IST DIE ANTWORT AUF IHRE FRAGE ÜBER DAS WETTER HEUTE."));
    }

    @Test
    void englishLowercaseNeedsAllLowercaseEnglish() {
      assertTrue(follows("change_case:english_lowercase", Map.of(),
          "this is the answer to your question about the weather today."));
      assertFalse(follows("change_case:english_lowercase", Map.of(), "this is the answer, I think."));
      assertFalse(follows("change_case:english_lowercase", Map.of(), "12345"));
    }
  }

  @Nested
  class Punctuation {
    @Test
    void noCommaRejectsOnlyTheAsciiComma() {
      assertTrue(follows("punctuation:no_comma", Map.of(), "One. Two; three、四，five"));
      assertFalse(follows("punctuation:no_comma", Map.of(), "One, two"));
    }
  }
}
