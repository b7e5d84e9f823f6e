package dev.sapling.pipeline.instructions;

import dev.sapling.SaplingException;
import java.util.List;

/**
 * Settings of the instruction-generation stage, with Self-Instruct's defaults (Wang et al., 2023): prompts of 8
 * numbered tasks (6 seed + 2 already accepted machine tasks once there are some, shuffled) under the header "Come up
 * with a series of tasks:", sampled at temperature 0.7 and top-p 0.5, each sample stopping at the next task number
 * (a newline: each task is one line). Rounds run until {@code count} instructions are accepted or {@code maxRounds} is reached.
 *
 * <pre>{@code
 * InstructionsConfig c = SelfInstruct.fewShot(8).count(100).maxRounds(30).build();
 * }</pre>
 *
 * @param count instructions to accept
 * @param promptTasks numbered tasks shown per prompt (Self-Instruct: 8)
 * @param machineTasks of those, how many are earlier accepted machine instructions when available (Self-Instruct: 2)
 * @param promptsPerRound prompts built per round (each from its own sample of tasks)
 * @param samplesPerPrompt samples drawn per prompt; each is one candidate instruction
 * @param maxRounds the round limit; a small model may never reach {@code count}, and the stage then records the shortfall
 * @param temperature sampling temperature (Self-Instruct: 0.7)
 * @param topP nucleus mass (Self-Instruct: 0.5)
 * @param maxNewTokens tokens per candidate; reaching it marks the candidate runaway
 * @param header the prompt's first line (Self-Instruct: "Come up with a series of tasks:")
 * @param stop stop sequences; default a newline: Self-Instruct collapses every task to one line, so the newline is
 *     where the next number or a blank line begins
 * @param minWords a candidate needs more words than this (Self-Instruct: 3)
 * @param maxWords and at most this many (Self-Instruct: 150)
 * @param maxRougeL the highest ROUGE-L F1 to any pool instruction a kept candidate may have (Self-Instruct: 0.7)
 * @param blacklist keywords a text-only model cannot act on (Self-Instruct's list)
 */
public record InstructionsConfig(
    int count,
    int promptTasks,
    int machineTasks,
    int promptsPerRound,
    int samplesPerPrompt,
    int maxRounds,
    double temperature,
    double topP,
    int maxNewTokens,
    String header,
    List<String> stop,
    int minWords,
    int maxWords,
    double maxRougeL,
    List<String> blacklist) {

  public InstructionsConfig {
    blacklist = List.copyOf(blacklist);
    stop = List.copyOf(stop);
    positive("count", count);
    positive("prompt_tasks", promptTasks);
    positive("prompts_per_round", promptsPerRound);
    positive("samples_per_prompt", samplesPerPrompt);
    positive("max_rounds", maxRounds);
    positive("max_new_tokens", maxNewTokens);
    if (machineTasks < 0 || machineTasks > promptTasks) {
      throw new SaplingException("instructions config: machine_tasks is " + machineTasks + "; expected 0.."
          + promptTasks + " (at most prompt_tasks)");
    }
  }

  private static void positive(String field, int v) {
    if (v < 1) {
      throw new SaplingException("instructions config: " + field + " is " + v + "; expected an integer >= 1");
    }
  }

  /** Self-Instruct's defaults, 100 instructions. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.count = count;
    b.promptTasks = promptTasks;
    b.machineTasks = machineTasks;
    b.promptsPerRound = promptsPerRound;
    b.samplesPerPrompt = samplesPerPrompt;
    b.maxRounds = maxRounds;
    b.temperature = temperature;
    b.topP = topP;
    b.maxNewTokens = maxNewTokens;
    b.header = header;
    b.stop = stop;
    b.minWords = minWords;
    b.maxWords = maxWords;
    b.maxRougeL = maxRougeL;
    b.blacklist = blacklist;
    return b;
  }

  /** Fluent construction; every setter returns the builder, {@link #build()} checks the values. */
  public static final class Builder {
    private int count = 100;
    private int promptTasks = 8;
    private int machineTasks = 2;
    private int promptsPerRound = 8;
    private int samplesPerPrompt = 4;
    private int maxRounds = 20;
    private double temperature = 0.7;
    private double topP = 0.5;
    private int maxNewTokens = 128;
    private String header = "Come up with a series of tasks:";
    private List<String> stop = List.of("\n");
    private int minWords = 3;
    private int maxWords = 150;
    private double maxRougeL = 0.7;
    private List<String> blacklist = InstructionFilters.BLACKLIST;

    private Builder() {}

    public Builder count(int v) {
      count = v;
      return this;
    }

    /** Tasks per prompt; the machine share stays a quarter of it (8 → 6 seed + 2 machine). */
    public Builder promptTasks(int v) {
      promptTasks = v;
      machineTasks = v / 4;
      return this;
    }

    public Builder machineTasks(int v) {
      machineTasks = v;
      return this;
    }

    public Builder promptsPerRound(int v) {
      promptsPerRound = v;
      return this;
    }

    public Builder samplesPerPrompt(int v) {
      samplesPerPrompt = v;
      return this;
    }

    public Builder maxRounds(int v) {
      maxRounds = v;
      return this;
    }

    public Builder temperature(double v) {
      temperature = v;
      return this;
    }

    public Builder topP(double v) {
      topP = v;
      return this;
    }

    public Builder maxNewTokens(int v) {
      maxNewTokens = v;
      return this;
    }

    public Builder header(String v) {
      header = v;
      return this;
    }

    public Builder stop(List<String> v) {
      stop = v;
      return this;
    }

    public Builder minWords(int v) {
      minWords = v;
      return this;
    }

    public Builder maxWords(int v) {
      maxWords = v;
      return this;
    }

    public Builder maxRougeL(double v) {
      maxRougeL = v;
      return this;
    }

    public Builder blacklist(List<String> v) {
      blacklist = v;
      return this;
    }

    public InstructionsConfig build() {
      return new InstructionsConfig(count, promptTasks, machineTasks, promptsPerRound, samplesPerPrompt, maxRounds,
          temperature, topP, maxNewTokens, header, stop, minWords, maxWords, maxRougeL, blacklist);
    }
  }
}
