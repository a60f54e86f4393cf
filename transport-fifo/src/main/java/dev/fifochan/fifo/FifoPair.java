package dev.fifochan.fifo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.fifo.internal.Linux;
import dev.fifochan.fifo.internal.NativeLoader;
import dev.fifochan.spi.Acceptor;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.Connector;
import dev.fifochan.spi.Duplex;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.FrameSource;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Two FIFOs as one two-way connection, for request/response: the client writes requests into the
 * request FIFO and reads responses from the response FIFO; the responder does the reverse.
 * {@link #connector} gives the client's {@link Connector}, {@link #acceptor} the responder's
 * {@link Acceptor}; each yields a {@link Duplex} to wrap with {@code Sender.over(duplex.sink(), ...)}
 * and {@code Receiver.over(duplex.source(), ...)}.
 *
 * <p><b>Either side may start first.</b> Each side opens (creating it if missing, with
 * {@link FifoOptions#createIfMissing()}) and locks its read end first, without waiting for a writer,
 * and then opens its write end, which waits until the peer's read end is there. So neither side
 * waits for a byte the other has not written yet. Until the peer's writer has come, the read end
 * reports no bytes rather than end of file, and its wait checks the path every 250 ms like any wait
 * for a peer (removed: {@link FifoRemovedException}; created anew: the new FIFO is opened).
 *
 * <p>The same path rules, reader lock and path re-checks apply as for {@link Fifo}. One connection
 * at a time: the responder's next {@code accept} waits until the connection it accepted last is
 * closed. Closing the connector or the acceptor cancels a connect or accept in progress.
 */
public final class FifoPair {
  private static final System.Logger LOG = System.getLogger("dev.fifochan.fifo");
  private final Path requestPath;
  private final Path responsePath;
  private final FifoOptions options;

  private FifoPair(Path requestPath, Path responsePath, FifoOptions options) {
    this.requestPath = Objects.requireNonNull(requestPath, "requestPath");
    this.responsePath = Objects.requireNonNull(responsePath, "responsePath");
    this.options = Objects.requireNonNull(options, "options");
    if (options.follow()) {
      throw new IllegalArgumentException("a FIFO pair does not follow: each connection is one writer session each way");
    }
    if (requestPath.toAbsolutePath().normalize().equals(responsePath.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("the request and response FIFOs must differ: " + requestPath);
    }
  }

  /**
   * The pair of FIFOs at these paths.
   *
   * @throws IllegalArgumentException if the paths are the same or {@code options} follow
   */
  public static FifoPair of(Path requestPath, Path responsePath, FifoOptions options) {
    return new FifoPair(requestPath, responsePath, options);
  }

  /** The FIFO the client writes requests into. */
  public Path requestPath() {
    return requestPath;
  }

  /** The FIFO the responder writes responses into. */
  public Path responsePath() {
    return responsePath;
  }

  public FifoOptions options() {
    return options;
  }

  /**
   * The client side: {@link Connector#connect} opens the response FIFO's read end, then the request
   * FIFO's write end, waiting for the responder at most until its deadline
   * ({@link OpenTimeoutException}). {@link Connector#close()} cancels a pending connect at once (it
   * throws {@link java.nio.channels.AsynchronousCloseException}) and refuses later ones.
   *
   * @param config framing for both directions
   */
  public Connector connector(ChannelConfig config) {
    Objects.requireNonNull(config, "config");
    return new PairConnector(config);
  }

  /**
   * The responder side: {@link Acceptor#accept} opens the request FIFO's read end, then the
   * response FIFO's write end, waiting for a client at most until its deadline (then it returns
   * null). The pair carries one connection at a time: an {@code accept} called while the connection
   * it accepted last is still open waits, within the same deadline, until both halves of that
   * connection are closed ({@link Duplex#close()}, or the sender and the receiver over them), and
   * then accepts the next. {@link Acceptor#close()} cancels a pending accept at once.
   *
   * @param config framing for both directions
   */
  public Acceptor acceptor(ChannelConfig config) {
    Objects.requireNonNull(config, "config");
    return new PairAcceptor(config);
  }

  /**
   * Opens {@code readPath}'s read end (locked, not waiting), then {@code writePath}'s write end
   * (waiting), as the attempt {@code owner} may cancel.
   */
  private Duplex open(Path readPath, Path writePath, ChannelConfig config, Deadline deadline, Endpoint owner)
      throws IOException {
    FifoReadChannel in = FifoReadChannel.unconnected(readPath, options);
    FifoWriteChannel out = null;
    boolean ok = false;
    try {
      out = FifoWriteChannel.unconnected(writePath, options);
      if (!owner.pending(in, out)) {
        throw new ClosedChannelException();
      }
      in.connectWithoutWaiting();
      out.connect(deadline.isNone() ? -1 : deadline.remainingNanos());
      FrameSink sink = ByteStreams.sink(out, config, options.fanIn() ? Linux.PIPE_BUF : 0);
      FrameSource source = ByteStreams.source(in, config, null, null);
      ok = true;
      owner.connected(in, out);
      return new PairDuplex(sink, source, in + " and " + out);
    } finally {
      owner.pending(null, null);
      if (!ok) {
        in.close();
        if (out != null) {
          out.close();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "FIFO pair (requests " + requestPath + ", responses " + responsePath + ")";
  }

  /** What the connector and the acceptor share: the attempt in progress, which closing cancels. */
  private abstract class Endpoint {
    final ChannelConfig config;
    final Object lock = new Object();
    boolean closed;
    private FifoEnd pendingIn;
    private FifoEnd pendingOut;

    Endpoint(ChannelConfig config) {
      this.config = config;
    }

    /** Records the channels of the attempt in progress (null, null: none); false if closed. */
    final boolean pending(FifoEnd in, FifoEnd out) {
      synchronized (lock) {
        pendingIn = in;
        pendingOut = out;
        return !closed;
      }
    }

    /** The attempt connected these two ends (the acceptor follows them until they close). */
    void connected(FifoEnd in, FifoEnd out) {}

    final void checkOpen() throws ClosedChannelException {
      synchronized (lock) {
        if (closed) {
          throw new ClosedChannelException();
        }
      }
    }

    /** Stops: cancels the attempt in progress, refuses later ones. Any thread; idempotent. */
    public void close() {
      FifoEnd in;
      FifoEnd out;
      synchronized (lock) {
        closed = true;
        in = pendingIn;
        out = pendingOut;
        lock.notifyAll();
      }
      if (in != null) {
        in.close();
      }
      if (out != null) {
        out.close();
      }
    }
  }

  /** The client's connector; {@link #close()} cancels a pending connect. */
  private final class PairConnector extends Endpoint implements Connector {
    PairConnector(ChannelConfig config) {
      super(config);
    }

    @Override
    public Duplex connect(Deadline deadline) throws IOException {
      NativeLoader.require();
      checkOpen();
      return open(responsePath, requestPath, config, deadline, this);
    }

    @Override
    public String toString() {
      return "connector of " + FifoPair.this;
    }
  }

  /** The responder's acceptor: one connection at a time; {@link #close()} cancels a pending accept. */
  private final class PairAcceptor extends Endpoint implements Acceptor {
    /** Ends of the connection accepted last that are still open (guarded by lock). */
    private int openEnds;

    PairAcceptor(ChannelConfig config) {
      super(config);
    }

    @Override
    public Duplex accept(Deadline deadline) throws IOException {
      NativeLoader.require();
      if (!awaitPreviousClosed(deadline)) {
        return null;
      }
      try {
        return open(requestPath, responsePath, config, deadline, this);
      } catch (OpenTimeoutException e) {
        return null;
      }
    }

    /** Waits until the last connection's ends are closed; false if the deadline passed first. */
    private boolean awaitPreviousClosed(Deadline deadline) throws IOException {
      synchronized (lock) {
        boolean logged = false;
        while (true) {
          if (closed) {
            throw new ClosedChannelException();
          }
          if (openEnds == 0) {
            return true;
          }
          long left = deadline.remainingNanos();
          if (left == 0) {
            return false;
          }
          if (!logged) {
            logged = true;
            LOG.log(System.Logger.Level.DEBUG, "{0}: the next accept waits for the open connection to close", this);
          }
          try {
            if (left == Long.MAX_VALUE) {
              lock.wait();
            } else {
              java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the previous connection to close");
          }
        }
      }
    }

    @Override
    void connected(FifoEnd in, FifoEnd out) {
      synchronized (lock) {
        openEnds = 2;
      }
      in.whenClosed(new EndClosed());
      out.whenClosed(new EndClosed());
    }

    /** Counts one end of the connection as closed, once. */
    private final class EndClosed implements Runnable {
      private boolean done;

      @Override
      public void run() {
        synchronized (lock) {
          if (!done) {
            done = true;
            openEnds--;
            lock.notifyAll();
          }
        }
      }
    }

    @Override
    public String toString() {
      return "acceptor of " + FifoPair.this;
    }
  }

  /** The two halves of one connection. */
  private static final class PairDuplex implements Duplex {
    private final FrameSink sink;
    private final FrameSource source;
    private final String description;

    PairDuplex(FrameSink sink, FrameSource source, String description) {
      this.sink = sink;
      this.source = source;
      this.description = description;
    }

    @Override
    public FrameSink sink() {
      return sink;
    }

    @Override
    public FrameSource source() {
      return source;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public void close() {
      sink.close();
      source.close();
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
