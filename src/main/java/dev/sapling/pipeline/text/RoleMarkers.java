package dev.sapling.pipeline.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chat-template and role markers in generated text, and the fabricated next turn a base model writes after its
 * answer. A base model prompted with a plain instruction often goes on to invent the next exchange
 * ({@code "\nUser: ..."}, {@code "\n2. Write a poem"}); the respond stage cuts the response at
 * {@link #nextTurn} and records why, and the critic flags any marker left ({@code role_marker}).
 *
 * <p>Template tokens ({@link #TEMPLATE_TOKENS}: ChatML's {@code <|im_start|>}, Llama-2's {@code [INST]}, Zephyr's
 * {@code <|user|>}...) count anywhere in the text. Role labels ({@link #ROLE_LABELS}: {@code ### Human:},
 * {@code User:}, {@code Instruction:}...) count only at the start of a line (after optional spaces), so
 * "click the User: field" is no marker. Matching is case-sensitive, as the templates are.
 *
 * <p>A new numbered task is a line starting with a number and {@code .} or {@code )} ({@code "2."}, {@code "3)"})
 * that does not continue a numbered list of the response itself: {@code "1. eggs\n2. milk"} is an answer, while
 * {@code "Paris.\n2. Name a river"} (no {@code 1.} before the {@code 2.}) is a fabricated next task, as the
 * Self-Instruct prompt's numbering invites.
 *
 * <pre>{@code
 * RoleMarkers.find("Sure!<|im_end|>\nUser: thanks");   // [Hit[at=5, marker=<|im_end|>], Hit[at=16, marker=User:]]
 * RoleMarkers.contains("click the User: field");       // false (not at a line start)
 * RoleMarkers.nextTurn("Paris.\nInstruction: Name a river"); // Optional[Hit[at=7, marker=Instruction:]]
 * RoleMarkers.nextTurn("1. eggs\n2. milk");            // Optional.empty: the response's own list
 * }</pre>
 */
public final class RoleMarkers {
  /** Chat-template tokens, matched anywhere. */
  public static final List<String> TEMPLATE_TOKENS = List.of("<|im_start|>", "<|im_end|>", "[INST]", "[/INST]",
      "<|user|>", "<|assistant|>", "<|system|>");
  /** Role labels, matched at the start of a line. */
  public static final List<String> ROLE_LABELS = List.of("### Human:", "### Assistant:", "### Instruction:",
      "### Response:", "Human:", "User:", "Assistant:", "Instruction:");
  /**
   * The markers that open a new turn, where the respond stage cuts: the template tokens that start a user turn or
   * end the assistant's ({@code <|im_start|>}, {@code <|im_end|>}, {@code [INST]}, {@code <|user|>}) and the
   * labels of a user or a new instruction at a line start (plus the numbered task, which has no fixed text).
   */
  public static final List<String> NEXT_TURN = List.of("<|im_start|>", "<|im_end|>", "[INST]", "<|user|>",
      "### Human:", "### Instruction:", "Human:", "User:", "Instruction:");
  /** The marker name {@link #nextTurn} reports for a new numbered task. */
  public static final String NUMBERED_TASK = "numbered_task";

  private static final Pattern NUMBERED_LINE = Pattern.compile("(?m)^[ \\t]*(\\d{1,3})[.)](?=\\s|$)");

  /**
   * One marker found in a text.
   *
   * @param at character offset where the marker starts (the label itself, after any leading spaces of its line)
   * @param marker the marker text, or {@link #NUMBERED_TASK}
   */
  public record Hit(int at, String marker) {}

  private RoleMarkers() {}

  /** Every template token and line-start role label in {@code text}, in order of offset. */
  public static List<Hit> find(String text) {
    return hits(text, TEMPLATE_TOKENS, ROLE_LABELS);
  }

  /** Whether {@code text} holds any marker {@link #find} reports. */
  public static boolean contains(String text) {
    return !find(text).isEmpty();
  }

  /**
   * The first fabricated next turn: the earliest {@link #NEXT_TURN} marker (template tokens anywhere, labels at a
   * line start, the start of the text included) or new numbered task. Keep {@code text.substring(0, hit.at())}.
   */
  public static Optional<Hit> nextTurn(String text) {
    List<String> tokens = NEXT_TURN.stream().filter(TEMPLATE_TOKENS::contains).toList();
    List<String> labels = NEXT_TURN.stream().filter(ROLE_LABELS::contains).toList();
    List<Hit> all = new ArrayList<>(hits(text, tokens, labels));
    numberedTask(text).ifPresent(all::add);
    return all.stream().min(Comparator.comparingInt(Hit::at));
  }

  /** The first numbered line that is not the next item of a list the text itself started. */
  private static Optional<Hit> numberedTask(String text) {
    Matcher m = NUMBERED_LINE.matcher(text);
    int previous = 0; // the number of the last numbered line, 0 before any
    while (m.find()) {
      int number = Integer.parseInt(m.group(1));
      boolean continues = number == 1 ? previous == 0 : number == previous + 1;
      if (!continues) {
        return Optional.of(new Hit(m.start(1), NUMBERED_TASK));
      }
      previous = number;
    }
    return Optional.empty();
  }

  private static List<Hit> hits(String text, List<String> anywhere, List<String> atLineStart) {
    List<Hit> hits = new ArrayList<>();
    for (String token : anywhere) {
      for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + token.length())) {
        hits.add(new Hit(i, token));
      }
    }
    int lineStart = 0;
    while (lineStart <= text.length()) {
      int at = lineStart;
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
      // the longest label that matches, so "### Human:" is not also reported as "Human:"
      String best = null;
      for (String label : atLineStart) {
        if (text.startsWith(label, at) && (best == null || label.length() > best.length())) {
          best = label;
        }
      }
      if (best != null) {
        hits.add(new Hit(at, best));
      }
      int newline = text.indexOf('\n', lineStart);
      if (newline < 0) {
        break;
      }
      lineStart = newline + 1;
    }
    hits.sort(Comparator.comparingInt(Hit::at));
    return hits;
  }
}
