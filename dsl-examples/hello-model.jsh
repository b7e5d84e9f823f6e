// Load the embedded default model, continue a prompt greedily and show each new token's log-probability.
// Run it with:  ./sapling script dsl-examples/hello-model.jsh
// Startup already imported the dev.sapling.* packages, Tablesaw and DJL.

LoadedModel model = new CleanModelLoader().load(Path.of("models/stories260K/stories260K.gguf"));
System.out.println("loaded " + model.manifest().architecture() + ", loader " + model.manifest().loaderVersion()
    + ", weights sha256 " + model.manifest().weightFiles().get(0).sha256().substring(0, 12) + "...");

Completion c = Generator.of(model)
    .generate(List.of("Once upon a time"), SamplingParams.greedy().withMaxNewTokens(24))
    .get(0);
System.out.println("Once upon a time" + c.text());
System.out.println("finish_reason: " + c.finishReason());

// the same continuation scored by teacher forcing gives the log-probs generation reported
ScoredText scored = Scorer.of(model).score(List.of(new Scorer.Pair(c.promptTokenIds(), c.tokenIds()))).get(0);
Table tokens = Table.create("greedy continuation",
    StringColumn.create("token", Arrays.stream(c.tokenIds()).mapToObj(id -> model.tokenizer().decode(new int[] {id}))),
    DoubleColumn.create("logprob", IntStream.range(0, c.logprobs().length).mapToDouble(i -> c.logprobs()[i])),
    DoubleColumn.create("scored", IntStream.range(0, scored.tokens()).mapToDouble(i -> scored.tokenLogprobs()[i])));
System.out.println(tokens.print());
System.out.printf("sum of log-probs: %.4f (generation)  %.4f (scoring)%n", c.logprobSum(), scored.logprobSum());
if (Math.abs(c.logprobSum() - scored.logprobSum()) > 1e-3) {
    throw new IllegalStateException("scoring disagrees with generation");
}
model.close();
