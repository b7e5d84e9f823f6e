package dev.sapling.model;

/**
 * Named model shapes for random-weight models: what the benchmarks ({@code ./sapling bench --shape}) and the device
 * checks ({@code ./sapling check}) build, each written once. A variant (another architecture, tied embeddings, a
 * bias, q/k norm, a window) is {@code SHAPE.toBuilder()...build()}. Only the dimensions are the named models'; the
 * special token ids are BOS 1 and EOS 2 and there is no RoPE scaling, since random weights make no text.
 *
 * <pre>{@code
 * ModelConfig c = ModelShapes.LLAMA_100M;
 * Transformer t = new Transformer(c, new WeightsBuilder(c, new RandomWeightSource(c, 0), manager,
 *     DataType.FLOAT32).build());
 * }</pre>
 */
public final class ModelShapes {
  private ModelShapes() {}

  /**
   * Llama-3.2-1B's dimensions (hidden 2048, 16 layers, 32 heads over 8 KV heads, FFN 8192, vocab 128256, tied; RoPE
   * theta 500000): the shape of the GPU benchmarks and profiles.
   */
  public static final ModelConfig LLAMA_1B = ModelConfig.builder(Architecture.LLAMA).vocabSize(128256)
      .hiddenSize(2048).intermediateSize(8192).numLayers(16).numHeads(32).numKeyValueHeads(8).headDim(64)
      .ropeTheta(500000.0).maxPositionEmbeddings(131072).tieWordEmbeddings(true).build();

  /** A Llama of about 95M parameters: hidden 768, 10 layers, 12 heads, FFN 2048, vocab 32000, tied. */
  public static final ModelConfig LLAMA_100M = ModelConfig.builder(Architecture.LLAMA).vocabSize(32000)
      .hiddenSize(768).intermediateSize(2048).numLayers(10).numHeads(12).numKeyValueHeads(12).headDim(64)
      .maxPositionEmbeddings(2048).tieWordEmbeddings(true).build();

  /** The embedded model's shape (models/stories260K): dim 64, 5 layers, 8 heads over 4 KV heads, vocab 512, tied. */
  public static final ModelConfig STORIES_260K = ModelConfig.builder(Architecture.LLAMA).vocabSize(512)
      .hiddenSize(64).intermediateSize(172).numLayers(5).numHeads(8).numKeyValueHeads(4).headDim(8)
      .maxPositionEmbeddings(512).tieWordEmbeddings(true).build();

  /**
   * A small Llama with grouped-query attention (hidden 256, 3 layers, 8 heads over 2 KV heads, head dim 32, FFN 688,
   * vocab 512, untied): large enough for real kernels, small enough to compare a device with the CPU in seconds
   * ({@code ./sapling check smoke} runs it as Llama, as Qwen2 with bias and tied embeddings, as Qwen3 with q/k norm).
   */
  public static final ModelConfig SMALL = ModelConfig.builder(Architecture.LLAMA).vocabSize(512).hiddenSize(256)
      .intermediateSize(688).numLayers(3).numHeads(8).numKeyValueHeads(2).headDim(32).maxPositionEmbeddings(256)
      .build();
}
