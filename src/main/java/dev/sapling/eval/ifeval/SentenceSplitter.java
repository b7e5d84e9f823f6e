package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * English sentence splitting in the manner of the Punkt algorithm (Kiss and Strunk, 2006) that the reference IFEval
 * counts sentences with: a break is proposed at every {@code .}, {@code ?} or {@code !} followed by whitespace and a
 * token (or by punctuation), and kept unless the word before it is a known abbreviation, an initial or a number
 * followed by a lowercase word. The abbreviation and sentence-starter lists are written for Sapling; Punkt's trained
 * English parameters are not bundled, so rare abbreviations can split differently (see docs/ifeval.md).
 *
 * <pre>{@code
 * SentenceSplitter.split("Dr. Smith arrived. He sat down!");   // ["Dr. Smith arrived.", "He sat down!"]
 * }</pre>
 */
public final class SentenceSplitter {
  private SentenceSplitter() {}

  private static final String NON_WORD = "[)\";}\\]*:@'({\\[!?]";
  private static final String MULTI_CHAR = "(?:-{2,}|\\.{2,}|(?:\\." + PyText.SPACE + "){2,}\\.)";
  private static final String WORD_START = "[^(\"`{\\[:;&#*@)}\\]\\-,]";

  /** One word token of Punkt: a multi-character punctuation, a word up to its ending punctuation, or one symbol. */
  private static final Pattern WORD_TOKEN = Pattern.compile(
      MULTI_CHAR
          + "|(?=" + WORD_START + ")" + PyText.NOT_SPACE + "+?"
          + "(?=" + PyText.SPACE + "|$|" + NON_WORD + "|" + MULTI_CHAR
          + "|,(?=$|" + PyText.SPACE + "|" + NON_WORD + "|" + MULTI_CHAR + "))"
          + "|" + PyText.NOT_SPACE,
      Pattern.UNIX_LINES);

  /** A potential sentence end, looking ahead at the punctuation or the token after it. */
  private static final Pattern PERIOD_CONTEXT = Pattern.compile(
      "[.?!](?=(?<after>" + NON_WORD + "|" + PyText.SPACE + "+(?<next>" + PyText.NOT_SPACE + "+)))",
      Pattern.UNIX_LINES);

  private static final Pattern NUMBER = Pattern.compile("-?[.,]?\\p{Nd}[\\p{Nd},.\\-]*\\.?");
  private static final Pattern INITIAL = Pattern.compile("[\\p{L}\\p{Nl}\\p{No}_]\\.");
  private static final Pattern ELLIPSIS = Pattern.compile("\\.\\.+");
  private static final Pattern BOUNDARY_REALIGNMENT =
      Pattern.compile("[\"')\\]}]+?(?:" + PyText.SPACE + "+|(?=--)|$)", Pattern.MULTILINE | Pattern.UNIX_LINES);

  /**
   * Lowercased abbreviations, without their final period, that do not end a sentence. Abbreviations that are also
   * common English words at the end of a sentence ("no", "ill", "miss", "wash", "sat", ...) are left out on purpose:
   * wrongly joining two sentences is the worse error for a sentence count.
   */
  static final Set<String> ABBREVIATIONS = Set.of(
      "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "vs", "etc", "e.g", "i.e", "cf", "al", "viz",
      "inc", "ltd", "co", "corp", "bros", "plc", "l.p", "s.a", "n.v", "a.g", "cie", "assn", "assoc", "univ", "dept",
      "dist", "natl", "int'l", "gov't", "u.s", "u.k", "u.n", "u.s.a", "d.c", "n.y", "l.a", "a.m", "p.m", "ca",
      "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
      "gen", "gov", "sen", "rev", "lt", "col", "capt", "sgt", "maj", "adm", "cmdr", "hon", "pres", "supt", "esq",
      "messrs", "mme", "mlle", "ph.d", "m.d", "b.a", "m.a", "b.s", "m.s",
      "fig", "figs", "approx", "vol", "vols", "pp", "eds", "nos", "seq",
      "ave", "blvd", "rd", "calif", "conn", "ariz", "colo", "fla", "kan", "ky", "mich", "minn", "neb", "nev", "okla",
      "tenn", "tex", "wis", "wyo");

