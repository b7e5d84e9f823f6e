package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.List;

/**
 * How leniently a response is read. {@link #STRICT} checks the text as given. {@link #LOOSE} also accepts an
 * instruction if any of seven variants passes: without markdown {@code *}, without the first line, without the last
 * line, without both, and each of those three also without {@code *}.
 *
 * <pre>{@code
 * IfevalMode.LOOSE.variants("Sure!\n*answer*");   // the response, "Sure!\nanswer", "*answer*", ...
 * }</pre>
 */
public enum IfevalMode {
  STRICT("eval_results_strict.jsonl"),
  LOOSE("eval_results_loose.jsonl");

  private final String fileName;

  IfevalMode(String fileName) {
    this.fileName = fileName;
  }

  /** Name of this mode's results file, as the reference names it. */
  public String fileName() {
    return fileName;
  }

  /** The texts an instruction is checked against, in the reference's order. */
  public List<String> variants(String response) {
    if (this == STRICT) {
      return List.of(response);
    }
    List<String> lines = PyText.split(response, "\n");
    String removeFirst = PyText.strip(String.join("\n", lines.subList(Math.min(1, lines.size()), lines.size())));
    String removeLast = PyText.strip(String.join("\n", lines.subList(0, lines.size() - 1)));
    String removeBoth = lines.size() < 2 ? "" : PyText.strip(String.join("\n", lines.subList(1, lines.size() - 1)));
    List<String> out = new ArrayList<>();
    out.add(response);
    out.add(response.replace("*", ""));
    out.add(removeFirst);
    out.add(removeLast);
    out.add(removeBoth);
    out.add(removeFirst.replace("*", ""));
    out.add(removeLast.replace("*", ""));
    out.add(removeBoth.replace("*", ""));
    return out;
  }
}
