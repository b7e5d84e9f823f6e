package dev.sapling.notebook;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.dflib.jjava.jupyter.channels.StdinChannel;
import org.dflib.jjava.jupyter.messages.MessageContext;

/**
 * {@code System.in} for cells: a read asks the frontend for a line (input_request on the stdin channel) when the
 * running request allows stdin, and sees end-of-input otherwise (so a cell never hangs on a frontend that cannot
 * answer, such as a headless notebook run).
 *
 * <pre>{@code
 * String name = new java.util.Scanner(System.in).nextLine();   // in a cell: the notebook shows an input box
 * }</pre>
 */
final class KernelInput extends InputStream {
  private final StdinChannel stdin;
  private volatile MessageContext request;
  private volatile boolean allowed;
  private byte[] buffer = new byte[0];
  private int position;

  KernelInput(StdinChannel stdin) {
    this.stdin = stdin;
  }

  /** Reads from now on answer {@code request}; {@code allowStdin} is the request's allow_stdin. */
  synchronized void attach(MessageContext request, boolean allowStdin) {
    this.request = request;
    this.allowed = allowStdin;
    this.buffer = new byte[0];
    this.position = 0;
  }

  @Override
  public synchronized int read() {
    if (position >= buffer.length && !fill()) {
      return -1;
    }
    return buffer[position++] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (position >= buffer.length && !fill()) {
      return -1;
    }
    int n = Math.min(len, buffer.length - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public synchronized int available() {
    return buffer.length - position;
  }

  private boolean fill() {
    if (!allowed || request == null) {
      return false;
    }
    System.out.flush();
    String line = stdin.getInput(request, "", false);
    buffer = line.getBytes(StandardCharsets.UTF_8);
    position = 0;
    return buffer.length > 0;
  }
}
