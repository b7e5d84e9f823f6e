package dev.sapling.notebook;

import dev.sapling.report.DisplaySink;
import dev.sapling.report.MimeBundle;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.dflib.jjava.jupyter.channels.IOPubChannel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageContext;
import org.dflib.jjava.jupyter.messages.publish.PublishClearOutput;
import org.dflib.jjava.jupyter.messages.publish.PublishDisplayData;
import org.dflib.jjava.jupyter.messages.publish.PublishStream;
import org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData;

/**
 * Everything a cell writes, on its way to the notebook: {@code System.out}/{@code System.err} become stream messages
 * (sent per line, or when a cell ends), and {@code display(...)} calls become display_data / update_display_data /
 * clear_output. Output is attributed to the request that is running, or to the last one when a background thread
 * writes after its cell ended.
 *
 * <pre>{@code
 * CellPublisher out = new CellPublisher(server.iopub());
 * out.install();                 // System.out, System.err and Display now go to the notebook
 * out.attach(executeRequest);   // outputs now belong to this request
 * }</pre>
 */
final class CellPublisher implements DisplaySink {
  private final IOPubChannel iopub;
  private final PrintStream out;
  private final PrintStream err;
  private final StreamBuffer outBuffer;
  private final StreamBuffer errBuffer;
  private volatile MessageContext parent;

  CellPublisher(IOPubChannel iopub) {
    this.iopub = iopub;
    this.outBuffer = new StreamBuffer(PublishStream.StreamType.OUT);
    this.errBuffer = new StreamBuffer(PublishStream.StreamType.ERR);
    this.out = new PrintStream(outBuffer, true, StandardCharsets.UTF_8);
    this.err = new PrintStream(errBuffer, true, StandardCharsets.UTF_8);
  }

  /** Routes System.out and System.err of the whole JVM here. */
  void install() {
    System.setOut(out);
    System.setErr(err);
  }

  /** Outputs from now on answer {@code request}. */
  void attach(MessageContext request) {
    flush();
    this.parent = request;
  }

  /** Sends whatever is buffered (a partial line at the end of a cell). */
  void flush() {
    out.flush();
    err.flush();
    outBuffer.publish();
    errBuffer.publish();
  }

  @Override
  public void show(MimeBundle bundle, String displayId) {
    flush();
    DisplayData data = toDisplayData(bundle);
    data.setDisplayId(displayId);
    send(new Message<>(parent, PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(data)));
  }

  @Override
  public void update(MimeBundle bundle, String displayId) {
    flush();
    DisplayData data = toDisplayData(bundle);
    data.setDisplayId(displayId);
    send(new Message<>(parent, PublishUpdateDisplayData.MESSAGE_TYPE, new PublishUpdateDisplayData(data)));
  }

  @Override
  public void clear(boolean wait) {
    flush();
    PublishClearOutput clear = wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW;
    send(new Message<>(parent, PublishClearOutput.MESSAGE_TYPE, clear));
  }

  /** JJava's display data for a bundle (data and metadata copied). */
  static DisplayData toDisplayData(MimeBundle bundle) {
    DisplayData data = new DisplayData();
    bundle.data().forEach(data::putData);
    bundle.metadata().forEach(data::putMetaData);
    return data;
  }

  private void send(Message<?> message) {
    iopub.sendMessage(message);
  }

  /** Buffers bytes until a flush, then publishes them as one stream message. */
  private final class StreamBuffer extends OutputStream {
    private final PublishStream.StreamType type;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    StreamBuffer(PublishStream.StreamType type) {
      this.type = type;
    }

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    @Override
    public void flush() {
      publish();
    }

    synchronized void publish() {
      if (bytes.size() == 0) {
        return;
      }
      String text = bytes.toString(StandardCharsets.UTF_8);
      bytes.reset();
      send(new Message<>(parent, PublishStream.MESSAGE_TYPE, new PublishStream(type, text)));
    }
  }
}
