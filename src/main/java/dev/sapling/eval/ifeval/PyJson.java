package dev.sapling.eval.ifeval;

import java.util.List;

/**
 * JSON text written byte for byte as Python's {@code json.dumps} writes it by default ({@code ", "} and
 * {@code ": "} separators, non-ASCII escaped as lowercase {@code \\uXXXX}), so result files can be compared with
 * the reference's directly.
 *
 * <pre>{@code
 * PyJson.string("café");   // "\"caf\\u00e9\""
 * }</pre>
 */
final class PyJson {
  private PyJson() {}

  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String strings(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(string(values.get(i)));
    }
    return b.append(']').toString();
  }

  static String booleans(List<Boolean> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(values.get(i));
    }
    return b.append(']').toString();
  }

  /** One results line, with the keys in the reference files' order. */
  static String result(IfevalResult r) {
    return "{\"follow_all_instructions\": " + r.followAllInstructions()
        + ", \"follow_instruction_list\": " + booleans(r.followInstructionList())
        + ", \"instruction_id_list\": " + strings(r.instructionIdList())
        + ", \"prompt\": " + string(r.prompt())
        + ", \"response\": " + string(r.response()) + "}";
  }
}
