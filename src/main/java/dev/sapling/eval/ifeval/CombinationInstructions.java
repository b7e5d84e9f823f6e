package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code combination:*} instructions: two different responses separated by six asterisks, and repeating the
 * request before answering.
 *
 * <pre>{@code
 * new CombinationInstructions.TwoResponses().isFollowed("A\n******\nB");   // true
 * }</pre>
 */
public final class CombinationInstructions {
  private CombinationInstructions() {}

  /** {@code combination:two_responses}: exactly two non-blank, different parts around {@code ******}. */
  public record TwoResponses() implements Instruction {
    public String id() {
      return "combination:two_responses";
    }

    public boolean isFollowed(String response) {
      List<String> parts = PyText.split(response, "******");
      List<String> valid = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        if (PyText.strip(parts.get(i)).isEmpty()) {
          if (i != 0 && i != parts.size() - 1) {
            return false;
          }
        } else {
          valid.add(parts.get(i));
        }
      }
      return valid.size() == 2 && !PyText.strip(valid.get(0)).equals(PyText.strip(valid.get(1)));
    }
  }

  /** {@code combination:repeat_prompt}: the response starts with the request, compared case-insensitively. */
  public record RepeatPrompt(String promptToRepeat) implements Instruction {
    public String id() {
      return "combination:repeat_prompt";
    }

    public boolean isFollowed(String response) {
      return PyText.lower(PyText.strip(response)).startsWith(PyText.lower(PyText.strip(promptToRepeat)));
    }
  }
}
