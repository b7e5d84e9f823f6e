package dev.sapling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

class WireCodecTest {
  private final ZMQ.Context context = ZMQ.context(1);
  private ZMQ.Socket router;
  private ZMQ.Socket dealer;
  private final WireCodec codec = new WireCodec("hmac-sha256", "secret-key");

  @BeforeEach
  void connect() {
    router = context.socket(SocketType.ROUTER);
    router.bind("inproc://shell");
    dealer = context.socket(SocketType.DEALER);
    dealer.connect("inproc://shell");
  }

  @AfterEach
  void close() {
    dealer.close();
    router.close();
    context.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void send(String signature, byte[]... parts) {
    dealer.sendMore("<IDS|MSG>");
    dealer.sendMore(signature);
    for (int i = 0; i < parts.length; i++) {
      if (i < parts.length - 1) {
        dealer.sendMore(parts[i]);
      } else {
        dealer.send(parts[i]);
      }
    }
  }

  @Test
  void acceptsASignedMessageAndDropsForgedAndReplayedOnes() {
    byte[] header = utf8("{\"msg_id\":\"1\",\"username\":\"u\",\"session\":\"s\",\"date\":\"2026-01-01T00:00:00Z\","
        + "\"msg_type\":\"execute_request\",\"version\":\"5.3\"}");
    byte[] parent = utf8("{}");
    byte[] meta = utf8("{}");
    byte[] content = utf8("{\"code\":\"1 + 1\"}");
    String good = codec.sign(header, parent, meta, content);

    send(good, header, parent, meta, content);
    var first = codec.read(router, "shell");
    assertTrue(first.isPresent());
    assertEquals("execute_request", first.get().getHeader().getType().getName());
    assertEquals("1 + 1", first.get().getContent().get("code").getAsString());

    send(good, header, parent, meta, content);                                   // replay
    assertTrue(codec.read(router, "shell").isEmpty());
    String forged = new WireCodec("hmac-sha256", "other-key").sign(header, parent, meta, content);
    send(forged, header, parent, meta, utf8("{\"code\":\"2 + 2\"}"));            // wrong key
    assertTrue(codec.read(router, "shell").isEmpty());
    send("", header, parent, meta, content);                                     // unsigned
    assertTrue(codec.read(router, "shell").isEmpty());
    assertEquals(3, codec.rejectedCount());

    byte[] header2 = utf8(new String(header, StandardCharsets.UTF_8).replace("\"1\"", "\"2\""));
    send(codec.sign(header2, parent, meta, content), header2, parent, meta, content);
    assertTrue(codec.read(router, "shell").isPresent(), "the channel keeps serving after rejections");
  }

  @Test
  void signatureSchemeNamesAreMappedToJavaMacs() {
    byte[] x = utf8("{}");
    assertEquals(64, new WireCodec("hmac-sha256", "k").sign(x, x, x, x).length());
    assertEquals(128, new WireCodec("hmac-sha512", "k").sign(x, x, x, x).length());
    assertEquals("", new WireCodec("hmac-sha256", "").sign(x, x, x, x));
  }
}
