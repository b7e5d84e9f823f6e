package dev.sapling.eval.ifeval;

import java.util.List;
import java.util.Map;

/**
 * Builds an {@link Instruction} from its IFEval id and kwargs: the registry of all 25 instruction types.
 *
 * <pre>{@code
 * Instruction i = Instructions.create("length_constraints:number_words",
 *     Map.of("num_words", 300, "relation", "less than"));
 * }</pre>
 */
public final class Instructions {
  private Instructions() {}

  /** Every supported instruction id, in the reference's order of families. */
  public static final List<String> IDS = List.of(
      "keywords:existence", "keywords:frequency", "keywords:forbidden_words", "keywords:letter_frequency",
      "language:response_language",
      "length_constraints:number_sentences", "length_constraints:number_paragraphs",
      "length_constraints:number_words", "length_constraints:nth_paragraph_first_word",
      "detectable_content:number_placeholders", "detectable_content:postscript",
      "detectable_format:number_bullet_lists", "detectable_format:constrained_response",
      "detectable_format:number_highlighted_sections", "detectable_format:multiple_sections",
      "detectable_format:json_format", "detectable_format:title",
      "combination:two_responses", "combination:repeat_prompt",
      "startend:end_checker", "startend:quotation",
      "change_case:capital_word_frequency", "change_case:english_capital", "change_case:english_lowercase",
      "punctuation:no_comma");

  /** The instruction {@code id} bound to {@code kwargs}; an unknown id or a missing kwarg is an error naming it. */
  public static Instruction create(String id, Map<String, ?> kwargs) {
    Kwargs k = new Kwargs(id, kwargs);
    return switch (id) {
      case "keywords:existence" -> new KeywordInstructions.Existence(k.strings("keywords"));
      case "keywords:frequency" ->
          new KeywordInstructions.Frequency(k.string("keyword"), k.integer("frequency"), k.relation("relation"));
      case "keywords:forbidden_words" -> new KeywordInstructions.ForbiddenWords(k.strings("forbidden_words"));
      case "keywords:letter_frequency" -> new KeywordInstructions.LetterFrequency(k.string("letter"),
          k.integer("let_frequency"), k.relation("let_relation"));
      case "language:response_language" -> new LanguageInstructions.ResponseLanguage(k.string("language"));
      case "length_constraints:number_sentences" ->
          new LengthInstructions.NumberSentences(k.integer("num_sentences"), k.relation("relation"));
      case "length_constraints:number_paragraphs" ->
          new LengthInstructions.NumberParagraphs(k.integer("num_paragraphs"));
      case "length_constraints:number_words" ->
          new LengthInstructions.NumberWords(k.integer("num_words"), k.relation("relation"));
      case "length_constraints:nth_paragraph_first_word" -> new LengthInstructions.NthParagraphFirstWord(
          k.integer("num_paragraphs"), k.integer("nth_paragraph"), k.string("first_word"));
      case "detectable_content:number_placeholders" ->
          new ContentInstructions.NumberPlaceholders(k.integer("num_placeholders"));
      case "detectable_content:postscript" -> new ContentInstructions.Postscript(k.string("postscript_marker"));
      case "detectable_format:number_bullet_lists" -> new FormatInstructions.NumberBulletLists(k.integer("num_bullets"));
      case "detectable_format:constrained_response" -> new FormatInstructions.ConstrainedResponse();
      case "detectable_format:number_highlighted_sections" ->
          new FormatInstructions.NumberHighlightedSections(k.integer("num_highlights"));
      case "detectable_format:multiple_sections" ->
          new FormatInstructions.MultipleSections(k.string("section_spliter"), k.integer("num_sections"));
      case "detectable_format:json_format" -> new FormatInstructions.JsonFormat();
      case "detectable_format:title" -> new FormatInstructions.Title();
      case "combination:two_responses" -> new CombinationInstructions.TwoResponses();
      case "combination:repeat_prompt" -> new CombinationInstructions.RepeatPrompt(k.string("prompt_to_repeat"));
      case "startend:end_checker" -> new StartEndInstructions.EndChecker(k.string("end_phrase"));
      case "startend:quotation" -> new StartEndInstructions.Quotation();
      case "change_case:capital_word_frequency" -> new CaseInstructions.CapitalWordFrequency(
          k.integer("capital_frequency"), k.relation("capital_relation"));
      case "change_case:english_capital" -> new CaseInstructions.EnglishCapital();
      case "change_case:english_lowercase" -> new CaseInstructions.EnglishLowercase();
      case "punctuation:no_comma" -> new PunctuationInstructions.NoComma();
      default -> throw new IfevalException("unknown instruction id '" + id + "'; known ids: " + String.join(", ", IDS));
    };
  }
}
