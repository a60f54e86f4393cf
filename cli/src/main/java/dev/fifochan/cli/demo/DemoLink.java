package dev.fifochan.cli.demo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.cli.CountingReadChannel;
import dev.fifochan.cli.CountingWriteChannel;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoReadChannel;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's side of one phase: a sender on the requests FIFO and a receiver on the replies FIFO,
 * opened in the order the peer opens them (requests first), both counting wire bytes.
 *
 * @param <T> the message type
 */
final class DemoLink<T> implements AutoCloseable {
  final Sender<T> requests;
  final Receiver<T> replies;
  private final CountingWriteChannel out;
  private final LongAdder in = new LongAdder();

  DemoLink(Workspace ws, DemoCodec<T> dc, ChannelConfig config) throws IOException {
    out = new CountingWriteChannel(Fifo.openWriteChannel(ws.requests(), config));
    Sender<T> s = null;
    try {
      s = Sender.over(out, dc.codec(), config);
      FifoReadChannel r = Fifo.openReadChannel(ws.replies(), config);
      replies = Receiver.over(new CountingReadChannel(r, in, "FIFO " + ws.replies()), dc.codec(), config);
      requests = s;
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** Wire bytes in both directions so far. */
  long bytes() {
    return out.bytes() + in.sum();
  }

  @Override
  public void close() throws IOException {
    try {
      requests.close();
    } finally {
      replies.close();
    }
  }
}
