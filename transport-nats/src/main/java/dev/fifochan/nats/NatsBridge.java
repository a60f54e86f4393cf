package dev.fifochan.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.MessageException;
import dev.fifochan.PayloadSink;
import dev.fifochan.SendStatus;
import dev.fifochan.StreamException;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import io.nats.client.Connection;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards a FIFO stream to a NATS subject, or a NATS subject into a FIFO, record by record: tags,
 * headers, session starts, clean and aborted ends and heartbeats are kept (payloads are not decoded).
 * A sidecar runs it next to an application that only knows FIFOs. {@code fifochan bridge} wraps it.
 *
 * <pre>{@code
 * try (NatsBridge b = NatsBridge.natsToFifo("orders", Path.of("/run/app/orders"))
 *     .connect(NatsConnectOptions.server("nats://hub:4222"))
 *     .options(NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).durable("app-orders").build())
 *     .codec("protobuf").build()) {
 *   b.run();   // until stop() or close() from another thread, or a failure
 * }
 * }</pre>
 *
 * <h2>Guarantees ({@code docs/nats.md} §6)</h2>
 * <ul>
 *   <li><b>NATS → FIFO, JetStream</b>: nothing is lost. The bridge acknowledges a NATS message only
 *       after the record is in the pipe (the FIFO sink flushed it), in batches of at most
 *       {@link Builder#batch(int)} records. A bridge that dies (SIGKILL) gets the unacknowledged
 *       messages again when it restarts with the same durable consumer: the FIFO reader may see up to one
 *       batch again (plus what the server redelivers after a server crash), never a gap. The old FIFO
 *       writer session ends truncated; the restarted bridge starts a new one. If the FIFO reader goes
 *       away the bridge fails ({@link #run()} throws) without acknowledging, so a restarted bridge
 *       redelivers.</li>
 *   <li><b>FIFO → NATS</b>: not lossless on its own (a FIFO writer gets no acknowledgement). If the bridge
 *       dies, what was in the pipe and what it had read but not yet handed to NATS (core) or not yet
 *       stored by the stream (JetStream: at most {@link NatsOptions#maxInFlight()} frames) is lost; the
 *       FIFO writer learns that its reader is gone ({@code PeerClosedException} on its next write), and
 *       the NATS readers see the session end truncated (liveness) or aborted. End-to-end confirmation
 *       needs request/response ({@link Nats#connector}): a reply is the acknowledgement.</li>
 * </ul>
 */
public final class NatsBridge implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.fifochan.nats.NatsBridge");
  private static final Deadline NOW = Deadline.afterNanos(0);

  /** Which way records go. */
  public enum Direction { FIFO_TO_NATS, NATS_TO_FIFO }

  private final Direction direction;
  private final Path fifo;
  private final String subject;
  private final Connection suppliedConnection;
  private final NatsConnectOptions connectOptions;
  private final NatsOptions options;
  private final ChannelConfig config;
  private final FifoOptions fifoOptions;
  private final String codec;
  private final int batch;

  private final AtomicLong frames = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong sessions = new AtomicLong();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile boolean stopping;
  private volatile FrameSource activeSource;
  private volatile Thread runner;

  private NatsBridge(Builder b) {
    this.direction = b.direction;
    this.fifo = b.fifo;
    this.subject = b.subject;
    this.suppliedConnection = b.connection;
    this.connectOptions = b.connectOptions;
    this.options = b.options;
    this.config = b.config;
    this.fifoOptions = b.fifoOptions;
    this.codec = b.codec;
    this.batch = b.batch;
  }

  /** A bridge reading the FIFO {@code fifo} (following it across writers) and publishing to {@code subject}. */
  public static Builder fifoToNats(Path fifo, String subject) {
    return new Builder(Direction.FIFO_TO_NATS, fifo, subject);
  }

  /** A bridge receiving {@code subject} and writing it into the FIFO {@code fifo}. */
  public static Builder natsToFifo(String subject, Path fifo) {
    return new Builder(Direction.NATS_TO_FIFO, fifo, subject);
  }

  /** Frames forwarded so far. */
  public long framesForwarded() {
    return frames.get();
  }

  /** Records (frames and control records) forwarded so far. */
  public long recordsForwarded() {
    return records.get();
  }

  /** NATS → FIFO in JetStream mode: messages acknowledged (each after its record was in the pipe). */
  public long acknowledged() {
    return acked.get();
  }

  /** Writer sessions started on the output side. */
  public long sessionsStarted() {
    return sessions.get();
  }

  /** Completes when {@link #run()} returns: normally after {@link #stop()}, exceptionally on a failure. */
  public CompletionStage<Void> done() {
    return done.minimalCompletionStage();
  }

  /** Runs {@link #run()} on a new daemon thread and returns this bridge. */
  public NatsBridge start() {
    Thread t = new Thread(() -> {
      try {
        run();
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "bridge {0} failed: {1}", this, e.toString());
      }
    }, "fifochan-nats-bridge");
    t.setDaemon(true);
    t.start();
    return this;
  }

  /** Stops the bridge: the output session is ended cleanly, then {@link #run()} returns. Any thread. */
  public void stop() {
    stopping = true;
  }

  @Override
  public void close() {
    stop();
    Thread t = runner;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(config.closeTimeout().toMillis() + 5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Forwards until {@link #stop()} (or, without following, the end of the input), blocking.
   *
   * @throws IOException if the NATS connection, the stream or the FIFO fails (JetStream: nothing
   *     unwritten was acknowledged)
   */
  public void run() throws IOException {
    runner = Thread.currentThread();
    Connection own = suppliedConnection != null ? null : connectOptions.connect();
    // the sessions' sinks and sources share it; the bridge closes its own connection at the end
    NatsEndpoint endpoint = NatsEndpoint.shared(own != null ? own : suppliedConnection);
    try {
      if (direction == Direction.FIFO_TO_NATS) {
        fifoToNats(endpoint);
      } else {
        natsToFifo(endpoint);
      }
      done.complete(null);
    } catch (IOException | RuntimeException e) {
      done.completeExceptionally(e);
      throw e;
    } finally {
      if (own != null) {
        try {
          own.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      runner = null;
    }
  }

  // ---------------------------------------------------------------- FIFO -> NATS

  private void fifoToNats(NatsEndpoint endpoint) throws IOException {
    FrameSource source = Fifo.openSource(fifo, config, fifoOptions.toBuilder().follow(true).build(), null, null);
    activeSource = source;
    NatsFrameSink sink = null;
    try {
      while (!stopping) {
        InboundRecord r;
        try {
          r = source.next(Deadline.after(Duration.ofMillis(200)));
        } catch (StreamException e) {
          LOG.log(System.Logger.Level.INFO, "{0}: the FIFO writer''s session failed: {1}", this, e.getMessage());
          if (sink != null) {
            sink.abort("the FIFO writer's session failed at the bridge: " + e.getMessage(), Deadline.after(config.closeTimeout()));
            sink = null;
          }
          continue;
        } catch (MessageException e) {
          LOG.log(System.Logger.Level.INFO, "{0}: malformed frame skipped: {1}", this, e.getMessage());
          continue;
        }
        if (r == null) {
          continue;
        }
        switch (r.kind()) {
          case SESSION_START:
            if (sink != null) {
              sink.abort("a new FIFO writer session started before the last one ended", Deadline.after(config.closeTimeout()));
            }
            sink = openNatsSink(endpoint, r.codecName(), r);
            break;
          case FRAME:
            if (sink == null) {
              sink = openNatsSink(endpoint, r.codecName(), r);
            }
            copyFrame(r, sink);
            source.delivered(r);
            break;
          case HEARTBEAT:
            if (sink != null) {
              sink.heartbeat();
            }
            break;
          case SESSION_END:
            if (sink != null) {
              if (r.abortReason() != null) {
                sink.abort(r.abortReason(), Deadline.after(config.closeTimeout()));
              } else {
                sink.end(Deadline.after(config.closeTimeout()));
              }
              sink = null;
            }
            break;
          default:
            return; // END: the input is over
        }
        records.incrementAndGet();
      }
    } finally {
      if (sink != null) {
        try {
          sink.end(Deadline.after(config.closeTimeout()));
        } catch (IOException e) {
          LOG.log(System.Logger.Level.INFO, "{0}: ending the NATS session: {1}", this, e.toString());
        }
      }
      source.close();
    }
  }

  private NatsFrameSink openNatsSink(NatsEndpoint endpoint, String codecName, InboundRecord r) throws IOException {
    NatsFrameSink sink = new NatsFrameSink(endpoint, subject, config, options, null);
    sink.start(codecName, r.wireVersion());
    sessions.incrementAndGet();
    return sink;
  }

  private void copyFrame(InboundRecord r, FrameSink sink) throws IOException {
    byte[] tag = r.tag().isEmpty() ? new byte[0] : r.tag().getBytes(StandardCharsets.UTF_8);
    PayloadSink p = sink.beginFrame(tag, r.headers());
    p.write(r.payload().duplicate());
    SendStatus s = sink.commitFrame(Deadline.none());
    if (s != SendStatus.ACCEPTED) {
      throw new IOException("the output refused a frame: " + s);
    }
    frames.incrementAndGet();
  }

  // ---------------------------------------------------------------- NATS -> FIFO

  private void natsToFifo(NatsEndpoint endpoint) throws IOException {
    NatsOptions o = options.toBuilder().follow(true).assumedCodec(codec).build();
    NatsFrameSource source = new NatsFrameSource(endpoint, subject, config, o, null, codec, NatsFrameSource.Ack.MANUAL);
    activeSource = source;
    FrameSink sink = null;
    String sinkCodec = null;
    int sinceAck = 0;
    try {
      while (!stopping) {
        InboundRecord r;
        try {
          r = source.next(sinceAck > 0 ? NOW : Deadline.after(Duration.ofMillis(200)));
        } catch (MessagesLostException e) {
          LOG.log(System.Logger.Level.WARNING, "{0}: {1}", this, e.getMessage());
          continue;
        } catch (dev.fifochan.TruncatedStreamException e) {
          LOG.log(System.Logger.Level.INFO, "{0}: a NATS session went silent: {1}", this, e.getMessage());
          if (sink != null && source.openSessions() == 0) {
            sink.abort("the NATS writer session went silent (truncated): " + e.getMessage(), Deadline.after(config.closeTimeout()));
            sink = null;
          }
          continue;
        } catch (StreamException | MessageException e) {
          LOG.log(System.Logger.Level.INFO, "{0}: skipped: {1}", this, e.getMessage());
          continue;
        }
        if (r == null || sinceAck >= batch) {
          if (sinceAck > 0) {
            if (sink != null && !sink.flush(Deadline.none())) {
              throw new IOException("the FIFO did not take the bridge's records");
            }
            acked.addAndGet(source.ackTaken());
            sinceAck = 0;
          }
          if (r == null) {
            continue;
          }
        }
        sinceAck++;
        records.incrementAndGet();
        switch (r.kind()) {
          case SESSION_START:
            if (sink != null && !r.codecName().equals(sinkCodec)) {
              sink.end(Deadline.after(config.closeTimeout()));
              sink = null;
            }
            if (sink == null) {
              sink = Fifo.openSink(fifo, config, fifoOptions);
              sink.start(r.codecName(), r.wireVersion());
              sinkCodec = r.codecName();
              sessions.incrementAndGet();
            }
            break;
          case FRAME:
            if (sink == null) {
              sink = Fifo.openSink(fifo, config, fifoOptions);
              sink.start(r.codecName(), r.wireVersion());
              sinkCodec = r.codecName();
              sessions.incrementAndGet();
            }
            copyFrame(r, sink);
            break;
          case HEARTBEAT:
            if (sink != null) {
              sink.heartbeat();
            }
            break;
          case SESSION_END:
            if (sink != null && (r.abortReason() != null || source.openSessions() == 0)) {
              if (r.abortReason() != null) {
                sink.abort(r.abortReason(), Deadline.after(config.closeTimeout()));
              } else {
                sink.end(Deadline.after(config.closeTimeout()));
              }
              sink = null;
              acked.addAndGet(source.ackTaken()); // the end is in the pipe
              sinceAck = 0;
            }
            break;
          default:
            break;
        }
      }
      if (sink != null && sink.flush(Deadline.after(config.closeTimeout()))) {
        acked.addAndGet(source.ackTaken());
      }
    } finally {
      if (sink != null) {
        try {
          sink.end(Deadline.after(config.closeTimeout()));
        } catch (IOException e) {
          LOG.log(System.Logger.Level.INFO, "{0}: ending the FIFO session: {1}", this, e.toString());
        }
      }
      source.close();
    }
  }

  @Override
  public String toString() {
    return direction == Direction.FIFO_TO_NATS ? "bridge " + fifo + " -> nats:" + subject : "bridge nats:" + subject + " -> " + fifo;
  }

  /** Builds a {@link NatsBridge}. */
  public static final class Builder {
    private final Direction direction;
    private final Path fifo;
    private final String subject;
    private Connection connection;
    private NatsConnectOptions connectOptions = NatsConnectOptions.builder().build();
    private NatsOptions options = NatsOptions.defaults();
    private ChannelConfig config = ChannelConfig.defaults();
    private FifoOptions fifoOptions = FifoOptions.defaults();
    private String codec;
    private int batch = 256;

    private Builder(Direction direction, Path fifo, String subject) {
      this.direction = direction;
      this.fifo = Objects.requireNonNull(fifo, "fifo");
      this.subject = Nats.checkSubject(subject, direction == Direction.NATS_TO_FIFO);
    }

    /** Uses this connection (not closed by the bridge). */
    public Builder connection(Connection c) {
      this.connection = Objects.requireNonNull(c, "connection");
      return this;
    }

    /** Connects with these settings (the default: nats://127.0.0.1:4222). */
    public Builder connect(NatsConnectOptions o) {
      this.connectOptions = Objects.requireNonNull(o, "options");
      return this;
    }

    public Builder options(NatsOptions o) {
      this.options = Objects.requireNonNull(o, "options");
      return this;
    }

    public Builder channelConfig(ChannelConfig c) {
      this.config = Objects.requireNonNull(c, "config");
      return this;
    }

    public Builder fifoOptions(FifoOptions o) {
      this.fifoOptions = Objects.requireNonNull(o, "fifoOptions");
      return this;
    }

    /**
     * NATS → FIFO: the codec announced for a session the bridge joins after its start (after a restart,
     * JetStream redelivers from the first unacknowledged record); default: {@code bytes}.
     */
    public Builder codec(String name) {
      this.codec = name;
      return this;
    }

    /** NATS → FIFO: records written before each flush and acknowledgement (default 256). */
    public Builder batch(int records) {
      if (records < 1) {
        throw new IllegalArgumentException("batch must be at least 1: " + records);
      }
      this.batch = records;
      return this;
    }

    public NatsBridge build() {
      if (direction == Direction.NATS_TO_FIFO && codec == null) {
        codec = "bytes";
      }
      return new NatsBridge(this);
    }
  }

  /**
   * A process entry point until {@code fifochan bridge} wraps this class:
   * {@code NatsBridge fifo-to-nats|nats-to-fifo --fifo PATH --subject S [--server URL]... [--jetstream]
   * [--durable NAME] [--stream NAME] [--codec NAME] [--token TOKEN] [--heartbeat MS]}. Prints {@code READY}
   * when running; stops cleanly on SIGTERM.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: NatsBridge fifo-to-nats|nats-to-fifo --fifo PATH --subject S [--server URL] [--jetstream]"
          + " [--durable NAME] [--stream NAME] [--codec NAME] [--token TOKEN] [--heartbeat MS]");
      System.exit(2);
    }
    String fifoPath = null;
    String subj = null;
    String codecName = null;
    NatsConnectOptions.Builder co = NatsConnectOptions.builder();
    boolean anyServer = false;
    NatsOptions.Builder no = NatsOptions.builder();
    ChannelConfig.Builder cc = ChannelConfig.builder();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--fifo": fifoPath = args[++i]; break;
        case "--subject": subj = args[++i]; break;
        case "--server": co.server(args[++i]); anyServer = true; break;
        case "--jetstream": no.mode(NatsOptions.Mode.JETSTREAM); break;
        case "--durable": no.durable(args[++i]); break;
        case "--stream": no.stream(args[++i]); break;
        case "--codec": codecName = args[++i]; break;
        case "--token": co.token(args[++i].toCharArray()); break;
        case "--heartbeat": cc.heartbeatInterval(Duration.ofMillis(Long.parseLong(args[++i]))); break;
        default:
          System.err.println("unknown argument " + a);
          System.exit(2);
      }
    }
    if (!anyServer) {
      co.server("nats://127.0.0.1:4222");
    }
    Builder b = args[0].equals("fifo-to-nats") ? fifoToNats(Path.of(fifoPath), subj) : natsToFifo(subj, Path.of(fifoPath));
    NatsBridge bridge = b.connect(co.build()).options(no.replay(NatsOptions.Replay.ALL).build()).channelConfig(cc.build())
        .codec(codecName).build();
    Runtime.getRuntime().addShutdownHook(new Thread(bridge::close));
    System.out.println("READY");
    System.out.flush();
    try {
      bridge.run();
    } catch (ClosedChannelException e) {
      // stopped
    }
  }
}
