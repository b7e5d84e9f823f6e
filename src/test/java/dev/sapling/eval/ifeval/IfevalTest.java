package dev.sapling.eval.ifeval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IfevalTest {
  /** Typical kwargs for every instruction type. */
  private static final Map<String, Map<String, ?>> SAMPLE_KWARGS = Map.ofEntries(
      Map.entry("keywords:existence", Map.of("keywords", List.of("a"))),
      Map.entry("keywords:frequency", Map.of("keyword", "a", "frequency", 1, "relation", "less than")),
      Map.entry("keywords:forbidden_words", Map.of("forbidden_words", List.of("a"))),
      Map.entry("keywords:letter_frequency", Map.of("letter", "a", "let_frequency", 1, "let_relation", "less than")),
      Map.entry("language:response_language", Map.of("language", "en")),
      Map.entry("length_constraints:number_sentences", Map.of("num_sentences", 1, "relation", "less than")),
      Map.entry("length_constraints:number_paragraphs", Map.of("num_paragraphs", 0)),
      Map.entry("length_constraints:number_words", Map.of("num_words", 1, "relation", "less than")),
      Map.entry("length_constraints:nth_paragraph_first_word",
          Map.of("num_paragraphs", 1, "nth_paragraph", 1, "first_word", "a")),
      Map.entry("detectable_content:number_placeholders", Map.of("num_placeholders", 0)),
      Map.entry("detectable_content:postscript", Map.of("postscript_marker", "P.S.")),
      Map.entry("detectable_format:number_bullet_lists", Map.of("num_bullets", 0)),
      Map.entry("detectable_format:constrained_response", Map.of()),
      Map.entry("detectable_format:number_highlighted_sections", Map.of("num_highlights", 0)),
      Map.entry("detectable_format:multiple_sections", Map.of("section_spliter", "Section", "num_sections", 0)),
      Map.entry("detectable_format:json_format", Map.of()),
      Map.entry("detectable_format:title", Map.of()),
      Map.entry("combination:two_responses", Map.of()),
      Map.entry("combination:repeat_prompt", Map.of("prompt_to_repeat", "")),
      Map.entry("startend:end_checker", Map.of("end_phrase", "")),
      Map.entry("startend:quotation", Map.of()),
      Map.entry("change_case:capital_word_frequency", Map.of("capital_frequency", 1, "capital_relation", "less than")),
      Map.entry("change_case:english_capital", Map.of()),
      Map.entry("change_case:english_lowercase", Map.of()),
      Map.entry("punctuation:no_comma", Map.of()));

  private static IfevalPrompt prompt(String id, Map<String, ?> kwargs) {
    @SuppressWarnings("unchecked")
    Map<String, Object> k = (Map<String, Object>) kwargs;
    return new IfevalPrompt(1, "p", List.of(id), List.of(k));
  }

  @Test
  void anEmptyResponseFollowsNoInstructionInEitherModeEvenWhereTheCheckAloneWouldPass() {
    assertEquals(Instructions.IDS.size(), SAMPLE_KWARGS.size());
    int passAlone = 0;
    for (String id : Instructions.IDS) {
      IfevalPrompt p = prompt(id, SAMPLE_KWARGS.get(id));
      passAlone += p.instructions().get(0).isFollowed("") ? 1 : 0;
      for (IfevalMode mode : IfevalMode.values()) {
        IfevalResult r = Ifeval.evaluate(p, "", mode);
        assertEquals(List.of(false), r.followInstructionList(), id + " " + mode);
        assertFalse(r.followAllInstructions());
      }
    }
    // The checks themselves are lenient on "" (no commas, zero placeholders, ...): the blank rule is what decides.
    assertEquals(15, passAlone);
  }

  @Test
  void looseModeForgivesAnIntroLineBeforeFencedJson() {
    IfevalPrompt p = prompt("detectable_format:json_format", Map.of());
    String response = "Sure! Here is the JSON:\n```json\n{\"name\": \"Zoë\", \"tags\": [\"a\", \"b\"]}\n```";
    assertEquals(List.of(false), Ifeval.evaluate(p, response, IfevalMode.STRICT).followInstructionList());
    assertEquals(List.of(true), Ifeval.evaluate(p, response, IfevalMode.LOOSE).followInstructionList());
  }

  @Test
  void looseModeForgivesMarkdownEmphasis() {
    IfevalPrompt p = prompt("length_constraints:nth_paragraph_first_word",
        Map.of("num_paragraphs", 2, "nth_paragraph", 2, "first_word", "summary"));
    String response = "Intro text.\n\n**Summary**, all done.";
    assertEquals(List.of(false), Ifeval.evaluate(p, response, IfevalMode.STRICT).followInstructionList());
    assertEquals(List.of(true), Ifeval.evaluate(p, response, IfevalMode.LOOSE).followInstructionList());
  }

  @Test
  void looseModeForgivesAClosingRemarkAfterTheRequiredEnding() {
    IfevalPrompt p = prompt("startend:end_checker", Map.of("end_phrase", "Peace out."));
    String response = "Bye for now. Peace out.\nLet me know if you need more!";
    assertEquals(List.of(false), Ifeval.evaluate(p, response, IfevalMode.STRICT).followInstructionList());
    assertEquals(List.of(true), Ifeval.evaluate(p, response, IfevalMode.LOOSE).followInstructionList());
  }
}
