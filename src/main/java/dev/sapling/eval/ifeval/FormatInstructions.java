package dev.sapling.eval.ifeval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code detectable_format:*} instructions: markdown bullet lists, a fixed yes/no/maybe answer, highlighted
 * sections, numbered sections, a JSON answer and a {@code <<title>>}.
 *
 * <pre>{@code
 * new FormatInstructions.JsonFormat().isFollowed("```json\n{\"a\": 1}\n```");   // true
 * new FormatInstructions.Title().isFollowed("<<Ode to Joy>>\nText");           // true
 * }</pre>
 */
public final class FormatInstructions {
  private FormatInstructions() {}

  private static final int LINES = Pattern.MULTILINE | Pattern.UNIX_LINES;
  private static final Pattern STAR_BULLET = Pattern.compile("^" + PyText.SPACE + "*\\*[^*].*$", LINES);
  private static final Pattern DASH_BULLET = Pattern.compile("^" + PyText.SPACE + "*-.*$", LINES);
  private static final Pattern HIGHLIGHT = Pattern.compile("\\*[^\\n*]*\\*");
  private static final Pattern DOUBLE_HIGHLIGHT = Pattern.compile("\\*\\*[^\\n*]*\\*\\*");
  private static final Pattern TITLE = Pattern.compile("<<[^\\n]+>>");
  private static final List<String> CONSTRAINED = List.of("My answer is yes.", "My answer is no.",
      "My answer is maybe.");

  /** Python's {@code json.loads}: one value, optional whitespace, NaN and Infinity allowed, nothing after. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
      .build();

  private static int count(Pattern p, String text) {
    Matcher m = p.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** {@code detectable_format:number_bullet_lists}: exactly {@code numBullets} lines starting with {@code *} or {@code -}. */
  public record NumberBulletLists(int numBullets) implements Instruction {
    public String id() {
      return "detectable_format:number_bullet_lists";
    }

    public boolean isFollowed(String response) {
      return count(STAR_BULLET, response) + count(DASH_BULLET, response) == numBullets;
    }
  }

  /** {@code detectable_format:constrained_response}: contains "My answer is yes.", "... no." or "... maybe.". */
  public record ConstrainedResponse() implements Instruction {
    public String id() {
      return "detectable_format:constrained_response";
    }

    public boolean isFollowed(String response) {
      String text = PyText.strip(response);
      return CONSTRAINED.stream().anyMatch(text::contains);
    }
  }

  /**
   * {@code detectable_format:number_highlighted_sections}: at least {@code numHighlights} non-blank {@code *spans*}
   * on one line; a {@code **bold**} span counts once more on its own.
   */
  public record NumberHighlightedSections(int numHighlights) implements Instruction {
    public String id() {
      return "detectable_format:number_highlighted_sections";
    }

    public boolean isFollowed(String response) {
      int n = 0;
      for (Pattern p : List.of(HIGHLIGHT, DOUBLE_HIGHLIGHT)) {
        Matcher m = p.matcher(response);
        while (m.find()) {
          if (!PyText.strip(PyText.strip(m.group(), "*")).isEmpty()) {
            n++;
          }
        }
      }
      return n >= numHighlights;
    }
  }

  /** {@code detectable_format:multiple_sections}: at least {@code numSections} "SPLITTER n" section headers. */
  public record MultipleSections(String sectionSpliter, int numSections) implements Instruction {
    public String id() {
      return "detectable_format:multiple_sections";
    }

    public boolean isFollowed(String response) {
      String s = PyText.SPACE;
      Pattern header = Pattern.compile(s + "?" + Pattern.quote(PyText.strip(sectionSpliter)) + s + "?\\p{Nd}+" + s
          + "?");
      return header.split(response, -1).length - 1 >= numSections;
    }
  }

  /** {@code detectable_format:json_format}: the whole answer, optionally in a code fence, parses as JSON. */
  public record JsonFormat() implements Instruction {
    public String id() {
      return "detectable_format:json_format";
    }

    public boolean isFollowed(String response) {
      String text = PyText.strip(response);
      for (String fence : List.of("```json", "```Json", "```JSON")) {
        text = removePrefix(text, fence);
      }
      text = removePrefix(text, "```");
      if (text.endsWith("```")) {
        text = text.substring(0, text.length() - 3);
      }
      text = PyText.strip(text);
      if (text.isEmpty()) {
        return false;
      }
      try {
        JSON.readTree(text);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    private static String removePrefix(String s, String prefix) {
      return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }
  }

  /** {@code detectable_format:title}: a non-blank title in double angular brackets, such as {@code <<My Title>>}. */
  public record Title() implements Instruction {
    public String id() {
      return "detectable_format:title";
    }

    public boolean isFollowed(String response) {
      Matcher m = TITLE.matcher(response);
      while (m.find()) {
        if (!PyText.strip(PyText.rstrip(PyText.lstrip(m.group(), "<"), ">")).isEmpty()) {
          return true;
        }
      }
      return false;
    }
  }
}
