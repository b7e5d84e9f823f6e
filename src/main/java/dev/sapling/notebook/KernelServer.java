package dev.sapling.notebook;

import com.google.gson.JsonObject;
import dev.sapling.SaplingException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.dflib.jjava.jupyter.channels.IOPubChannel;
import org.dflib.jjava.jupyter.channels.ShellChannel;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.channels.StdinChannel;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageContext;
import org.dflib.jjava.jupyter.messages.publish.PublishStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The five ZeroMQ channels of a Jupyter kernel, bound to loopback only, each served by its own thread: heartbeat
 * echoes, shell and control read signed requests and hand them to a {@link Handler}, iopub and stdin carry output
 * and input. Control has its own thread so an interrupt arrives while a cell is running on shell.
 *
 * <p>JJava's sockets are reused for sending (their message classes and signing); receiving goes through
 * {@link WireCodec}, and the loops block on the poller instead of sleeping 50 ms between polls.
 *
 * <pre>{@code
 * KernelServer server = KernelServer.bind(KernelConnectionProperties.parse(json));
 * server.start((channel, msg, env) -> ...);
 * server.awaitShutdown();
 * }</pre>
 */
final class KernelServer {
  private static final Logger LOG = LoggerFactory.getLogger(KernelServer.class);
  private static final int POLL_MS = 100;

  /** Which request channel a message came on. */
  enum Channel { SHELL, CONTROL }

  /** Handles one verified request; replies and publishes through {@code env}. */
  interface Handler {
    void handle(Channel channel, Message<JsonObject> message, Replies env) throws Exception;
  }

  /** JJava's reply environment, with a constructor this package can call. */
  static final class Replies extends ShellReplyEnvironment {
    Replies(ShellChannel shell, StdinChannel stdin, IOPubChannel iopub, MessageContext context) {
      super(shell, stdin, iopub, context);
    }
  }

  private final KernelConnectionProperties props;
  private final String host;
  private final ZMQ.Context context = ZMQ.context(1);
  private final WireCodec codec;
  private final ShellChannel shell;
  private final ShellChannel control;
  private final StdinChannel stdin;
  private final IOPubChannel iopub;
  private final ZMQ.Socket heartbeat;
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  private KernelServer(KernelConnectionProperties props, String host) throws Exception {
    this.props = props;
    this.host = host;
    this.codec = new WireCodec(props.getSignatureScheme() == null ? "hmac-sha256" : props.getSignatureScheme(),
        props.getKey());
    HMACGenerator signer = props.createHMACGenerator();
    this.shell = new ShellChannel(context, signer, false, null, 0);
    this.control = new ShellChannel(context, signer, true, null, 0);
    this.stdin = new StdinChannel(context, signer);
    this.iopub = new IOPubChannel(context, signer);
    this.heartbeat = context.socket(SocketType.REP);
  }

  /** Checks the connection properties (loopback only, tcp only) and binds every channel. */
  static KernelServer bind(KernelConnectionProperties props) throws Exception {
    String host = loopbackHost(props.getIp());
    if (props.getTransport() != null && !props.getTransport().equals("tcp")) {
      throw new SaplingException("connection file: transport '" + props.getTransport()
          + "' is not supported; the Sapling kernel speaks tcp on loopback");
    }
    KernelServer server = new KernelServer(props, host);
    server.bindAll();
    return server;
  }

  /** The host to bind: the connection file's ip if it is a loopback address, else a refusal that says why. */
  static String loopbackHost(String ip) {
    String wanted = ip == null || ip.isBlank() ? "127.0.0.1" : ip;
    try {
      InetAddress address = InetAddress.getByName(wanted);
      if (!address.isLoopbackAddress()) {
        throw new SaplingException("connection file: ip '" + wanted + "' is not a loopback address; the Sapling "
            + "kernel binds to loopback only (use 127.0.0.1 and tunnel with ssh -L to reach it remotely)");
      }
      return address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    } catch (UnknownHostException e) {
      throw new SaplingException("connection file: ip '" + wanted + "' cannot be resolved; use 127.0.0.1", e);
    }
  }

  private void bindAll() {
    bindOne(shell, props.getShellPort(), "shell");
    bindOne(control, props.getControlPort(), "control");
    bindOne(stdin, props.getStdinPort(), "stdin");
    bindOne(iopub, props.getIopubPort(), "iopub");
    bindOne(heartbeat, props.getHbPort(), "heartbeat");
  }

  private void bindOne(ZMQ.Socket socket, int port, String name) {
    socket.setLinger(1000);
    String address = "tcp://" + host + ":" + port;
    try {
      socket.bind(address);
    } catch (RuntimeException e) {
      throw new SaplingException("could not bind the " + name + " channel to " + address + " (" + e.getMessage()
          + "); is another kernel using that port?", e);
    }
  }

  /** The channel outputs are published on. */
  IOPubChannel iopub() {
    return iopub;
  }

  /** The channel that asks the frontend for input. */
  StdinChannel stdin() {
    return stdin;
  }

  /** How many messages were dropped for a bad signature. */
  long rejectedCount() {
    return codec.rejectedCount();
  }

  /** Starts the channel threads and announces the kernel as starting. */
  void start(Handler handler) {
    threads.add(loop("sapling-heartbeat", heartbeat, () -> {
      byte[] ping = heartbeat.recv();
      if (ping != null) {
        heartbeat.send(ping);
      }
    }));
    threads.add(loop("sapling-shell", shell, () -> serve(Channel.SHELL, shell, handler)));
    threads.add(loop("sapling-control", control, () -> serve(Channel.CONTROL, control, handler)));
    iopub.sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
    threads.forEach(Thread::start);
  }

  private void serve(Channel channel, ShellChannel socket, Handler handler) {
    Optional<Message<JsonObject>> message = codec.read(socket, channel.name().toLowerCase());
    if (message.isEmpty()) {
      return;
    }
    Replies env = new Replies(socket, stdin, iopub, message.get());
    try {
      handler.handle(channel, message.get(), env);
    } catch (Exception e) {
      LOG.error("{}: handling {} failed: {}", channel, message.get().getHeader().getType().getName(), e.toString(), e);
    } finally {
      env.resolveDeferrals();
    }
  }

  private Thread loop(String name, ZMQ.Socket socket, Runnable onMessage) {
    Thread t = new Thread(() -> {
      ZMQ.Poller poller = context.poller(1);
      poller.register(socket, ZMQ.Poller.POLLIN);
      try {
        while (running) {
          if (poller.poll(POLL_MS) > 0 && poller.pollin(0)) {
            onMessage.run();
          }
        }
      } catch (RuntimeException e) {
        if (running) {
          LOG.error("{} stopped: {}", name, e.toString(), e);
        }
      } finally {
        poller.close();
        socket.close();
      }
    }, name);
    t.setDaemon(true);
    return t;
  }

  /** Stops the loops (from any thread, also from a handler); {@link #awaitShutdown()} then returns. */
  void shutdown() {
    running = false;
    stopped.countDown();
  }

  /** Blocks until {@link #shutdown()}, then closes every socket. */
  void awaitShutdown() throws InterruptedException {
    stopped.await();
    for (Thread t : threads) {
      if (t != Thread.currentThread()) {
        t.join(2000);
      }
    }
    iopub.close();
    stdin.close();
    context.close();
  }
}
