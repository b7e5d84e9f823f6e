package dev.sapling.model.tokenizer;

import dev.sapling.data.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.PriorityQueue;

/**
 * The SentencePiece BPE tokenizer of Llama-family GGUF models (llama.cpp's "llama"/SPM vocabulary), encoding as
 * llama.cpp and llama2.c do: an optional dummy-prefix space, spaces as "▁" (U+2581), one symbol per character, then
 * repeatedly merge the adjacent pair whose concatenation is a piece with the highest score (leftmost on ties);
 * a final symbol that is no piece falls back to its UTF-8 bytes as {@code <0xXX>} tokens.
 *
 * <p>{@link #encode} treats all text as text: "&lt;s&gt;" in the input gives the pieces of those three characters,
 * never the BOS id (llama.cpp's {@code parse_special=false}). {@link #decode} skips control and unknown tokens,
 * turns byte tokens back into bytes and strips the one leading space the dummy prefix produced.
 * {@link #toHuggingFaceJson()} exports an equivalent Hugging Face {@code tokenizer.json}.
 *
 * <pre>{@code
 * var tokenizer = new SentencePieceTokenizer(vocab);
 * int[] ids = tokenizer.encode("Once upon a time");
 * String text = tokenizer.decode(ids);   // "Once upon a time"
 * }</pre>
 *
 * <p>Not supported: user-defined tokens are merged like normal pieces rather than matched whole in the raw text
 * first, as llama.cpp does; stories260K and Llama 2 have none.
 */
public final class SentencePieceTokenizer implements Tokenizer {
  static final char SPACE_MARK = '\u2581';
  private static final String REPLACEMENT = "\uFFFD";

  private final SpmVocab vocab;
  private final String[] pieces;
  /** First id of each piece of any type: how a final symbol becomes a token. */
  private final Map<String, Integer> idOfPiece;
  /** First id of each piece that merges may produce. */
  private final Map<String, Integer> mergeTargets;
  /** Id of the {@code <0xXX>} token of each byte, or -1. */
  private final int[] byteTokens = new int[256];
  /** Byte value of each "<0xXX>" piece, or -1. */
  private final int[] byteOfToken;
  private final String sha256;

  public SentencePieceTokenizer(SpmVocab vocab) {
    this.vocab = Objects.requireNonNull(vocab, "vocab");
    int n = vocab.size();
    pieces = vocab.tokens().toArray(new String[0]);
    idOfPiece = new HashMap<>(n * 2);
    mergeTargets = new HashMap<>(n * 2);
    for (int id = 0; id < n; id++) {
      idOfPiece.putIfAbsent(pieces[id], id);
      if (vocab.isMergeable(id)) {
        mergeTargets.putIfAbsent(pieces[id], id);
      }
    }
    for (int b = 0; b < 256; b++) {
      byteTokens[b] = idOfPiece.getOrDefault(byteTokenPiece(b), -1);
    }
    byteOfToken = new int[n];
    for (int id = 0; id < n; id++) {
      byteOfToken[id] = byteValue(pieces[id]);
    }
    sha256 = Hashing.sha256(canonicalBytes(vocab));
  }

  /** The vocabulary this tokenizer was built from. */
  public SpmVocab vocab() {
    return vocab;
  }

