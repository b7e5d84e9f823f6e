package dev.sapling.notebook;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.KernelTimestamp;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.adapters.HeaderAdapter;
import org.dflib.jjava.jupyter.messages.adapters.KernelTimestampAdapter;
import org.dflib.jjava.jupyter.messages.adapters.MessageTypeAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Reads one Jupyter wire message from a ZeroMQ socket and checks its HMAC signature before anything is parsed.
 *
 * <p>JJava's socket compares signatures with {@code String.equals} (not in constant time), throws from its I/O loop
 * on a bad signature (which ends that channel's thread, so one forged message silences the kernel) and accepts any
 * message once a signature has been seen before. Here a message with a missing, wrong or replayed signature is
 * dropped and logged, and the channel keeps serving.
 *
 * <pre>{@code
 * WireCodec codec = new WireCodec("hmac-sha256", key);
 * Optional<Message<JsonObject>> msg = codec.read(shellSocket);   // empty when the message was rejected
 * }</pre>
 */
final class WireCodec {
  private static final Logger LOG = LoggerFactory.getLogger(WireCodec.class);
  private static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
  private static final int REMEMBERED_SIGNATURES = 4096;

  private static final Gson GSON = new GsonBuilder()
      .registerTypeAdapter(KernelTimestamp.class, KernelTimestampAdapter.INSTANCE)
      .registerTypeAdapter(Header.class, HeaderAdapter.INSTANCE)
      .registerTypeAdapter(MessageType.class, MessageTypeAdapter.INSTANCE)
      .create();

  private final String algorithm;
  private final byte[] key;
  private final Map<String, Boolean> seen = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_SIGNATURES;
    }
  };
  private long rejected;

  /** {@code scheme} as in the connection file ({@code hmac-sha256}); an empty key disables signing, as Jupyter does. */
  WireCodec(String scheme, String key) {
    this.algorithm = "Hmac" + scheme.replaceFirst("(?i)^hmac-?", "").toUpperCase().replace("-", "");
    this.key = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
    if (this.key.length > 0) {
      mac(); // fail now, naming the scheme, rather than on the first message
    }
  }

  private Mac mac() {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalArgumentException("connection file: signature_scheme maps to " + algorithm
          + ", which this JVM cannot compute (" + e.getMessage() + "); use hmac-sha256", e);
    }
  }

  /** Hex HMAC of the four signed frames; empty when signing is off. */
  String sign(byte[] header, byte[] parent, byte[] metadata, byte[] content) {
    if (key.length == 0) {
      return "";
    }
    Mac mac = mac();
    mac.update(header);
    mac.update(parent);
    mac.update(metadata);
    mac.update(content);
    return HexFormat.of().formatHex(mac.doFinal());
  }

  /** How many messages were dropped for their signature so far. */
  synchronized long rejectedCount() {
    return rejected;
  }

  /**
   * Receives all frames of the next message (call only after a poll said one is waiting) and returns it, or empty
   * when it was malformed or its signature did not check out.
   */
  Optional<Message<JsonObject>> read(ZMQ.Socket socket, String channel) {
    List<byte[]> frames = new ArrayList<>();
    do {
      byte[] frame = socket.recv();
      if (frame == null) {
        break;
      }
      frames.add(frame);
    } while (socket.hasReceiveMore());

    int delimiter = -1;
    for (int i = 0; i < frames.size(); i++) {
      if (Arrays.equals(frames.get(i), DELIMITER)) {
        delimiter = i;
        break;
      }
    }
    if (delimiter < 0 || frames.size() < delimiter + 6) {
      reject(channel, "malformed message (" + frames.size() + " frames, no complete <IDS|MSG> block)");
      return Optional.empty();
    }
    List<byte[]> identities = new ArrayList<>(frames.subList(0, delimiter));
    String signature = new String(frames.get(delimiter + 1), StandardCharsets.US_ASCII);
    byte[] header = frames.get(delimiter + 2);
    byte[] parent = frames.get(delimiter + 3);
    byte[] metadata = frames.get(delimiter + 4);
    byte[] content = frames.get(delimiter + 5);
    List<byte[]> buffers = new ArrayList<>(frames.subList(delimiter + 6, frames.size()));

    if (key.length > 0) {
      String expected = sign(header, parent, metadata, content);
      boolean valid = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
          signature.getBytes(StandardCharsets.US_ASCII));
      if (!valid) {
        reject(channel, "bad HMAC signature; message ignored, not executed (header: " + preview(header) + ")");
        return Optional.empty();
      }
      synchronized (this) {
        if (seen.put(signature, Boolean.TRUE) != null) {
          rejected++;
          LOG.warn("{}: replayed signature; message ignored, not executed (header: {})", channel, preview(header));
          return Optional.empty();
        }
      }
    }
    try {
      @SuppressWarnings({"unchecked", "rawtypes"})
      Header<JsonObject> parsedHeader = GSON.fromJson(new String(header, StandardCharsets.UTF_8), Header.class);
      JsonElement parentJson = JsonParser.parseString(new String(parent, StandardCharsets.UTF_8));
      Header<?> parsedParent = parentJson.isJsonObject() && !parentJson.getAsJsonObject().isEmpty()
          ? GSON.fromJson(parentJson, Header.class) : null;
      @SuppressWarnings("unchecked")
      Map<String, Object> meta = GSON.fromJson(new String(metadata, StandardCharsets.UTF_8), Map.class);
      JsonObject body = JsonParser.parseString(new String(content, StandardCharsets.UTF_8)).getAsJsonObject();
      return Optional.of(new Message<>(identities, parsedHeader, parsedParent, meta, body, buffers));
    } catch (RuntimeException e) {
      reject(channel, "unreadable message (" + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  private synchronized void reject(String channel, String why) {
    rejected++;
    LOG.warn("{}: {}", channel, why);
  }

  private static String preview(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
