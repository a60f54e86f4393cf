package dev.fifochan.rpc;

import dev.fifochan.Codec;
import dev.fifochan.Deadline;
import dev.fifochan.EncodeException;
import dev.fifochan.FrameHandler;
import dev.fifochan.Headers;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.SendTimeoutException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.rpc.internal.ControlCodec;
import dev.fifochan.rpc.internal.Protocol;
import dev.fifochan.rpc.internal.Protocol.Kind;
import dev.fifochan.rpc.internal.Threads;
import dev.fifochan.spi.Connector;
import dev.fifochan.spi.Duplex;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calling side of request/response ({@code docs/rpc.md}): sends calls and notifications to a
 * responder over connections its {@link Connector} makes, and matches every reply to its call by
 * correlation id.
 *
 * <pre>{@code
 * FifoPair pair = FifoPair.of(dir.resolve("quotes.req"), dir.resolve("quotes.rsp"), FifoOptions.defaults());
 * try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
 *     .config(RpcConfig.builder().service("quotes").build())
 *     .build()) {
 *   String price = client.callBlocking("price", "ACME", String.class, Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <h2>Connecting</h2>
 * {@link Builder#build()} returns at once; a background thread ({@code fifochan-rpc-client-N}) connects,
 * shakes hands, reads replies, and after the connection is lost connects again, for as long as the client
 * is open. A call made while there is no connection waits for one until its deadline (it has not been
 * written, so waiting is safe). A handshake mismatch ({@link HandshakeException}) is final: the client
 * stops, and every call fails with it.
 *
 * <h2>Calls</h2>
 * {@link #call} returns once the request is accepted for writing (it may wait for a connection and for
 * room in the transport, bounded by the deadline) and completes the future with the reply, or
 * exceptionally with an {@link RpcException}: the responder's error status, or a local one
 * ({@link RpcStatus#DEADLINE_EXCEEDED}, {@link RpcStatus#CANCELLED}, {@link RpcStatus#INTERNAL} for a
 * reply that cannot be decoded or has the wrong type, {@link PeerGoneException} when the connection is
 * lost). Futures are completed on the connection's reader thread (or the timer thread): dependent
 * stages attached without an executor run there and must not block. {@code future.cancel(...)} cancels
 * the call and sends a {@code cancel} frame. Calls are <b>at-most-once</b>: nothing is ever retried
 * automatically; {@link PeerGoneException#requestWritten()} says whether a retry is safe.
 *
 * <p>Thread-safe: any number of threads may call at once. A reply that arrives after its call ended
 * (deadline, cancel) is dropped and counted ({@link RpcMetrics#lateFramesDropped()}), never delivered to
 * another call.
 *
 * @param <T> the type of the codec's values; requests and replies are of subtypes of it
 */
public final class RpcClient<T> implements AutoCloseable {
  private static final AtomicLong CLIENTS = new AtomicLong();
  private static final Deadline NOW = Deadline.afterNanos(0);

  private final Connector connector;
  private final Codec<T> codec;
  private final RpcConfig config;
  private final NotificationHandler<? super T> notifications;
  private final ConnectionListener listener;
  private final RpcInterceptor interceptor;
  private final RpcMetrics metrics = new RpcMetrics();
  private final ConcurrentHashMap<Long, PendingCall> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final ExecutorService events;
  private final Object state = new Object();
  private final Thread thread;

  private ClientLink link; // guarded by state: the open link, or null
  private volatile boolean closed;
  private volatile HandshakeException failure;
  private boolean connectedBefore;

  private RpcClient(Builder<T> b) {
    this.connector = b.connector;
    this.codec = b.codec;
    this.config = b.config;
    this.notifications = b.notifications;
    this.listener = b.listener;
    this.interceptor = b.interceptor;
    long n = CLIENTS.incrementAndGet();
    this.events = Executors.newSingleThreadExecutor(Threads.daemon("fifochan-rpc-client-" + n + "-events"));
    this.thread = Threads.start("fifochan-rpc-client-" + n, this::run);
  }

  /**
   * A builder of a client that connects with {@code connector} (which the client then owns: closing
   * the client closes it) and encodes with {@code codec}.
   */
  public static <T> Builder<T> builder(Connector connector, Codec<T> codec) {
    return new Builder<>(connector, codec);
  }

  // ---------------------------------------------------------------- calls

  /**
   * Calls the operation named by the request's type tag ({@link Codec#tagOf}). See
   * {@link #call(String, Object, Class, Duration)}.
   */
  public <R extends T> CompletableFuture<R> call(T request, Class<R> responseType, Duration deadline) {
    return call(null, request, responseType, deadline);
  }

  /**
   * Calls {@code operation} with {@code request}; the future completes with the reply.
   *
   * @param operation the operation ({@code fc-op}, at most 255 UTF-8 bytes); null for the request's type tag
   * @param responseType the reply's expected class; a reply of another class fails the call
   *     ({@link RpcStatus#INTERNAL})
   * @param deadline how long the call may take from now, sent along as {@code fc-timeout}; when it
   *     passes the future fails with {@link RpcStatus#DEADLINE_EXCEEDED} and a {@code cancel} is sent
   * @return a future completed with the reply or an {@link RpcException}; its {@code cancel} cancels
   *     the call (a {@code cancel} frame is sent; {@code get()} then throws
   *     {@link java.util.concurrent.CancellationException})
   * @throws IllegalArgumentException if {@code operation} is longer than 255 UTF-8 bytes
   */
  public <R extends T> CompletableFuture<R> call(String operation, T request, Class<R> responseType, Duration deadline) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(responseType, "responseType");
    Objects.requireNonNull(deadline, "deadline");
    CallFuture<R> future = new CallFuture<>(this);
    @SuppressWarnings("unchecked")
    CompletableFuture<Object> raw = (CompletableFuture<Object>) (CompletableFuture<?>) future;
    PendingCall call = newCall(operation, request, responseType, Deadline.after(deadline), raw, null);
    future.call = call;
    start(call, request, false);
    return future;
  }

  /** The blocking form of {@link #call(Object, Class, Duration)}. */
  public <R extends T> R callBlocking(T request, Class<R> responseType, Duration deadline) throws IOException {
    return callBlocking(null, request, responseType, deadline);
  }

  /**
   * The blocking form of {@link #call(String, Object, Class, Duration)}: waits for the reply.
   *
   * @throws RpcException as the future would complete with (the same instance); {@link RpcStatus#CANCELLED}
   *     if another thread cancelled the future
   * @throws InterruptedIOException if the thread was interrupted: the call is cancelled (a
   *     {@code cancel} is sent) and the interrupt flag stays set
   */
  public <R extends T> R callBlocking(String operation, T request, Class<R> responseType, Duration deadline)
      throws IOException {
    CompletableFuture<R> f = call(operation, request, responseType, deadline);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted; the call was cancelled");
    } catch (java.util.concurrent.CancellationException e) {
      throw new RpcException(RpcStatus.CANCELLED.code(), "the call's future was cancelled", operation, 0, false, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException) {
        throw (IOException) c;
      }
      throw new RpcException(RpcStatus.INTERNAL.code(), c.toString(), operation, 0, false, c);
    }
  }

  /** A server-streaming call of the operation named by the request's type tag; see {@link #callStream(String, Object, Class, Duration)}. */
  public <R extends T> RpcStream<R> callStream(T request, Class<R> itemType, Duration deadline) {
    return callStream(null, request, itemType, deadline);
  }

  /**
   * A server-streaming call: the responder sends any number of items, then {@code done} or an error.
   * Returns once the request is accepted for writing (see {@link #call}); a failure before that shows in
   * the first {@link RpcStream#receive()}.
   *
   * @param deadline how long the whole stream may take from now
   */
  public <R extends T> RpcStream<R> callStream(String operation, T request, Class<R> itemType, Duration deadline) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(itemType, "itemType");
    Objects.requireNonNull(deadline, "deadline");
    ClientStream<R> stream = new ClientStream<>(this, config.maxStreamBuffer());
    PendingCall call = newCall(operation, request, itemType, Deadline.after(deadline), null, stream);
    stream.call = call;
    start(call, request, true);
    return stream;
  }

  /**
   * Sends a one-way notification to the responder ({@code notify}), waiting for a connection and for
   * room at most {@code timeout}. Nothing answers it; it is delivered at most once.
   *
   * @param operation the operation ({@code fc-op}); null for the message's type tag
   * @throws RpcException {@link RpcStatus#UNAVAILABLE} if no connection came in time, or the client is
   *     closed ({@link RpcStatus#CANCELLED}) or failed ({@link HandshakeException})
   * @throws IOException if the message cannot be encoded or is too long, or the send timed out
   */
  public void notify(String operation, T message, Duration timeout) throws IOException {
    Objects.requireNonNull(message, "message");
    Deadline deadline = Deadline.after(timeout);
    ClientLink l = awaitLink(deadline);
    if (l == null) {
      throw new RpcException(RpcStatus.UNAVAILABLE.code(), "no connection to the responder within " + timeout,
          operation, 0, false, null);
    }
    l.notify(operation, message, Duration.ofNanos(Math.max(0, deadline.remainingNanos())));
  }

  private PendingCall newCall(String operation, T request, Class<?> type, Deadline deadline,
      CompletableFuture<Object> future, ClientStream<?> stream) {
    String op = operation != null ? Protocol.checkOperation(operation) : codec.tagOf(request);
    PendingCall call = new PendingCall(ids.incrementAndGet(), op, type, deadline, future, stream);
    if (interceptor != null) {
      call.traced = Intercepted.clientCall(interceptor,
          new RpcInterceptor.CallInfo(config.service(), op, call.id, stream != null, connector.toString()));
    }
    metrics.started.increment();
    metrics.inFlight.increment();
    pending.put(call.id, call);
    return call;
  }

  /** Waits for a link, arms the deadline, sends the request. Every failure ends the call here. */
  private void start(PendingCall call, T request, boolean streaming) {
    ClientLink l;
    try {
      l = awaitLink(call.deadline);
    } catch (RpcException e) {
      end(call, null, withCall(e, call));
      return;
    } catch (InterruptedIOException e) {
      end(call, null, local(RpcStatus.CANCELLED, "interrupted while waiting for a connection", call, e));
      return;
    }
    if (l == null) {
      end(call, null, local(RpcStatus.DEADLINE_EXCEEDED, "no connection to the responder before the deadline", call,
          null));
      return;
    }
    call.link = l;
    if (!call.deadline.isNone()) {
      long left = call.deadline.remainingNanos();
      call.timer = Threads.timer().schedule(() -> expire(call), left, TimeUnit.NANOSECONDS);
    }
    Headers.Builder h = Headers.builder()
        .put(Protocol.KIND, Kind.CALL.wire())
        .put(Protocol.ID, Long.toString(call.id));
    if (!call.operation.equals(codec.tagOf(request))) {
      h.put(Protocol.OP, call.operation);
    }
    if (!call.deadline.isNone()) {
      long left = call.deadline.remainingNanos();
      if (left == 0) {
        expire(call);
        return;
      }
      h.put(Protocol.TIMEOUT, Long.toString(left));
    }
    if (streaming) {
      h.put(Protocol.STREAM, "1");
    }
    if (call.traced != null) {
      Intercepted.addHeaders(call.traced, h);
    }
    try {
      l.send(request, h.build(), call.deadline, call);
    } catch (IOException | RuntimeException e) {
      if (l.isLost()) {
        // the loss ends every call it finds on the link; this one it may have missed (not written either way)
        Link.Loss loss = l.awaitLoss();
        end(call, null, loss != null ? lossFailure(call, loss) : new PeerGoneException(PeerGoneException.Reason.BROKEN,
            false, l.description, "the connection was lost", call.operation, call.id, e));
        return;
      }
      if (e instanceof SendTimeoutException) {
        end(call, null, local(RpcStatus.DEADLINE_EXCEEDED, "no room in the transport before the deadline; not sent",
            call, e));
      } else if (e instanceof EncodeException) {
        end(call, null, local(RpcStatus.INVALID_ARGUMENT, "the request cannot be encoded: " + e.getMessage(), call, e));
      } else if (e instanceof MessageTooLongException) {
        end(call, null, local(RpcStatus.RESOURCE_EXHAUSTED, "the request is too long: " + e.getMessage(), call, e));
      } else if (e instanceof InterruptedIOException) {
        end(call, null, local(RpcStatus.CANCELLED, "interrupted while sending; not sent", call, e));
      } else if (e instanceof RuntimeException) {
        end(call, null, local(RpcStatus.INTERNAL, "the request could not be sent: " + e, call, e));
      } else {
        // the transport failed under this send: the link is lost, and losing it ends this call (not written)
        l.lose(PeerGoneException.Reason.EXITED, e.toString(), e);
      }
    }
  }

  private ClientLink awaitLink(Deadline deadline) throws RpcException, InterruptedIOException {
    synchronized (state) {
      while (true) {
        if (closed) {
          throw new RpcException(RpcStatus.CANCELLED.code(), "the client is closed", null, 0, false, null);
        }
        HandshakeException f = failure;
        if (f != null) {
          throw f;
        }
        ClientLink l = link;
        if (l != null && l.open && !l.draining) {
          return l;
        }
        long left = deadline.remainingNanos();
        if (left == 0) {
          return null;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(state, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for a connection");
        }
      }
    }
  }

  /** What a call pending on a lost link fails with. */
  private static RpcException lossFailure(PendingCall c, Link.Loss loss) {
    if (loss.local) {
      return local(RpcStatus.CANCELLED, "the client was closed", c, null);
    }
    if (loss.cause instanceof HandshakeException) {
      return (HandshakeException) loss.cause;
    }
    Link l = c.link;
    return new PeerGoneException(loss.reason, c.written(loss.framesWritten), l == null ? null : l.description,
        loss.detail, c.operation, c.id, loss.cause);
  }

  private static RpcException local(RpcStatus status, String text, PendingCall call, Throwable cause) {
    return new RpcException(status.code(), text, call.operation, call.id, false, cause);
  }

  private static RpcException withCall(RpcException e, PendingCall call) {
    if (e instanceof HandshakeException) {
      return e;
    }
    return new RpcException(e.code(), e.statusMessage(), call.operation, call.id, e.isRemote(), e.getCause());
  }

  /**
   * Ends {@code call} once: with {@code value} (a reply; {@link ClientStream#done()} for a stream) or
   * {@code error}. False if it had ended already (the caller drops what it has).
   */
  private boolean end(PendingCall call, Object value, RpcException error) {
    if (!pending.remove(call.id, call)) {
      return false;
    }
    java.util.concurrent.ScheduledFuture<?> t = call.timer;
    if (t != null) {
      t.cancel(false);
    }
    metrics.inFlight.decrement();
    if (call.traced != null) {
      Intercepted.end(call.traced, error); // before the caller can see the outcome
    }
    if (error == null) {
      metrics.succeeded.increment();
      if (call.future != null) {
        call.future.complete(value);
      } else {
        call.stream.finish(null, false);
      }
    } else {
      metrics.failed(error.code());
      if (call.future != null) {
        call.future.completeExceptionally(error);
      } else {
        call.stream.finish(error, error.status() == RpcStatus.CANCELLED);
      }
    }
    return true;
  }

  private void expire(PendingCall call) {
    Duration budget = call.deadline.timeout();
    if (end(call, null, local(RpcStatus.DEADLINE_EXCEEDED, "the deadline of " + budget + " passed", call, null))) {
      sendCancel(call, RpcStatus.DEADLINE_EXCEEDED);
    }
  }

  /** Cancels a call (future cancel, stream cancel); false if it had ended. Never blocks on the transport. */
  boolean cancelCall(PendingCall call, String why) {
    if (call == null) {
      return false;
    }
    if (end(call, null, local(RpcStatus.CANCELLED, why, call, null))) {
      sendCancel(call, RpcStatus.CANCELLED);
      return true;
    }
    return false;
  }

  /** Sends {@code cancel} for a call whose request was accepted: now if that needs no wait, else from the event thread. */
  private void sendCancel(PendingCall call, RpcStatus why) {
    Link l = call.link;
    if (l == null || call.frameNumber == 0 || !l.open) {
      return;
    }
    Headers h = Headers.builder().put(Protocol.KIND, Kind.CANCEL.wire()).put(Protocol.ID, Long.toString(call.id))
        .put(Protocol.STATUS, Integer.toString(why.code())).build();
    try {
      l.send(ControlCodec.CONTROL, h, NOW, null);
      metrics.cancelsSent.increment();
      return;
    } catch (IOException e) {
      // busy or full: retry from the event thread, waiting a little
    }
    try {
      events.execute(() -> {
        try {
          l.send(ControlCodec.CONTROL, h, Deadline.after(config.livenessTimeout().isZero()
              ? Duration.ofSeconds(5) : config.livenessTimeout()), null);
          metrics.cancelsSent.increment();
        } catch (IOException e) {
          // the connection is lost or stuck; the responder's own deadline or loss ends the call there
        }
      });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  // ---------------------------------------------------------------- the connection thread

  private void run() {
    while (!closed) {
      Duplex duplex;
      try {
        duplex = connector.connect(Deadline.after(config.connectAttempt()));
      } catch (OpenTimeoutException e) {
        continue;
      } catch (IOException | RuntimeException e) {
        Link.LOG.log(System.Logger.Level.DEBUG, "connect failed: {0}", e);
        pause();
        continue;
      }
      if (duplex == null) {
        continue;
      }
      if (closed) {
        duplex.close();
        break;
      }
      ClientLink l;
      try {
        l = new ClientLink(duplex);
        l.handshake();
      } catch (HandshakeException e) {
        metrics.connectionFailures.increment();
        Link.LOG.log(System.Logger.Level.WARNING, "{0}: handshake failed, the client stops (every call fails with it): {1}",
            this, e.getMessage());
        fail(e);
        safely(() -> listener.disconnected(null, e));
        break;
      } catch (IOException | RuntimeException e) {
        metrics.connectionFailures.increment();
        duplex.close();
        // DEBUG: a client retries every connectAttempt while its responder is away (no log line per try)
        Link.LOG.log(System.Logger.Level.DEBUG, "{0}: handshake failed, will try again: {1}", this, e);
        pause();
        continue;
      }
      boolean again;
      synchronized (state) {
        if (closed) {
          l.closeGracefully(config.channel().closeTimeout());
          break;
        }
        link = l;
        state.notifyAll();
        again = connectedBefore;
        if (again) {
          metrics.reconnects.increment();
        }
        connectedBefore = true;
      }
      metrics.connections.increment();
      Link.LOG.log(System.Logger.Level.INFO, again ? "reconnected: {0}" : "connected: {0}", l);
      safely(() -> listener.connected(l));
      l.readLoop();
      synchronized (state) {
        if (link == l) {
          link = null;
        }
      }
      if (failure != null) {
        break;
      }
      pause();
    }
  }

  private void pause() {
    long nanos = config.reconnectDelay().toNanos();
    if (nanos <= 0 || closed) {
      return;
    }
    synchronized (state) {
      try {
        TimeUnit.NANOSECONDS.timedWait(state, nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void fail(HandshakeException e) {
    synchronized (state) {
      failure = e;
      state.notifyAll();
    }
    for (PendingCall c : pending.values()) {
      end(c, null, e);
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException ignored) {
      // listeners must not break the connection thread
    }
  }

  // ---------------------------------------------------------------- the rest

  /** Live counters, lock-free. */
  public RpcMetrics metrics() {
    return metrics;
  }

  /** The configuration. */
  public RpcConfig config() {
    return config;
  }

  /** Whether a connection is open now (the handshake succeeded and it was not lost). */
  public boolean isConnected() {
    synchronized (state) {
      return link != null && link.open;
    }
  }

  /**
   * Waits until a connection is open.
   *
   * @return true if connected; false if {@code timeout} passed first
   * @throws HandshakeException if the handshake failed (the client stopped)
   * @throws RpcException {@link RpcStatus#CANCELLED} if the client is closed
   * @throws InterruptedIOException if interrupted
   */
  public boolean awaitConnected(Duration timeout) throws IOException {
    return awaitLink(Deadline.after(timeout)) != null;
  }

  /** The handshake failure that stopped this client, or null. */
  public HandshakeException failure() {
    return failure;
  }

  /** Whether the client is open: not closed and not stopped by a handshake failure. */
  public boolean isOpen() {
    return !closed && failure == null;
  }

  /**
   * Closes the client: pending calls fail with {@link RpcStatus#CANCELLED}, the connection ends with an
   * end of stream (bounded by the channel's close timeout), reconnecting stops, and the client's
   * {@link Connector} is closed, which ends a connect attempt in progress at once (the client owns the
   * connector it was built with). Idempotent.
   */
  @Override
  public void close() {
    ClientLink l;
    synchronized (state) {
      if (closed) {
        return;
      }
      closed = true;
      l = link;
      link = null;
      state.notifyAll();
    }
    connector.close(); // a connect attempt in progress ends now instead of at its deadline
    for (PendingCall c : pending.values()) {
      if (end(c, null, local(RpcStatus.CANCELLED, "the client was closed", c, null))) {
        sendCancel(c, RpcStatus.CANCELLED);
      }
    }
    events.shutdown();
    try {
      events.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (l != null) {
      l.closeGracefully(config.channel().closeTimeout());
    }
    try {
      thread.join(config.connectAttempt().toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RpcClient[" + config.service() + ", " + connector + (closed ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------- the client's link

  /** The client's side of one connection: routes replies, errors, items, done and notifications. */
  private final class ClientLink extends Link {
    volatile boolean draining;

    ClientLink(Duplex duplex) throws IOException {
      super(duplex, RpcClient.this.codec, RpcClient.this.config, RpcClient.this.metrics, Protocol.ROLE_CLIENT);
    }

    @Override
    void onFrame(Kind kind, FrameHandler.Frame f) {
      switch (kind) {
        case REPLY:
        case ITEM:
        case DONE:
        case ERROR:
          onAnswer(kind, f);
          break;
        case NOTIFY:
          onNotify(f);
          break;
        default:
          metrics.framesIgnored.increment(); // hello again, call, cancel: not for a client
      }
    }

    private void onAnswer(Kind kind, FrameHandler.Frame f) {
      Headers h = f.headers();
      long id = idOf(h);
      if (id == 0) {
        if (kind == Kind.ERROR) {
          onConnectionError(h);
        } else {
          metrics.framesIgnored.increment();
        }
        return;
      }
      PendingCall call = pending.get(id);
      if (call == null || call.link != this) {
        metrics.lateReplies.increment();
        return;
      }
      boolean streaming = call.stream != null;
      switch (kind) {
        case ERROR:
          int code = (int) Math.min(Integer.MAX_VALUE, Math.max(0, Protocol.parseNonNegative(h.get(Protocol.STATUS))));
          if (code == 0) {
            code = RpcStatus.UNKNOWN.code();
          }
          String text = h.getString(Protocol.MESSAGE);
          end(call, null, new RpcException(code, text, call.operation, call.id, true, null));
          return;
        case REPLY:
          if (streaming) {
            end(call, null, local(RpcStatus.INTERNAL, "a reply to a streaming call", call, null));
            return;
          }
          Object value = decode(call, f);
          if (value != null) {
            end(call, value, null);
          }
          return;
        case ITEM:
          if (!streaming) {
            end(call, null, local(RpcStatus.INTERNAL, "an item for a unary call", call, null));
            return;
          }
          Object item = decode(call, f);
          if (item != null && !call.stream.offerItem(item) && end(call, null, local(RpcStatus.RESOURCE_EXHAUSTED,
              "more than " + config.maxStreamBuffer() + " items buffered; the call was cancelled", call, null))) {
            sendCancel(call, RpcStatus.CANCELLED);
          }
          return;
        default: // DONE
          if (!streaming) {
            end(call, null, local(RpcStatus.INTERNAL, "done for a unary call", call, null));
            return;
          }
          end(call, ClientStream.done(), null);
      }
    }

    /** Decodes a reply or item; on failure ends the call and returns null. */
    private Object decode(PendingCall call, FrameHandler.Frame f) {
      Object v;
      try {
        v = codec.decode(f.tag(), f.payload());
      } catch (UnknownTypeException e) {
        end(call, null, local(RpcStatus.INTERNAL, "the reply has an unknown type tag '" + f.tag() + "'", call, e));
        return null;
      } catch (Exception e) {
        end(call, null, local(RpcStatus.INTERNAL, "the reply cannot be decoded: " + e, call, e));
        return null;
      }
      if (v == null || !call.responseType.isInstance(v)) {
        end(call, null, local(RpcStatus.INTERNAL, "the reply is " + (v == null ? "null" : "a " + v.getClass().getName())
            + ", not a " + call.responseType.getName(), call, null));
        return null;
      }
      return v;
    }

    private void onConnectionError(Headers h) {
      long code = Protocol.parseNonNegative(h.get(Protocol.STATUS));
      if (code == RpcStatus.FAILED_PRECONDITION.code()) {
        HandshakeException e = fromPeer(h);
        Link.LOG.log(System.Logger.Level.WARNING, "{0}: the responder reported a handshake mismatch, the client stops: {1}",
            this, e.getMessage());
        fail(e);
        lose(PeerGoneException.Reason.ENDED, e.getMessage(), e);
      } else if (code == RpcStatus.UNAVAILABLE.code()) {
        draining = true; // going away: no new calls here; those in flight finish
        Link.LOG.log(System.Logger.Level.INFO, "{0}: the responder is going away: {1}", this,
            h.getString(Protocol.MESSAGE));
      } else {
        lose(PeerGoneException.Reason.BROKEN, "the responder reported " + code + ": " + h.getString(Protocol.MESSAGE),
            null);
      }
    }

    private void onNotify(FrameHandler.Frame f) {
      byte[] opBytes = f.headers().get(Protocol.OP);
      String op = opBytes != null ? new String(opBytes, java.nio.charset.StandardCharsets.UTF_8) : f.tag();
      Object v;
      try {
        v = codec.decode(f.tag(), f.payload());
      } catch (Exception e) {
        metrics.notificationsDropped.increment();
        return;
      }
      if (notifications == null) {
        metrics.notificationsDropped.increment();
        return;
      }
      metrics.notificationsReceived.increment();
      @SuppressWarnings("unchecked")
      T message = (T) v;
      try {
        events.execute(() -> {
          try {
            notifications.onNotification(op, message, this);
          } catch (Exception e) {
            Link.LOG.log(System.Logger.Level.WARNING, "notification handler failed for " + op, e);
          }
        });
      } catch (RejectedExecutionException e) {
        // closed
      }
    }

    @Override
    void onLost(Loss loss) {
      if (!loss.local) {
        metrics.connectionFailures.increment();
      }
      for (PendingCall c : pending.values()) {
        if (c.link != this) {
          continue;
        }
        end(c, null, lossFailure(c, loss));
      }
      if (!loss.local) {
        PeerGoneException why = new PeerGoneException(loss.reason, false, description, loss.detail, null, 0, loss.cause);
        safely(() -> listener.disconnected(this, loss.cause instanceof HandshakeException ? loss.cause : why));
      } else {
        safely(() -> listener.disconnected(this, null));
      }
    }
  }

  /** The future of a unary call: cancelling it cancels the call. */
  private static final class CallFuture<R> extends CompletableFuture<R> {
    private final RpcClient<?> client;
    volatile PendingCall call;

    CallFuture(RpcClient<?> client) {
      this.client = client;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      PendingCall c = call;
      if (cancelled && c != null) {
        client.cancelCall(c, "the future was cancelled"); // ends the call (counted CANCELLED) and sends cancel
      }
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }

  /** Builds an {@link RpcClient}. Not thread-safe. */
  public static final class Builder<T> {
    private final Connector connector;
    private final Codec<T> codec;
    private RpcConfig config = RpcConfig.defaults();
    private NotificationHandler<? super T> notifications;
    private ConnectionListener listener = new ConnectionListener() {};
    private RpcInterceptor interceptor;

    private Builder(Connector connector, Codec<T> codec) {
      this.connector = Objects.requireNonNull(connector, "connector");
      this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The configuration; default {@link RpcConfig#defaults()}. */
    public Builder<T> config(RpcConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Where notifications from the responder go (run one at a time, in order, on the client's event
     * thread); without one they are dropped and counted.
     */
    public Builder<T> onNotification(NotificationHandler<? super T> handler) {
      this.notifications = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Told when connections come and go. */
    public Builder<T> listener(ConnectionListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Observes every call (tracing: a client span per call, its context sent in the call's headers); none
     * by default. See {@link RpcInterceptor}.
     */
    public Builder<T> interceptor(RpcInterceptor interceptor) {
      this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
      return this;
    }

    /** The client; it starts connecting in the background at once. */
    public RpcClient<T> build() {
      return new RpcClient<>(this);
    }
  }

}