  /** Lowercased words that, capitalized after an abbreviation, still start a new sentence. */
  static final Set<String> SENTENCE_STARTERS = Set.of(
      "the", "a", "an", "in", "it", "he", "she", "they", "we", "i", "you", "this", "that", "these", "those", "there",
      "but", "and", "or", "so", "yet", "if", "when", "while", "after", "before", "although", "though", "as", "at",
      "on", "for", "with", "by", "from", "to", "of", "his", "her", "its", "their", "our", "my", "your", "however",
      "also", "thus", "then", "now", "today", "meanwhile", "moreover", "furthermore", "finally", "each", "all",
      "some", "many", "most", "one", "what", "why", "how", "where", "which", "who", "since", "because", "not", "no",
      "there's", "it's", "here", "let", "please", "do", "is", "are", "was", "were", "will", "can", "should");

  /** Number of sentences in {@code text}, as the reference's {@code count_sentences} counts them. */
  public static int count(String text) {
    return split(text).size();
  }

  /** The sentences of {@code text}, each without surrounding whitespace; empty for blank text. */
  public static List<String> split(String text) {
    List<int[]> slices = realign(text, slices(text));
    List<String> out = new ArrayList<>();
    for (int[] s : slices) {
      out.add(text.substring(s[0], s[1]));
    }
    return out;
  }

  private static List<int[]> slices(String text) {
    List<int[]> out = new ArrayList<>();
    int lastBreak = 0;
    for (Candidate c : candidates(text)) {
      if (containsBreak(c.context)) {
        out.add(new int[] {lastBreak, c.end});
        lastBreak = c.nextTokenStart >= 0 ? c.nextTokenStart : c.end;
      }
    }
    out.add(new int[] {lastBreak, Math.max(lastBreak, PyText.rstrip(text).length())});
    return out;
  }

  private record Candidate(int end, int nextTokenStart, String context) {}

  /**
   * Potential sentence ends with their context: the word before the end character, the character, and what follows.
   * Adjacent ends (as in {@code ?!} or {@code ...}) collapse into the last one.
   */
  private static List<Candidate> candidates(String text) {
    List<Candidate> out = new ArrayList<>();
    int prevStart = 0;
    int prevStop = 0;
    Candidate previous = null;
    Matcher m = PERIOD_CONTEXT.matcher(text);
    while (m.find()) {
      String before = text.substring(prevStop, m.start());
      int lastSpace = lastWhitespaceIndex(before);
      int wordStart = lastSpace != 0 ? lastSpace + prevStop + 1 : prevStart;
      if (previous != null && prevStop <= wordStart) {
        out.add(previous);
      }
      String context = text.substring(wordStart, m.start()) + m.group() + m.group("after");
      previous = new Candidate(m.end(), m.group("next") != null ? m.start("next") : -1, context);
      prevStart = wordStart;
      prevStop = m.start();
    }
    if (previous != null) {
      out.add(previous);
    }
    return out;
  }

