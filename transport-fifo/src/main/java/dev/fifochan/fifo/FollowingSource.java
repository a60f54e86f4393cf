package dev.fifochan.fifo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.fifo.internal.Log;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Follow mode: a {@link FrameSource} that reads one writer session after another from one FIFO. Each
 * session is a new read descriptor from the {@link FollowOpener} (which holds the FIFO, its reader
 * lock and the path re-checks) wrapped in {@link ByteStreams#source}; positions restart at 0 with each
 * session. When a session's input ends it waits for the next writer instead of ending: the source
 * never returns {@link InboundRecord.Kind#END}.
 *
 * <p>Failures: a stream failure ({@link StreamException}: truncated, corrupt, too long,
 * incompatible) is thrown once, and that writer's remaining bytes are skipped up to its end of file
 * (they cannot be framed any more): what is in the pipe at once, the rest by the next call, which
 * then goes on with the next writer. A truncated stream was found at the end of file already. A per-message
 * failure (a malformed frame) is thrown and the session goes on. {@link FifoRemovedException} and
 * {@link FifoBusyException} from the opener end following (each later call throws again).
 *
 * <p>One thread calls {@link #next}; {@link #close()} from any thread wakes it.
 */
final class FollowingSource implements FrameSource {
  /** Most bytes of a failed writer skipped at once, before the failure is thrown. */
  static final long SKIP_NOW_LIMIT = 16L << 20;

  private final FollowOpener opener;
  private final Path path;
  private final ChannelConfig config;
  private final Predicate<String> acceptsCodec;
  private final String readerCodec;
  private final Object lock = new Object();
  private volatile boolean closed;
  private volatile FifoReadChannel channel;
  private volatile FrameSource session;
  private boolean draining;
  private ByteBuffer drainBuffer;
  /**
   * Sessions opened so far, for the log: one per new read descriptor, i.e. per writer that came after
   * the last end of file (writers that overlap share one).
   */
  private long sessions;
  /** The read buffer every writer session's source reads into, one after another (made with the first). */
  private ByteBuffer readBuffer;

  FollowingSource(FollowOpener opener, Path path, ChannelConfig config, Predicate<String> acceptsCodec, String readerCodec) {
    this.opener = opener;
    this.path = path;
    this.config = config;
    this.acceptsCodec = acceptsCodec;
    this.readerCodec = readerCodec;
  }

  @Override
  public InboundRecord next(Deadline deadline) throws IOException {
    while (true) {
      if (closed) {
        throw new ClosedChannelException();
      }
      if (draining && !drain(deadline)) {
        return null;
      }
      if (session == null && !openSession(deadline)) {
        return null;
      }
      InboundRecord r;
      try {
        r = session.next(deadline);
      } catch (TruncatedStreamException e) {
        Log.log(System.Logger.Level.INFO, "{0}: session {1} failed: {2}", path, sessions, e.getMessage());
        endSession(); // thrown at this writer's end of file: nothing left to skip
        throw e;
      } catch (StreamException e) {
        Log.log(System.Logger.Level.INFO, "{0}: session {1} failed: {2}; the rest of its bytes are skipped up to its end of file",
            path, sessions, e.getMessage());
        draining = true; // thrown once; what is left of this writer is skipped up to its end of file
        skipAvailable();
        throw e;
      }
      if (r == null) {
        return null;
      }
      if (r.kind() == InboundRecord.Kind.END) {
        endSession();
        continue;
      }
      return r;
    }
  }

  private boolean openSession(Deadline deadline) throws IOException {
    FifoReadChannel ch = opener.open(deadline.isNone() ? -1 : deadline.remainingNanos());
    if (ch == null) {
      return false;
    }
    synchronized (lock) {
      if (closed) {
        ch.close();
        throw new AsynchronousCloseException();
      }
      channel = ch;
      if (readBuffer == null) {
        readBuffer = ByteStreams.readBuffer(config);
      }
      session = ByteStreams.source(ch, config, acceptsCodec, readerCodec, readBuffer); // the last session is closed
      sessions++;
    }
    Log.log(System.Logger.Level.DEBUG, "{0}: a writer came: session {1} reads it", path, sessions);
    return true;
  }

  /**
   * Right after a failure, reads and drops what the failed writer has left in the pipe without
   * waiting (at most {@link #SKIP_NOW_LIMIT} bytes), so that its end of file is usually reached
   * before the next writer begins; the rest, if any, is skipped by the next call. (Bytes of a writer
   * that opened the FIFO before the failed one's end of file cannot be told apart from the failed
   * one's and are skipped with them: a pipe has no boundary between writers but its end of file.)
   */
  private void skipAvailable() throws IOException {
    FifoReadChannel ch = channel;
    if (ch == null) {
      return;
    }
    ByteBuffer b = drainBuffer();
    for (long skipped = 0; skipped < SKIP_NOW_LIMIT; ) {
      b.clear();
      int n = ch.read(b);
      if (n < 0) {
        endSession();
        draining = false;
        return;
      }
      if (n == 0) {
        return;
      }
      skipped += n;
    }
  }

  private ByteBuffer drainBuffer() {
    if (drainBuffer == null) {
      drainBuffer = ByteBuffer.allocateDirect(FifoEnd.SCRATCH_SIZE);
    }
    return drainBuffer;
  }

  /** Reads and drops the failed writer's remaining bytes; true once its end of file was reached. */
  private boolean drain(Deadline deadline) throws IOException {
    FifoReadChannel ch = channel;
    if (ch != null) {
      ByteBuffer b = drainBuffer();
      while (true) {
        b.clear();
        int n = ch.read(b);
        if (n < 0) {
          break;
        }
        if (n == 0 && !ch.awaitReady(deadline) && deadline.hasExpired()) {
          return false;
        }
      }
    }
    endSession();
    draining = false;
    return true;
  }

  private void endSession() {
    FrameSource s;
    synchronized (lock) {
      s = session;
      session = null;
      channel = null;
    }
    if (s != null) {
      s.close(); // closes the session's descriptor
      Log.log(System.Logger.Level.DEBUG, "{0}: session {1} ended: its writers left (end of file)", path, sessions);
    }
  }

  @Override
  public int openSessions() {
    FrameSource s = session;
    return s == null ? 0 : s.openSessions();
  }

  /** The current writer session's last read that got bytes; {@link Long#MIN_VALUE} between sessions. */
  @Override
  public long lastActivityNanos() {
    FrameSource s = session;
    return s == null ? Long.MIN_VALUE : s.lastActivityNanos();
  }

  /** The position in the current writer session (positions restart at 0 with each); -1 between sessions. */
  @Override
  public long position() {
    FrameSource s = session;
    return s == null ? -1 : s.position();
  }

  /** The read buffer the sessions share (null before the first); for tests. */
  ByteBuffer readBuffer() {
    return readBuffer;
  }

  @Override
  public boolean resumesAfterFailure() {
    return true;
  }

  @Override
  public String description() {
    return "read end of FIFO " + path + " (following)";
  }

  @Override
  public void close() {
    FrameSource s;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      s = session;
      session = null;
      channel = null;
    }
    opener.close(); // cancels a pending wait for the next writer
    if (s != null) {
      s.close(); // wakes a blocked read
    }
  }

  @Override
  public String toString() {
    return description();
  }
}
