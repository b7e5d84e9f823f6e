package dev.sapling.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sapling.model.KvCache;
import dev.sapling.model.loader.LoadedModel;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Set;

/** {@code sapling generate --model PATH [--prompt TEXT] [--max-tokens N] [--greedy]}: prints the continuation. */
final class GenerateCommand implements Command {
  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "continue a prompt with the base model";
  }

  @Override
  public String usage() {
    return "usage: sapling generate --model PATH [--prompt TEXT] [--max-tokens N] [--greedy] [--device cpu|gpu]\n"
        + ModelArgs.USAGE
        + "  --prompt TEXT      text to continue (default: empty, i.e. start from BOS)\n"
        + "  --max-tokens N     new tokens at most (default 256); stops earlier at EOS\n"
        + "  --greedy           argmax decoding\n"
        + "Prints the continuation (without the prompt) to stdout.";
  }

  @Override
  public Set<String> switches() {
    return Set.of("greedy");
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    String prompt = args.string("prompt").orElse("");
    int maxTokens = args.intValue("max-tokens", 256);
    if (maxTokens < 1) {
      throw new CliUsageException("--max-tokens must be at least 1; got " + maxTokens);
    }
    if (!args.flag("greedy")) {
      throw new CliUsageException("only --greedy decoding is available in this build");
    }
    try (LoadedModel model = ModelArgs.load(args, err)) {
      args.requireAllKnown();
      int[] promptIds = model.promptIds(prompt);
      if (promptIds.length == 0) {
        throw new CliUsageException("the prompt is empty and the model has no BOS token to start from; pass --prompt");
      }
      int[] generated = greedy(model, promptIds, maxTokens);
      out.print(continuation(model, prompt, generated));
      out.println();
    }
    return 0;
  }

  private static int[] greedy(LoadedModel model, int[] promptIds, int maxTokens) {
    int capacity = Math.min(promptIds.length + maxTokens, model.config().maxPositionEmbeddings());
    int[] out = new int[maxTokens];
    int count = 0;
    try (NDManager m = model.manager().newSubManager();
        KvCache cache = KvCache.allocate(model.config(), m, model.transformer().computeType(), capacity,
            new int[] {0})) {
      int[] next = promptIds;
      while (count < maxTokens && cache.length() + next.length <= capacity) {
        int token;
        try (NDManager step = m.newSubManager()) {
          NDArray logits = model.transformer().forward(step.create(next, new Shape(1, next.length)), cache, true);
          token = (int) logits.argMax(-1).toLongArray()[0];
        }
        out[count++] = token;
        if (model.config().eosTokenIds().contains(token)) {
          break;
        }
        next = new int[] {token};
      }
    }
    return Arrays.copyOf(out, count);
  }

  /** The text the new tokens add to the prompt (decoding prompt + continuation together keeps spaces right). */
  static String continuation(LoadedModel model, String prompt, int[] generated) {
    int[] body = model.tokenizer().encode(prompt);
    int[] all = new int[body.length + generated.length];
    System.arraycopy(body, 0, all, 0, body.length);
    System.arraycopy(generated, 0, all, body.length, generated.length);
    String full = model.tokenizer().decode(all);
    String head = model.tokenizer().decode(body);
    return full.startsWith(head) ? full.substring(head.length()) : model.tokenizer().decode(generated);
  }
}