  /** Index of the last ASCII whitespace in {@code s}, or 0 when there is none (sic: as the reference). */
  private static int lastWhitespaceIndex(String s) {
    for (int i = s.length() - 1; i >= 0; i--) {
      if (" \t\n\r\u000B\f".indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return 0;
  }

  private static final class Token {
    final String tok;
    final String type;
    boolean sentbreak;
    boolean abbr;
    boolean ellipsis;

    Token(String tok) {
      this.tok = tok;
      String lower = PyText.lower(tok);
      this.type = NUMBER.matcher(lower).matches() ? "##number##" : lower;
    }

    boolean periodFinal() {
      return tok.endsWith(".");
    }

    String typeNoPeriod() {
      return type.length() > 1 && type.endsWith(".") ? type.substring(0, type.length() - 1) : type;
    }

    String typeNoSentPeriod() {
      return sentbreak ? typeNoPeriod() : type;
    }

    boolean firstUpper() {
      return Character.isUpperCase(tok.codePointAt(0));
    }

    boolean firstLower() {
      return Character.isLowerCase(tok.codePointAt(0));
    }
  }

  /** Whether the context holds a sentence break before its last token. */
  private static boolean containsBreak(String context) {
    List<Token> tokens = new ArrayList<>();
    for (String line : PyText.split(context, "\n")) {
      if (PyText.strip(line).isEmpty()) {
        continue;
      }
      Matcher m = WORD_TOKEN.matcher(line);
      while (m.find()) {
        tokens.add(new Token(m.group()));
      }
    }
    for (Token t : tokens) {
      firstPass(t);
    }
    for (int i = 0; i < tokens.size(); i++) {
      secondPass(tokens.get(i), i + 1 < tokens.size() ? tokens.get(i + 1) : null);
    }
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).sentbreak) {
        return true;
      }
    }
    return false;
  }

  private static void firstPass(Token t) {
    String tok = t.tok;
    if (tok.equals(".") || tok.equals("?") || tok.equals("!")) {
      t.sentbreak = true;
    } else if (ELLIPSIS.matcher(tok).matches()) {
      t.ellipsis = true;
    } else if (t.periodFinal() && !tok.endsWith("..")) {
      String stem = PyText.lower(tok.substring(0, tok.length() - 1));
      String lastPart = stem.substring(stem.lastIndexOf('-') + 1);
      if (ABBREVIATIONS.contains(stem) || ABBREVIATIONS.contains(lastPart)) {
        t.abbr = true;
      } else {
        t.sentbreak = true;
      }
    }
  }

  /** Punkt's orthographic heuristic, without trained casing statistics: a lowercase next word never starts one. */
  private static Boolean startsSentence(Token next) {
    if (next.tok.length() == 1 && ";:,.!?".indexOf(next.tok.charAt(0)) >= 0) {
      return false;
    }
    if (next.firstLower()) {
      return false;
    }
    return null;
  }

  private static void secondPass(Token t, Token next) {
    if (next == null || !t.periodFinal()) {
      return;
    }
    String typ = t.typeNoPeriod();
    String nextTyp = next.typeNoSentPeriod();
    boolean initial = INITIAL.matcher(t.tok).matches();
    if ((t.abbr || t.ellipsis) && !initial) {
      Boolean starter = startsSentence(next);
      if (Boolean.TRUE.equals(starter) || (next.firstUpper() && SENTENCE_STARTERS.contains(nextTyp))) {
        t.sentbreak = true;
        return;
      }
    }
    if (initial || typ.equals("##number##")) {
      Boolean starter = startsSentence(next);
      if (Boolean.FALSE.equals(starter)) {
        t.sentbreak = false;
        t.abbr = true;
        return;
      }
      // An initial before a capitalized word that is not a common lowercase word is taken as part of a name.
      if (starter == null && initial && next.firstUpper() && !SENTENCE_STARTERS.contains(nextTyp)) {
        t.sentbreak = false;
        t.abbr = true;
      }
    }
  }

  /** Moves closing quotes and brackets that open the next slice back to the end of the sentence they close. */
  private static List<int[]> realign(String text, List<int[]> slices) {
    List<int[]> out = new ArrayList<>();
    int realign = 0;
    for (int i = 0; i < slices.size(); i++) {
      int[] s1 = {slices.get(i)[0] + realign, slices.get(i)[1]};
      if (i + 1 == slices.size()) {
        if (s1[1] > s1[0]) {
          out.add(s1);
        }
        continue;
      }
      int[] s2 = slices.get(i + 1);
      Matcher m = BOUNDARY_REALIGNMENT.matcher(text.substring(s2[0], s2[1]));
      if (m.lookingAt()) {
        out.add(new int[] {s1[0], s2[0] + PyText.rstrip(m.group()).length()});
        realign = m.end();
      } else {
        realign = 0;
        if (s1[1] > s1[0]) {
          out.add(s1);
        }
      }
    }
    return out;
  }
}
