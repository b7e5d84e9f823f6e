package dev.sapling.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one instruction, as read from IFEval's {@code kwargs} objects, with typed getters whose errors name
 * the instruction and the argument.
 *
 * <pre>{@code
 * Kwargs k = new Kwargs("length_constraints:number_words", Map.of("num_words", 300, "relation", "less than"));
 * int n = k.integer("num_words");
 * }</pre>
 */
public record Kwargs(String instructionId, Map<String, ?> values) {
  public Kwargs {
    // A null value counts as absent, as the reference drops empty kwargs before building an instruction.
    Map<String, Object> present = new java.util.LinkedHashMap<>();
    values.forEach((k, v) -> {
      if (v != null) {
        present.put(k, v);
      }
    });
    values = java.util.Collections.unmodifiableMap(present);
  }

  /** A required string argument. */
  public String string(String name) {
    Object v = require(name);
    if (!(v instanceof String s)) {
      throw wrongType(name, "a string", v);
    }
    return s;
  }

  /** A required integer argument. */
  public int integer(String name) {
    Object v = require(name);
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return ((Number) v).intValue();
    }
    throw wrongType(name, "an integer", v);
  }

  /** A required list-of-strings argument. */
  public List<String> strings(String name) {
    Object v = require(name);
    if (!(v instanceof List<?> list)) {
      throw wrongType(name, "a list of strings", v);
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw wrongType(name, "a list of strings", v);
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** A required {@link Relation} argument. */
  public Relation relation(String name) {
    String text = string(name);
    try {
      return Relation.parse(text);
    } catch (IfevalException e) {
      throw new IfevalException(instructionId + ": kwarg '" + name + "': " + e.getMessage());
    }
  }

  private Object require(String name) {
    Object v = values.get(name);
    if (v == null) {
      throw new IfevalException(instructionId + ": kwarg '" + name + "' is missing; given " + values.keySet());
    }
    return v;
  }

  private IfevalException wrongType(String name, String expected, Object actual) {
    return new IfevalException(instructionId + ": kwarg '" + name + "' must be " + expected + "; got " + actual);
  }
}
