package dev.fifochan.rpc;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.DecodeException;
import dev.fifochan.Deadline;
import dev.fifochan.FrameHandler;
import dev.fifochan.Headers;
import dev.fifochan.LivenessTimeoutException;
import dev.fifochan.Receiver;
import dev.fifochan.SendTimeoutException;
import dev.fifochan.Sender;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.rpc.internal.ControlCodec;
import dev.fifochan.rpc.internal.Protocol;
import dev.fifochan.rpc.internal.Protocol.Hello;
import dev.fifochan.rpc.internal.Protocol.Kind;
import dev.fifochan.spi.Duplex;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection, either side: the two streams of a {@link Duplex} as a {@link Sender} (control frames
 * and messages through one {@link ControlCodec}, in one order) and a {@link Receiver} read raw with
 * {@code pollFrames} so headers are seen before a payload is decoded; the handshake; the read loop; and
 * losing the connection exactly once.
 */
abstract class Link implements RpcPeer {
  static final System.Logger LOG = System.getLogger("dev.fifochan.rpc");
  private static final Duration POLL_SLICE = Duration.ofSeconds(1);
  private static final int POLL_BATCH = 64;
  /** How long this side's end of stream may take after the peer ended its own. */
  private static final Duration CLEAN_END_TIMEOUT = Duration.ofSeconds(1);

  final Duplex duplex;
  final Codec<Object> codec;
  final RpcConfig config;
  final RpcMetrics metrics;
  final Sender<Object> tx;
  final Receiver<Object> rx;
  final Hello localHello;
  final String description;
  volatile Hello remoteHello;
  /** The handshake succeeded and the link is not lost. */
  volatile boolean open;

  /** Held while a frame is sent and numbered, so that a loss reads the count after numbering ended. */
  private final ReentrantLock sendLock = new ReentrantLock();
  private final AtomicBoolean lost = new AtomicBoolean();
  /** How the link was lost; set once, before {@link #onLost} runs. */
  private volatile Loss loss;

  @SuppressWarnings("unchecked")
  Link(Duplex duplex, Codec<?> codec, RpcConfig config, RpcMetrics metrics, String role) throws IOException {
    this.duplex = duplex;
    this.codec = (Codec<Object>) codec;
    this.config = config;
    this.metrics = metrics;
    this.description = duplex.description();
    ChannelConfig channel = config.channel().toBuilder()
        .heartbeatInterval(config.heartbeatInterval())
        .livenessTimeout(config.livenessTimeout())
        .build();
    ControlCodec frames = new ControlCodec(codec);
    try {
      this.tx = Sender.over(duplex.sink(), frames, channel);
    } catch (IOException | RuntimeException e) {
      duplex.close();
      throw e;
    }
    this.rx = Receiver.over(duplex.source(), frames, channel);
    this.localHello = Hello.local(role, config.service(), codec.name(), config.heartbeatInterval().toNanos(),
        "fifochan-java pid " + ProcessHandle.current().pid());
  }

  // ---------------------------------------------------------------- sending

  /**
   * Told the number {@link #send} accepted a frame as, under the send lock: the sender's sequence
   * number ({@link Sender#send(Object)}), so that the frame is in the transport if and only if
   * {@code tx.stats().messagesWritten()} reaches it.
   */
  interface Numbered {
    void accepted(long frameNumber);
  }

  /**
   * Sends one frame ({@link ControlCodec#CONTROL} for an empty control frame), waiting for the
   * connection's send lock and for room at most until {@code deadline}; writes it at once unless another
   * sender is queued behind (who then writes both: group commit).
   *
   * @param numbered told the frame's number while the lock is held (null: not needed)
   * @throws LinkLostException if the link was lost before the frame was accepted (not sent)
   * @throws SendTimeoutException if no room came in time (not sent)
   * @throws IOException as {@link Sender#send}: encode failures, too long (not sent), transport failures
   */
  final void send(Object value, Headers headers, Deadline deadline, Numbered numbered) throws IOException {
    if (!lockSend(deadline)) {
      throw new SendTimeoutException(deadline.timeout());
    }
    try {
      if (lost.get()) {
        throw new LinkLostException();
      }
      long n = deadline.isNone() ? tx.send(value, headers)
          : tx.send(value, headers, Duration.ofNanos(deadline.remainingNanos()));
      if (numbered != null) {
        numbered.accepted(n);
      }
      if (!sendLock.hasQueuedThreads()) {
        try {
          tx.flush(Duration.ZERO); // write now; what does not fit now the idle flush writes
        } catch (IOException e) {
          // a flush timeout leaves the frame accepted; a transport failure shows in the next send or the reader
        }
      }
    } finally {
      sendLock.unlock();
    }
  }

