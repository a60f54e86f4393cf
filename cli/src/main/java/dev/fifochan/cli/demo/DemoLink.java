package dev.fifochan.cli.demo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;

/**
 * The demo's side of a burst: a sender on the requests FIFO and a receiver on the replies FIFO,
 * opened in the order the peer opens them (requests first).
 *
 * @param <T> the message type
 */
final class DemoLink<T> implements AutoCloseable {
  final Sender<T> requests;
  final Receiver<T> replies;

  DemoLink(Workspace ws, DemoCodec<T> dc, ChannelConfig config, FifoOptions options) throws IOException {
    Sender<T> s = Fifo.openSender(ws.requests(), dc.codec(), config, options);
    try {
      replies = Fifo.openReceiver(ws.replies(), dc.codec(), config, options);
      requests = s;
    } catch (IOException | RuntimeException e) {
      s.abort("the demo could not open " + ws.replies());
      throw e;
    }
  }

  /** Wire bytes in both directions so far (payload bytes for the replies). */
  long bytes() {
    return requests.stats().bytesWritten() + replies.stats().payloadBytesReceived();
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
