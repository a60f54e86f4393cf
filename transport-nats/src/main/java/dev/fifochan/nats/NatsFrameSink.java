package dev.fifochan.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.CloseTimeoutException;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.PayloadSink;
import dev.fifochan.SendStatus;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.SinkCounters;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One writer session on a NATS subject: one NATS message per record ({@code docs/nats.md} §2). Core
 * NATS: a record is written when jnats has it in its outgoing queue; JetStream: when the stream has
 * acknowledged it (publishes are asynchronous, at most {@link NatsOptions#maxInFlight()} outstanding,
 * retried with the same {@code Nats-Msg-Id} after a timeout or a lost connection).
 */
final class NatsFrameSink implements FrameSink {
  private static final System.Logger LOG = System.getLogger("dev.fifochan.nats");
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final NatsEndpoint endpoint;
  private final Connection nc;
  private final String subject;
  private final NatsOptions options;
  private final boolean jetStream;
  private final JetStream js;
  private final String session;
  private final PayloadBuffer payload;
  private final int maxFrameLength;
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  /** Extra headers of the start record (request/response: the inbox). */
  private final String startInbox;

  private String codecName;
  private WireVersion version = WireVersion.V1_1;
  private boolean startPending;
  private boolean inFrame;
  private String tag = "";
  private Headers frameHeaders = Headers.empty();
  private long seq;
  private long heartbeats;
  private boolean ended;
  private volatile boolean closed;
  private volatile boolean wake;
  private volatile IOException failure;

  // counters (written by the writing thread, read by any)
  private volatile long messagesWritten;
  private volatile long bytesWritten;
  private volatile long messagesAccepted;
  private volatile long backPressureWaits;
  private volatile long backPressureNanos;
  private volatile long retries;
  private volatile long duplicatesAcked;

  private final SinkCounters counters = new SinkCounters() {
    @Override
    public long messagesWritten() {
      return messagesWritten;
    }

    @Override
    public long bytesWritten() {
      return bytesWritten;
    }

    @Override
    public long messagesPending() {
      return Math.max(0, messagesAccepted - messagesWritten);
    }

    @Override
    public boolean frameTorn() {
      return false; // a NATS message is sent whole or not at all
    }

    @Override
    public long backPressureWaits() {
      return backPressureWaits;
    }

    @Override
    public long backPressureNanos() {
      return backPressureNanos;
    }
  };

  /** A JetStream publish awaiting the stream's acknowledgement. */
  private static final class Pending {
    final NatsMessage message;
    final boolean frame;
    final int size;
    CompletableFuture<PublishAck> ack;

    Pending(NatsMessage message, boolean frame, int size) {
      this.message = message;
      this.frame = frame;
      this.size = size;
    }
  }

  NatsFrameSink(NatsEndpoint endpoint, String subject, ChannelConfig config, NatsOptions options, String startInbox)
      throws IOException {
    this.endpoint = endpoint;
    this.nc = endpoint.connection();
    this.subject = Nats.checkSubject(subject, false);
    this.options = options;
    this.jetStream = options.mode() == NatsOptions.Mode.JETSTREAM;
    this.js = jetStream ? NatsStreams.prepareForPublishing(nc, subject, options) : null;
    this.session = NatsWire.newSessionId();
    this.maxFrameLength = config.maxFrameLength();
    this.payload = new PayloadBuffer(maxFrameLength, Math.min(config.bufferSize(), 64 << 10));
    this.startInbox = startInbox;
  }

  /** This session's id ({@code fc-session}). */
  String session() {
    return session;
  }

  /** Frames sent so far (the last {@code fc-seq}). */
  long lastSeq() {
    return seq;
  }

  /** Retried JetStream publishes the stream had already stored (its dedup dropped the second copy). */
  long duplicatesAcked() {
    return duplicatesAcked;
  }

  /** JetStream publishes retried after a timeout or a lost connection. */
  long retries() {
    return retries;
  }

  // ---------------------------------------------------------------- FrameSink

  @Override
  public void start(String codecName, WireVersion version) throws IOException {
    if (codecName == null || !codecName.matches("[\\x21-\\x7e]{1,64}")) {
      throw new IllegalArgumentException("a codec name is 1 to 64 printable ASCII characters: '" + codecName + "'");
    }
    checkUsable();
    this.codecName = codecName;
    this.version = version;
    this.startPending = true;
    publishStartIfConnected();
  }

  private void publishStartIfConnected() throws IOException {
    if (startPending && connected() && room()) {
      io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
      h.put(NatsWire.REC, NatsWire.REC_START);
      h.put(NatsWire.SESSION, session);
      h.put(NatsWire.CODEC, codecName);
      h.put(NatsWire.VERSION, version == WireVersion.V1_0 ? "1.0" : "1.1");
      if (startInbox != null) {
        h.put(NatsWire.INBOX, startInbox);
      }
      if (publish(h, null, "s", false)) {
        startPending = false;
      }
    }
  }

  @Override
  public PayloadSink beginFrame(byte[] tagUtf8, Headers headers) throws IOException {
    checkUsable();
    if (codecName == null) {
      throw new IllegalStateException("start() first");
    }
    if (tagUtf8.length > dev.fifochan.Codec.MAX_TAG_LENGTH) {
      throw new IllegalArgumentException("tag longer than " + dev.fifochan.Codec.MAX_TAG_LENGTH + " bytes");
    }
    if (headers != null && !headers.isEmpty()) {
      if (version == WireVersion.V1_0) {
        throw new IllegalStateException("headers need wire format 1.1; this sender writes " + version);
      }
      checkHeaders(headers);
    }
    this.tag = tagUtf8.length == 0 ? "" : new String(tagUtf8, StandardCharsets.UTF_8);
    this.frameHeaders = headers == null ? Headers.empty() : headers;
    long max = nc.getMaxPayload();
    payload.reset(max > 0 ? max : 0);
    inFrame = true;
    return payload;
  }

  /** The same limits as the wire format's header block (so a channel refuses the same headers on every transport). */
  private static void checkHeaders(Headers headers) throws MessageTooLongException {
    if (headers.size() > 64) {
      throw new MessageTooLongException(headers.size(), 64, MessageTooLongException.Limit.HEADERS);
    }
    long[] block = {0};
    int[] longest = {0};
    String[] clash = {null};
    headers.forEach((k, v) -> {
      block[0] += 1 + k.length() + 2 + v.length;
      longest[0] = Math.max(longest[0], v.length);
      if (NatsWire.isMappingKey(k)) {
        clash[0] = k;
      }
    });
    if (clash[0] != null) {
      throw new IllegalArgumentException("header key '" + clash[0] + "' is the NATS mapping's own (docs/nats.md §2)");
    }
    if (longest[0] > 4096) {
      throw new MessageTooLongException(longest[0], 4096, MessageTooLongException.Limit.HEADERS);
    }
    if (block[0] > 8192) {
      throw new MessageTooLongException(block[0], 8192, MessageTooLongException.Limit.HEADERS);
    }
  }

  @Override
  public SendStatus commitFrame(Deadline deadline) throws IOException {
    if (!inFrame) {
      throw new IllegalStateException("no frame begun");
    }
    try {
      checkUsable();
      long next = seq + 1;
      io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
      h.put(NatsWire.SESSION, session);
      h.put(NatsWire.SEQ, Long.toString(next));
      if (!tag.isEmpty()) {
        h.put(NatsWire.TAG, NatsWire.encodeText(tag));
      }
      frameHeaders.forEach((k, v) -> h.put(k, NatsWire.encodeValue(v)));
      if (jetStream) {
        h.put(NatsWire.MSG_ID, session + "-" + next);
      }
      long size = (long) payload.written() + h.serializedLength();
      NatsWire.checkTransportLimit(size, nc.getMaxPayload(), maxFrameLength);
      byte[] data = payload.copy();
      while (true) {
        SendStatus ready = awaitRoom(deadline);
        if (ready != SendStatus.ACCEPTED) {
          return ready;
        }
        if (publish(h, data, null, true)) {
          seq = next;
          return SendStatus.ACCEPTED;
        }
        if (deadline.hasExpired()) {
          return SendStatus.NOT_CONNECTED;
        }
        // the connection dropped between the check and the publish (nothing queued): wait for it again
      }
    } finally {
      inFrame = false;
    }
  }

  @Override
  public void abortFrame() {
    inFrame = false;
  }

  /**
   * Publishes one record (the connection is up and there is room). Core: hands it to jnats; JetStream:
   * publishes asynchronously and tracks the acknowledgement.
   *
   * @return false if the connection dropped meanwhile (nothing sent)
   */
  private boolean publish(io.nats.client.impl.Headers h, byte[] data, String idSuffix, boolean frame) throws IOException {
    if (jetStream && idSuffix != null) {
      h.put(NatsWire.MSG_ID, session + "-" + idSuffix);
    }
    NatsMessage m = NatsMessage.builder().subject(subject).headers(h).data(data == null ? new byte[0] : data).build();
    int size = (data == null ? 0 : data.length) + h.serializedLength();
    try {
      if (jetStream) {
        Pending p = new Pending(m, frame, size);
        p.ack = js.publishAsync(m);
        inFlight.addLast(p);
        if (frame) {
          messagesAccepted++;
        }
      } else {
        nc.publish(m);
        bytesWritten += size;
        if (frame) {
          messagesAccepted++;
          messagesWritten++;
        }
      }
      return true;
    } catch (IllegalStateException e) {
      if (nc.getStatus() == Connection.Status.CLOSED) {
        throw fail(e);
      }
      return false; // disconnected between the check and the publish: nothing queued
    } catch (IllegalArgumentException e) {
      // jnats' own size check (the server's limit changed under us): refused before sending
      throw new MessageTooLongException(size, nc.getMaxPayload(), MessageTooLongException.Limit.TRANSPORT, maxFrameLength);
    }
  }

  /** Waits for the connection and for room under the in-flight limit; ACCEPTED when both are there. */
  private SendStatus awaitRoom(Deadline deadline) throws IOException {
    long began = 0;
    long pause = POLL_NANOS;
    checkUsable();
    while (true) {
      checkStillOpen();
      boolean up = connected();
      if (up) {
        publishStartIfConnected();
        if (!startPending && room()) {
          if (began != 0) {
            backPressureNanos += System.nanoTime() - began;
          }
          return SendStatus.ACCEPTED;
        }
      }
      if (deadline.hasExpired() || wake) {
        wake = false;
        if (began != 0) {
          backPressureNanos += System.nanoTime() - began;
        }
        return up ? SendStatus.BACK_PRESSURED : SendStatus.NOT_CONNECTED;
      }
      if (began == 0) {
        began = System.nanoTime();
        backPressureWaits++;
      }
      if (up && jetStream && !inFlight.isEmpty()) {
        awaitOldest(deadline, pause);
      } else {
        park(deadline, pause);
      }
      pause = Math.min(MAX_POLL_NANOS, pause * 2);
    }
  }

  private void park(Deadline deadline, long nanos) throws InterruptedIOException {
    LockSupport.parkNanos(this, Math.min(nanos, deadline.remainingNanos()));
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for NATS");
    }
  }

  private boolean connected() {
    return nc.getStatus() == Connection.Status.CONNECTED;
  }

  /** Whether one more message fits under the in-flight limit (settling finished JetStream publishes first). */
  private boolean room() throws IOException {
    if (jetStream) {
      settle();
      return inFlight.size() < options.maxInFlight();
    }
    return nc.outgoingPendingMessageCount() < options.maxInFlight();
  }

  /**
   * Takes finished JetStream publishes off the head of the queue, in order; when the head failed, every
   * failed publish in the queue is published again (in order, same message ids).
   */
  private void settle() throws IOException {
    Pending p;
    while ((p = inFlight.peekFirst()) != null && p.ack.isDone()) {
      if (p.ack.isCompletedExceptionally()) {
        for (Pending q : inFlight) {
          if (q.ack.isCompletedExceptionally()) {
            Exception why;
            try {
              q.ack.getNow(null);
              why = null;
            } catch (RuntimeException e) {
              why = e;
            }
            if (!retry(q, why)) {
              break;
            }
          }
        }
        return;
      }
      PublishAck ack = p.ack.getNow(null);
      inFlight.removeFirst();
      bytesWritten += p.size;
      if (p.frame) {
        messagesWritten++;
      }
      if (ack != null && ack.isDuplicate()) {
        duplicatesAcked++;
      }
    }
  }

  /** Publishes {@code p} again with the same message id (the stream stores it once); false if not connected. */
  private boolean retry(Pending p, Exception why) throws IOException {
    if (nc.getStatus() == Connection.Status.CLOSED) {
      throw fail(why);
    }
    if (!connected()) {
      return false; // retried when the connection is back; the future stays failed until then
    }
    retries++;
    LOG.log(System.Logger.Level.DEBUG, "{0}: retrying a publish: {1}", description(), String.valueOf(why));
    try {
      p.ack = js.publishAsync(p.message);
      return true;
    } catch (IllegalStateException e) {
      return false; // disconnected again: next time
    }
  }

  /** Waits at most {@code slice} (and the deadline) for the oldest JetStream publish to finish. */
  private void awaitOldest(Deadline deadline, long slice) throws IOException {
    Pending p = inFlight.peekFirst();
    if (p == null) {
      return;
    }
    long wait = Math.max(1, Math.min(slice * 20, deadline.remainingNanos()));
    try {
      p.ack.get(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the stream's acknowledgement");
    } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
      // settled by the caller
    }
  }

  @Override
  public boolean flush(Deadline deadline) throws IOException {
    checkUsable();
    long pause = POLL_NANOS;
    while (true) {
      if (connected()) {
        publishStartIfConnected();
      }
      if (jetStream) {
        settle();
        if (inFlight.isEmpty() && !startPending) {
          return true;
        }
        if (connected() && !inFlight.isEmpty()) {
          Pending head = inFlight.peekFirst();
          if (head.ack.isCompletedExceptionally()) {
            settle(); // retries it
          }
        }
      } else if (!startPending && nc.outgoingPendingMessageCount() <= 0) {
        return true;
      }
      if (deadline.hasExpired() || wake) {
        wake = false;
        return false;
      }
      if (jetStream && connected() && !inFlight.isEmpty()) {
        awaitOldest(deadline, pause);
      } else {
        park(deadline, pause);
      }
      pause = Math.min(MAX_POLL_NANOS, pause * 2);
      checkStillOpen();
    }
  }

  /**
   * Whether the sender's idle flush has work here: a start record not yet published, or (JetStream)
   * publishes to settle. Core NATS frames in jnats' outgoing queue are not counted: jnats' own writer
   * thread writes them, so an idle flush could only poll that queue (every flush delay, 50 µs by
   * default, while a sender outruns the socket); an explicit {@link #flush} still waits for it.
   */
  @Override
  public boolean hasPending() {
    return startPending || (jetStream && !inFlight.isEmpty());
  }

  @Override
  public boolean heartbeat() throws IOException {
    if (closed || failure != null || ended || version == WireVersion.V1_0 || !connected()) {
      return false;
    }
    publishStartIfConnected();
    if (startPending) {
      return false;
    }
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    h.put(NatsWire.REC, NatsWire.REC_HEARTBEAT);
    h.put(NatsWire.SESSION, session);
    h.put(NatsWire.SEQ, Long.toString(seq));
    try {
      // never tracked: a lost heartbeat only delays liveness, and JetStream needs no ack for it
      nc.publish(subject, h, new byte[0]);
      heartbeats++;
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  @Override
  public void end(Deadline deadline) throws IOException {
    endSession(deadline, null);
  }

  private void endSession(Deadline deadline, String abortReason) throws IOException {
    if (ended) {
      return;
    }
    wake = false; // a wakeup meant for a send that the closing thread interrupted, not for the end itself
    try {
      checkUsable();
      if (!flush(deadline)) {
        throw truncated(deadline, null);
      }
      io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
      h.put(NatsWire.REC, abortReason == null ? NatsWire.REC_END : NatsWire.REC_ABORT);
      h.put(NatsWire.SESSION, session);
      h.put(NatsWire.SEQ, Long.toString(seq));
      byte[] data = abortReason == null ? null : cut(abortReason);
      SendStatus room = awaitRoom(deadline);
      if (room != SendStatus.ACCEPTED || !publish(h, data, abortReason == null ? "e" : "a", false)) {
        throw truncated(deadline, null);
      }
      if (!flush(deadline)) {
        throw truncated(deadline, null);
      }
      if (!jetStream) {
        // the server has everything once a round trip after it comes back
        Duration left = deadline.isNone() ? Duration.ofSeconds(30) : Duration.ofNanos(Math.max(1, deadline.remainingNanos()));
        try {
          nc.flush(left);
        } catch (TimeoutException e) {
          throw truncated(deadline, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted ending the session");
        }
      }
      ended = true;
    } finally {
      close();
    }
  }

  private static byte[] cut(String reason) {
    byte[] b = reason.getBytes(StandardCharsets.UTF_8);
    if (b.length <= 1024) {
      return b;
    }
    int n = 1024;
    while (n > 0 && (b[n] & 0xC0) == 0x80) {
      n--;
    }
    return java.util.Arrays.copyOf(b, n);
  }

  private CloseTimeoutException truncated(Deadline deadline, Throwable cause) {
    long written = messagesWritten;
    return new CloseTimeoutException(deadline.timeout(), written, Math.max(0, messagesAccepted - written), false, cause);
  }

  @Override
  public boolean abort(String reason, Deadline deadline) {
    try {
      endSession(deadline, reason == null ? "" : reason);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: the aborted end was not sent: {1}", description(), e.toString());
      return false;
    } finally {
      close();
    }
  }

  @Override
  public boolean awaitWritable(Deadline deadline) throws IOException {
    return awaitRoom(deadline) == SendStatus.ACCEPTED;
  }

  @Override
  public void wakeup() {
    wake = true;
  }

  @Override
  public SinkCounters counters() {
    return counters;
  }

  @Override
  public String description() {
    return "nats:" + subject + " (" + (jetStream ? "JetStream" : "core") + ", session " + session + ")";
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    wake = true;
    endpoint.release();
  }

  /** Inside a wait: a close from another thread ends the call with AsynchronousCloseException (FrameSink.close()). */
  private void checkStillOpen() throws IOException {
    if (closed && failure == null) {
      throw new java.nio.channels.AsynchronousCloseException();
    }
    checkUsable();
  }

  private void checkUsable() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new ClosedChannelException();
    }
    if (nc.getStatus() == Connection.Status.CLOSED) {
      throw fail(null);
    }
  }

  private IOException fail(Throwable cause) {
    if (failure == null) {
      long discarded = Math.max(0, messagesAccepted - messagesWritten);
      failure = new NatsConnectionException(endpoint.description(), String.valueOf(nc.getStatus()), discarded,
          cause != null ? cause : lastError());
    }
    return failure;
  }

  private Throwable lastError() {
    String e = nc.getLastError();
    return e == null || e.isEmpty() ? null : new IOException(e);
  }
}