  private boolean lockSend(Deadline deadline) throws InterruptedIOException {
    if (sendLock.tryLock()) {
      return true;
    }
    try {
      if (deadline.isNone()) {
        sendLock.lockInterruptibly();
        return true;
      }
      return sendLock.tryLock(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to send");
    }
  }

  /** Headers of a frame for call {@code id}: kind and id. */
  static Headers idHeaders(Kind kind, long id) {
    return Headers.builder().put(Protocol.KIND, kind.wire()).put(Protocol.ID, Long.toString(id)).build();
  }

  /** Sends an {@code error} frame; for a connection error {@code id} is 0 (no {@code fc-id}). */
  final void sendError(long id, int code, String message, String field, Deadline deadline) throws IOException {
    Headers.Builder b = Headers.builder().put(Protocol.KIND, Kind.ERROR.wire());
    if (id != 0) {
      b.put(Protocol.ID, Long.toString(id));
    }
    b.put(Protocol.STATUS, Integer.toString(code)).put(Protocol.MESSAGE, Protocol.cutMessage(message));
    if (field != null) {
      b.put(Protocol.FIELD, field);
    }
    send(ControlCodec.CONTROL, b.build(), deadline, null);
  }

  @Override
  public void notify(String operation, Object message, Duration timeout) throws IOException {
    java.util.Objects.requireNonNull(message, "message");
    if (!open) {
      throw new RpcException(RpcStatus.UNAVAILABLE.code(), "the connection is not open", operation, 0, false, null);
    }
    Headers.Builder b = Headers.builder().put(Protocol.KIND, Kind.NOTIFY.wire());
    if (operation != null && !Protocol.checkOperation(operation).equals(codec.tagOf(message))) {
      b.put(Protocol.OP, operation);
    }
    try {
      send(message, b.build(), Deadline.after(timeout), null);
    } catch (LinkLostException e) {
      throw new RpcException(RpcStatus.UNAVAILABLE.code(), "the connection was lost", operation, 0, false, null);
    }
    metrics.notificationsSent.increment();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return localHello.role + " link " + description;
  }

  // ---------------------------------------------------------------- the handshake

  /**
   * Sends this side's hello, reads the peer's (its first frame) and checks it. On a mismatch it tells
   * the peer (an {@code error} frame without {@code fc-id}, status 9, then an aborted end), closes the
   * connection and throws.
   *
   * @throws HandshakeException on a mismatch (the connection is closed)
   * @throws IOException if no hello came in time or the connection failed (the connection is closed)
   */
  final void handshake() throws IOException {
    Deadline deadline = Deadline.after(config.handshakeTimeout());
    Headers[] first = new Headers[1];
    try {
      send(ControlCodec.CONTROL, localHello.toHeaders(), deadline, null);
      tx.flush(Duration.ofNanos(Math.max(1, deadline.remainingNanos())));
      while (first[0] == null) {
        if (deadline.hasExpired()) {
          throw new RpcException(RpcStatus.UNAVAILABLE.code(), "no hello from the peer within "
              + config.handshakeTimeout(), null, 0, false, null);
        }
        int n;
        try {
          n = rx.pollFrames(f -> first[0] = f.headers().copy(), 1, Duration.ofNanos(Math.max(1, deadline.remainingNanos())));
        } catch (DecodeException e) {
          throw reject(HandshakeException.Field.HELLO, "hello", "a malformed frame", e.toString());
        }
        if (n < 0) {
          throw new RpcException(RpcStatus.UNAVAILABLE.code(), "the peer ended its stream before its hello", null, 0,
              false, null);
        }
      }
    } catch (HandshakeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      abandon();
      throw e;
    }
    Headers h = first[0];
    Kind kind = Kind.of(h.get(Protocol.KIND));
    if (kind == Kind.ERROR && idOf(h) == 0) { // a connection error: no valid fc-id (as in the read loop)
      abandon();
      throw fromPeer(h);
    }
    if (kind != Kind.HELLO) {
      throw reject(HandshakeException.Field.HELLO, "hello", kind == null ? h.getString(Protocol.KIND) : kind.wire(),
          "the first frame must be a hello");
    }
    Hello remote = Hello.parse(h);
    HandshakeException mismatch = check(remote);
    if (mismatch != null) {
      throw reject(mismatch);
    }
    remoteHello = remote;
    open = true;
  }

  /** The first mismatch of {@code r} against this side's hello, in the order of docs/rpc.md §4; null if none. */
  private HandshakeException check(Hello r) {
    Hello l = localHello;
    if (!l.version.equals(r.version)) {
      return mismatch(HandshakeException.Field.VERSION, l.version, r.version, null);
    }
    String peerRole = l.role.equals(Protocol.ROLE_CLIENT) ? Protocol.ROLE_RESPONDER : Protocol.ROLE_CLIENT;
    if (!peerRole.equals(r.role)) {
      return mismatch(HandshakeException.Field.ROLE, l.role, r.role, "a " + Protocol.ROLE_CLIENT
          + " connects to a " + Protocol.ROLE_RESPONDER);
    }
    if (!l.service.equals(r.service)) {
      return mismatch(HandshakeException.Field.SERVICE, l.service, r.service, null);
    }
    if (!l.codec.equals(r.codec)) {
      return mismatch(HandshakeException.Field.CODEC, l.codec, r.codec, null);
    }
    long liveness = config.livenessTimeout().toNanos();
    if (liveness > 0 && (r.heartbeatNanos == null || r.heartbeatNanos == 0 || r.heartbeatNanos > liveness / 2)) {
      return mismatch(HandshakeException.Field.HEARTBEAT, Long.toString(liveness), r.heartbeatText,
          "this side's liveness timeout in ns needs the peer's heartbeat interval to be at most half of it");
    }
    return null;
  }

  private HandshakeException mismatch(HandshakeException.Field f, String local, String remote, String detail) {
    return new HandshakeException(f, local, remote, false, description, detail);
  }

  private HandshakeException reject(HandshakeException.Field f, String local, String remote, String detail) {
    return reject(mismatch(f, local, remote, detail));
  }

  /** Tells the peer about a mismatch this side found, closes the connection, returns the exception to throw. */
  private HandshakeException reject(HandshakeException e) {
    String text = e.getMessage();
    try {
      sendError(0, RpcStatus.FAILED_PRECONDITION.code(), text, e.field().name().toLowerCase(Locale.ROOT),
          Deadline.after(Duration.ofSeconds(1)));
    } catch (IOException | RuntimeException ignored) {
      // the peer may be gone already; this side fails either way
    }
    lost.set(true);
    open = false;
    tx.abort(text); // the reason is cut to 1024 bytes by the sender
    duplex.close();
    return e; // the client or responder logs it, with what it does next
  }

  /** The HandshakeException a peer's connection error (status 9) reports, with both values from the hellos. */
  final HandshakeException fromPeer(Headers error) {
    String fieldName = error.getString(Protocol.FIELD);
    HandshakeException.Field field = HandshakeException.Field.HELLO;
    if (fieldName != null) {
      try {
        field = HandshakeException.Field.valueOf(fieldName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // a field this version does not know: report it as HELLO with the peer's text
      }
    }
    Hello l = localHello;
    Hello r = remoteHello;
    String local;
    String remote;
    switch (field) {
      case VERSION:
        local = l.version;
        remote = r == null ? null : r.version;
        break;
      case ROLE:
        local = l.role;
        remote = r == null ? null : r.role;
        break;
      case SERVICE:
        local = l.service;
        remote = r == null ? null : r.service;
        break;
      case CODEC:
        local = l.codec;
        remote = r == null ? null : r.codec;
        break;
      case HEARTBEAT:
        local = l.heartbeatText;
        remote = null;
        break;
      default:
        local = null;
        remote = null;
    }
    return new HandshakeException(field, local, remote, true, description, error.getString(Protocol.MESSAGE));
  }

  // ---------------------------------------------------------------- reading

  /** Reads and dispatches frames until the link is lost. Runs on the connection's thread. */
  final void readLoop() {
    FrameHandler handler = this::dispatch;
    while (!lost.get()) {
      try {
        if (rx.pollFrames(handler, POLL_BATCH, POLL_SLICE) < 0) {
          lose(PeerGoneException.Reason.ENDED, "it ended its stream", null);
        }
      } catch (DecodeException e) {
        metrics.framesIgnored.increment(); // a malformed frame (bad tag or headers); the next one is intact
      } catch (LivenessTimeoutException e) {
        lose(PeerGoneException.Reason.SILENT, e.getMessage(), e);
      } catch (StreamAbortedException e) {
        lose(PeerGoneException.Reason.ENDED, "it aborted its stream: " + e.reason(), e);
      } catch (TruncatedStreamException e) {
        lose(PeerGoneException.Reason.EXITED, e.getMessage(), e);
      } catch (ClosedChannelException e) {
        lose(PeerGoneException.Reason.BROKEN, "the connection was closed", e);
      } catch (IOException | RuntimeException e) {
        lose(PeerGoneException.Reason.BROKEN, e.toString(), e);
      }
    }
  }

  private void dispatch(FrameHandler.Frame f) {
    Kind kind = Kind.of(f.headers().get(Protocol.KIND));
    if (kind == null) {
      metrics.framesIgnored.increment();
      return;
    }
    onFrame(kind, f);
  }

  /** Handles one frame of a known kind, on the connection's thread; must not block for long. */
  abstract void onFrame(Kind kind, FrameHandler.Frame frame);

  /** The id of a frame ({@code fc-id}: 1 .. 2^63-1), or 0 if it has none or a malformed one. */
  static long idOf(Headers h) {
    long id = Protocol.parseNonNegative(h.get(Protocol.ID));
    return id > 0 ? id : 0;
  }

  // ---------------------------------------------------------------- losing the link

  /** Whether the link was lost (or closed). */
  final boolean isLost() {
    return lost.get();
  }

  /**
   * Loses the link once: after a clean end from the peer ends this side's stream too (within a second);
   * closes the transport (waking blocked sends and the reader), waits for sends in progress to settle,
   * then reports with the number of frames every byte of which reached the
   * transport. Later calls do nothing.
   */
  final boolean lose(PeerGoneException.Reason reason, String detail, Throwable cause) {
    if (!lost.compareAndSet(false, true)) {
      return false;
    }
    open = false;
    if (reason == PeerGoneException.Reason.ENDED && cause == null) {
      // the peer ended its stream cleanly and may still read: end this side's stream too (bounded)
      try {
        tx.close(CLEAN_END_TIMEOUT);
      } catch (IOException e) {
        // it stopped reading too; the transport closes below
      }
    }
    duplex.close();
    tx.abort("connection lost: " + reason); // closed: the sender's count of written frames is final
    long written;
    sendLock.lock(); // a send that was accepted finishes numbering its call first
    try {
      written = tx.stats().messagesWritten();
    } finally {
      sendLock.unlock();
    }
    Loss l = new Loss(reason, detail, cause, written, false);
    loss = l;
    try {
      rx.close();
    } catch (IOException ignored) {
      // closing a receiver does not fail
    }
    LOG.log(System.Logger.Level.INFO, "{0} lost ({1}): {2}", this, reason, detail);
    onLost(l);
    return true;
  }

  /**
   * Ends the link from this side: drains and writes the end of stream within {@code timeout}, closes
   * the transport, and reports a local loss. Does nothing if already lost.
   */
  final void closeGracefully(Duration timeout) {
    if (!lost.compareAndSet(false, true)) {
      return;
    }
    open = false;
    long written;
    sendLock.lock(); // sends in progress finish first
    try {
      try {
        tx.close(timeout);
      } catch (IOException e) {
        // the peer is gone or slow; the transport closes below either way
      }
      written = tx.stats().messagesWritten();
    } finally {
      sendLock.unlock();
    }
    Loss l = new Loss(PeerGoneException.Reason.ENDED, "closed by this side", null, written, true);
    loss = l;
    duplex.close();
    LOG.log(System.Logger.Level.DEBUG, "{0} closed by this side", this);
    try {
      rx.close();
    } catch (IOException ignored) {
      // closing a receiver does not fail
    }
    onLost(l);
  }

  /**
   * How the link was lost, waiting up to a second for a loss in progress on another thread to be
   * recorded; null if the link is not lost (or the loss is still being recorded).
   */
  final Loss awaitLoss() {
    long end = System.nanoTime() + 1_000_000_000L;
    Loss l;
    while ((l = loss) == null && lost.get() && System.nanoTime() - end < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }
    return l;
  }

  /** Closes the transport before the link was ever open. */
  final void abandon() {
    lost.set(true);
    open = false;
    duplex.close();
    tx.abort("handshake failed");
    try {
      rx.close();
    } catch (IOException ignored) {
      // closing a receiver does not fail
    }
  }

  /** Told once when the link is lost or closed (on the thread that lost it). */
  abstract void onLost(Loss loss);

  /** How a link was lost. */
  static final class Loss {
    final PeerGoneException.Reason reason;
    final String detail;
    final Throwable cause;
    /** Frames every byte of which reached the transport. */
    final long framesWritten;
    /** Closed by this side. */
    final boolean local;

    Loss(PeerGoneException.Reason reason, String detail, Throwable cause, long framesWritten, boolean local) {
      this.reason = reason;
      this.detail = detail;
      this.cause = cause;
      this.framesWritten = framesWritten;
      this.local = local;
    }
  }

  /** Thrown by {@link #send} when the link was lost before the frame was accepted: not sent. */
  static final class LinkLostException extends IOException {
    private static final long serialVersionUID = 1L;

    LinkLostException() {
      super("the connection was lost", null);
    }
  }
}
