package dev.sapling.pipeline.instructions;

import dev.sapling.SaplingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The instruction stage's own checks that need no text statistics: {@code empty}, {@code runaway} (the sample hit
 * max_new_tokens), {@code exact_duplicate} (of a seed or accepted instruction, ignoring case and spacing) and
 * {@code copies_prompt_seed} (a copy of a task shown in its own prompt). The text-statistics filters (length, keyword
 * blacklist, ROUGE-L, near duplicates) plug in through {@link CandidateScreen} from the text package.
 *
 * <pre>{@code
 * CandidateScreen s = new BasicScreen(List.of("Write a poem."), BasicScreen.NAMES);
 * }</pre>
 */
public final class BasicScreen implements CandidateScreen {
  /** Every check this screen knows, in the order it applies them. */
  public static final List<String> NAMES = List.of("empty", "runaway", "copies_prompt_seed", "exact_duplicate");

  private final List<String> enabled;
  private final Set<String> pool = new HashSet<>();

  public BasicScreen(List<String> seeds, List<String> enabled) {
    for (String name : enabled) {
      if (!NAMES.contains(name)) {
        throw new SaplingException("instructions config: unknown filter '" + name + "'; known: " + NAMES);
      }
    }
    this.enabled = NAMES.stream().filter(enabled::contains).toList();
    seeds.forEach(s -> pool.add(normal(s)));
  }

  static String normal(String text) {
    return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }

  @Override
  public Verdict screen(Candidate c) {
    List<String> dropped = new ArrayList<>();
    Map<String, Object> details = new LinkedHashMap<>();
    String n = normal(c.instruction());
    for (String name : enabled) {
      boolean drop = switch (name) {
        case "empty" -> n.isEmpty();
        case "runaway" -> "length".equals(c.finishReason());
        case "copies_prompt_seed" -> c.shown().stream().anyMatch(s -> normal(s).equals(n));
        case "exact_duplicate" -> pool.contains(n);
        default -> throw new IllegalStateException(name);
      };
      if (drop) {
        dropped.add(name);
      }
    }
    return new Verdict(dropped, details);
  }

  @Override
  public void accept(String instruction) {
    pool.add(normal(instruction));
  }

  @Override
  public List<String> names() {
    return enabled;
  }
}