  @Override
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      return new int[0];
    }
    String normalized = normalize(text);
    Symbols symbols = new Symbols(normalized);
    symbols.mergeByScore();
    return symbols.toIds();
  }

  /** The text the merges run on: dummy prefix, spaces as "▁", unpaired surrogates as U+FFFD. */
  private String normalize(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 1);
    if (vocab.addSpacePrefix()) {
      sb.append(SPACE_MARK);
    }
    text.codePoints().forEach(cp -> {
      if (cp == ' ') {
        sb.append(SPACE_MARK);
      } else if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
        sb.append('\uFFFD');
      } else {
        sb.appendCodePoint(cp);
      }
    });
    return sb.toString();
  }

  /** A doubly linked list of symbols over the normalized text, each a range of its chars. */
  private final class Symbols {
    private final String text;
    private final int[] start;
    private final int[] end;
    private final int[] prev;
    private final int[] next;

    Symbols(String text) {
      this.text = text;
      int count = text.codePointCount(0, text.length());
      start = new int[count];
      end = new int[count];
      prev = new int[count];
      next = new int[count];
      int offset = 0;
      for (int i = 0; i < count; i++) {
        start[i] = offset;
        offset += Character.charCount(text.codePointAt(offset));
        end[i] = offset;
        prev[i] = i - 1;
        next[i] = i + 1 < count ? i + 1 : -1;
      }
    }

    /** A candidate merge of symbol {@code left} with its right neighbour, valid while both keep this length. */
    private record Bigram(int left, int right, float score, int length) {}

    void mergeByScore() {
      PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
          ? Float.compare(b.score, a.score)
          : Integer.compare(a.left, b.left));
      for (int i = 1; i < start.length; i++) {
        offer(queue, i - 1, i);
      }
      while (!queue.isEmpty()) {
        Bigram bigram = queue.poll();
        int left = bigram.left;
        int right = bigram.right;
        boolean stale = end[left] == start[left] || end[right] == start[right] || next[left] != right
            || end[right] - start[left] != bigram.length;
        if (stale) {
          continue;
        }
        // the right symbol joins the left one and leaves the list
        end[left] = end[right];
        end[right] = start[right];
        next[left] = next[right];
        if (next[right] >= 0) {
          prev[next[right]] = left;
        }
        offer(queue, prev[left], left);
        offer(queue, left, next[left]);
      }
    }

    private void offer(PriorityQueue<Bigram> queue, int left, int right) {
      if (left < 0 || right < 0) {
        return;
      }
      Integer id = mergeTargets.get(text.substring(start[left], end[right]));
      if (id != null) {
        queue.add(new Bigram(left, right, vocab.score(id), end[right] - start[left]));
      }
    }

    int[] toIds() {
      // at most 3 UTF-8 bytes per UTF-16 char
      int[] ids = new int[text.length() * 3];
      int count = 0;
      boolean lastWasFallbackUnk = false;
      for (int i = 0; i >= 0; i = next[i]) {
        String symbol = text.substring(start[i], end[i]);
        Integer id = idOfPiece.get(symbol);
        if (id != null) {
          ids[count++] = id;
          lastWasFallbackUnk = false;
          continue;
        }
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        if (hasAllByteTokens(bytes)) {
          for (byte b : bytes) {
            ids[count++] = byteTokens[b & 0xFF];
          }
          lastWasFallbackUnk = false;
        } else if (!lastWasFallbackUnk) {
          // like sentencepiece and Hugging Face's fuse_unk: a run of unknown characters is one unknown token
          ids[count++] = vocab.unkId();
          lastWasFallbackUnk = true;
        }
      }
      return Arrays.copyOf(ids, count);
    }
  }

  private boolean hasAllByteTokens(byte[] bytes) {
    for (byte b : bytes) {
      if (byteTokens[b & 0xFF] < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Text of {@code ids}. Control and unknown tokens are skipped; each run of byte tokens becomes its UTF-8 text, or
   * one U+FFFD per byte when the run is not valid UTF-8 (as Hugging Face's ByteFallback decoder does); "▁" becomes
   * a space; with the dummy prefix on, one leading space is stripped.
   */
  @Override
  public String decode(int[] ids) {
    StringBuilder out = new StringBuilder();
    ByteArrayOutputStream run = new ByteArrayOutputStream();
    for (int id : ids) {
      checkId(id);
      if (vocab.isSpecial(id)) {
        continue;
      }
      if (byteOfToken[id] >= 0) {
        run.write(byteOfToken[id]);
        continue;
      }
      flushBytes(run, out);
      out.append(pieces[id].replace(SPACE_MARK, ' '));
    }
    flushBytes(run, out);
    if (vocab.addSpacePrefix() && out.length() > 0 && out.charAt(0) == ' ') {
      out.deleteCharAt(0);
    }
    return out.toString();
  }

  private static void flushBytes(ByteArrayOutputStream run, StringBuilder out) {
    if (run.size() == 0) {
      return;
    }
    byte[] bytes = run.toByteArray();
    run.reset();
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      out.append(chars);
    } catch (CharacterCodingException e) {
      out.append(REPLACEMENT.repeat(bytes.length));
    }
  }

  /** The piece of {@code id} exactly as the vocabulary stores it, e.g. "▁the", "&lt;0x0A&gt;", "&lt;s&gt;". */
  public String piece(int id) {
    checkId(id);
    return pieces[id];
  }

  /**
   * The bytes {@code id} adds to decoded text, for streaming: a byte token's byte, nothing for control and unknown
   * tokens, otherwise the piece's UTF-8 with "▁" as a space. Unlike {@link #decode}, no leading space is stripped.
   */
  public byte[] pieceBytes(int id) {
    checkId(id);
    if (vocab.isSpecial(id)) {
      return new byte[0];
    }
    if (byteOfToken[id] >= 0) {
      return new byte[] {(byte) byteOfToken[id]};
    }
    return pieces[id].replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code id} is a {@code <0xXX>} byte token. */
  public boolean isByteToken(int id) {
    checkId(id);
    return byteOfToken[id] >= 0;
  }

  @Override
  public int vocabSize() {
    return pieces.length;
  }

  @Override
  public OptionalInt bosId() {
    return vocab.bosId();
  }

  @Override
  public OptionalInt eosId() {
    return vocab.eosId();
  }

  /**
   * SHA-256 over a canonical binary form: a format tag, then per id its piece's UTF-8 (length-prefixed), the score's
   * IEEE bits and the type, then unk, BOS, EOS (-1 when absent) and the dummy-prefix flag.
   */
  @Override
  public String sha256() {
    return sha256;
  }

  /**
   * A Hugging Face {@code tokenizer.json} that encodes and decodes exactly as this tokenizer does (see
   * {@link SpmHuggingFaceJson} for how, and for the one known difference: literal special-token text).
   */
  public String toHuggingFaceJson() {
    return SpmHuggingFaceJson.write(vocab);
  }

  /** The piece byte fallback looks up for byte {@code b}: "&lt;0x0A&gt;", upper-case hex. */
  static String byteTokenPiece(int b) {
    return String.format("<0x%02X>", b);
  }

  /**
   * The byte a piece of the form "&lt;0xXX&gt;" (hex in either case) stands for when decoding, whatever its token
   * type, as Hugging Face's ByteFallback decoder reads it; -1 for any other piece.
   */
  private static int byteValue(String piece) {
    if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
      return -1;
    }
    int high = hexDigit(piece.charAt(3));
    int low = hexDigit(piece.charAt(4));
    return high < 0 || low < 0 ? -1 : high * 16 + low;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  private void checkId(int id) {
    if (id < 0 || id >= pieces.length) {
      throw new IllegalArgumentException(
          "token id " + id + " is outside the vocabulary of " + pieces.length + " tokens [0, " + pieces.length + ")");
    }
  }

  private static byte[] canonicalBytes(SpmVocab vocab) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF("sapling.spm.v1");
      out.writeInt(vocab.size());
      float[] scores = vocab.scores();
      int[] types = vocab.tokenTypes();
      for (int id = 0; id < vocab.size(); id++) {
        byte[] piece = vocab.tokens().get(id).getBytes(StandardCharsets.UTF_8);
        out.writeInt(piece.length);
        out.write(piece);
        out.writeInt(Float.floatToIntBits(scores[id]));
        out.writeByte(types[id]);
      }
      out.writeInt(vocab.unkId());
      out.writeInt(vocab.bosId().orElse(-1));
      out.writeInt(vocab.eosId().orElse(-1));
      out.writeBoolean(vocab.addSpacePrefix());
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }
}
