package dev.fifochan.bench;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.bench.FifochanApi.Profile;
import dev.fifochan.nats.NatsConnectOptions;
import dev.fifochan.nats.NatsOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.Dispatcher;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Issue 12: messages over a NATS server on loopback, four ways.
 * <ul>
 *   <li>{@code fifochan-nats}: fifochan's {@code Sender}/{@code Receiver} over core NATS
 *       ({@code dev.fifochan.nats.Nats}, headers per message, the codec);
 *   <li>{@code fifochan-nats-js}: the same over JetStream (file stream, async publishes with at most
 *       {@code maxInFlight} 1024 unacknowledged, a pull consumer acknowledging every frame);
 *   <li>{@code jnats}: plain jnats, {@code publish(subject, bytes)} of the message encoded with its
 *       library's plain API (the same bytes as the codec's) and no headers; the reader decodes each;
 *   <li>{@code jnats-js}: plain JetStream, {@code publishAsync} with at most 1024 unacknowledged
 *       publishes, a pull consumer ({@code iterate}, batch 1024, explicit ack of every message) — what
 *       fifochan does, without its headers, message ids and checks.
 * </ul>
 * One {@code nats-server} (JetStream in a temporary directory, a free loopback port) is started by the
 * parent JVM once per run; every variant has its own connection in each JVM (the same
 * {@link NatsConnectOptions} for all four). Core subscriptions get pending limits of 8 M messages and
 * 768 MiB, so a reader that falls behind buffers rather than drops; a drop fails the trial (fifochan:
 * {@code MessagesLostException}, plain jnats: the subscription's dropped count or the count check).
 * JetStream streams are purged before every trial so the store holds one trial at a time. The plain
 * variants end a trial with an empty message; fifochan's receiver ends with the session.
 */
final class NatsPeer extends Variant {
  static final String URL_FILE = "nats-url";
  static final long PENDING_MESSAGES = 8_000_000;
  static final long PENDING_BYTES = 768L << 20;
  static final int MAX_IN_FLIGHT = 1024;
  private static final byte[] EMPTY = new byte[0];
  private static final Duration QUIET = Duration.ofSeconds(60);

  private static Process server;
  private static Path serverDir;
  private static final Map<String, Connection> CONNECTIONS = new HashMap<>();

  private final boolean fifochan;
  private final boolean jetStream;
  // a throughput trial's reader, opened in beforePeerWrites
  private Receiver<?> rx;
  private Subscription sub;
  private IterableConsumer consumer;
  private String consumerStream;
  private String consumerName;

  NatsPeer(String name, boolean fifochan, boolean jetStream) {
    super(name);
    this.fifochan = fifochan;
    this.jetStream = jetStream;
  }

  @Override
  String label() {
    return name + (fifochan ? (jetStream ? " (JetStream)" : " (core NATS)")
        : (jetStream ? " (plain JetStream publishAsync, no headers)" : " (plain publish, no headers)"));
  }

  /** The nats-server binary: {@code $FIFOCHAN_NATS_SERVER}, the PATH, {@code /usr/sbin}; null if none. */
  static Path binary() {
    String env = System.getenv("FIFOCHAN_NATS_SERVER");
    if (env != null && Files.isExecutable(Paths.get(env))) {
      return Paths.get(env);
    }
    String path = System.getenv("PATH");
    for (String d : ((path == null ? "" : path) + ":/usr/sbin:/usr/local/sbin").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Paths.get(d, "nats-server"))) {
        return Paths.get(d, "nats-server");
      }
    }
    return null;
  }

  @Override
  String unavailable() {
    return binary() == null ? "no nats-server binary (PATH, /usr/sbin or $FIFOCHAN_NATS_SERVER); apt-get install nats-server" : null;
  }

  @Override
  boolean needsPipeHold() {
    return false;
  }

  @Override
  boolean cpuOnCallingThread() {
    return false; // jnats reads and writes the socket on its own threads
  }

  @Override
  double countScale(Workload<?> w) {
    if (jetStream) {
      // a file-backed stream with an acknowledgement per message: tens of thousands per second here
      switch (w.name) {
        case "bytes100":
          return 0.01; // 50,000
        case "proto":
          return 0.025; // 50,000
        case "json":
          return 0.05; // 25,000
        default:
          return 0.1; // 1,000 of 64 KiB
      }
    }
    return w.name.equals("bytes64k") ? 1.0 : 0.2;
  }

  // ---------------------------------------------------------------- server and connections

  @Override
  void prepare(boolean parent) throws Exception {
    Path urlFile = BenchEnv.runDir().resolve(URL_FILE);
    synchronized (NatsPeer.class) {
      if (parent && server == null) {
        startServer(urlFile);
      }
    }
    if (!CONNECTIONS.containsKey(name)) {
      String url = Files.readString(urlFile, StandardCharsets.UTF_8).trim();
      CONNECTIONS.put(name, NatsConnectOptions.builder().server(url).name("bench-" + name + (parent ? "-parent" : "-peer"))
          .build().connect());
    }
  }

  private static void startServer(Path urlFile) throws IOException {
    Path bin = binary();
    serverDir = Files.createTempDirectory("fifochan-bench-nats");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    server = new ProcessBuilder(List.of(bin.toString(), "-js", "-sd", serverDir.resolve("js").toString(), "-a", "127.0.0.1",
        "-p", Integer.toString(port))).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(serverDir.resolve("server.log").toFile())).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      if (!server.isAlive()) {
        throw new IOException("nats-server exited (" + server.exitValue() + "): "
            + Files.readString(serverDir.resolve("server.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        break;
      } catch (IOException e) {
        if (System.nanoTime() > until) {
          throw new IOException("nats-server not listening on " + port + " within 20 s");
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted starting nats-server");
        }
      }
    }
    Files.writeString(urlFile, "nats://127.0.0.1:" + port, StandardCharsets.UTF_8);
    System.out.println("# nats-server " + bin + " on 127.0.0.1:" + port + " (JetStream in " + serverDir + ")");
  }

  @Override
  void release(boolean parent) {
    Connection c = CONNECTIONS.remove(name);
    if (c != null) {
      try {
        c.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (NatsPeer.class) {
      if (parent && server != null && CONNECTIONS.isEmpty()) {
        server.destroy();
        try {
          if (!server.waitFor(10, TimeUnit.SECONDS)) {
            server.destroyForcibly();
          }
          Harness.deleteTree(serverDir);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException e) {
          System.err.println("nats-server directory " + serverDir + " not deleted: " + e);
        }
        server = null;
      }
    }
  }

  private Connection nc() {
    Connection c = CONNECTIONS.get(name);
    if (c == null) {
      throw new IllegalStateException(name + ": not prepared (no NATS connection)");
    }
    return c;
  }

  private String subject(String what) {
    return "bench." + name + "." + what;
  }

  private NatsOptions options() {
    NatsOptions.Builder b = NatsOptions.builder().pendingLimits(PENDING_MESSAGES, PENDING_BYTES).maxInFlight(MAX_IN_FLIGHT);
    if (jetStream) {
      b.mode(NatsOptions.Mode.JETSTREAM);
    }
    return b.build();
  }

  private static ChannelConfig config(Profile p) {
    return p.config();
  }

  /** The stream of {@code subject}: fifochan's own name for it; plain JetStream: the same, made here alike. */
  private String stream(String subject) throws IOException {
    String stream = options().streamFor(subject);
    if (!fifochan) {
      JetStreamManagement jsm = nc().jetStreamManagement();
      try {
        jsm.getStreamInfo(stream);
      } catch (JetStreamApiException e) {
        try {
          jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject).storageType(StorageType.File)
              .replicas(1).duplicateWindow(Duration.ofMinutes(2)).build());
        } catch (JetStreamApiException e2) {
          throw new IOException("cannot create stream " + stream + ": " + e2.getMessage(), e2);
        }
      }
    }
    return stream;
  }

  private void purge(String subject) throws IOException {
    try {
      nc().jetStreamManagement().purgeStream(options().streamFor(subject));
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10059) { // not there yet: nothing to purge
        throw new IOException("purge " + subject + ": " + e.getMessage(), e);
      }
    }
  }

  /** A pull consumer for a plain reader: the configuration fifochan's receiver uses (explicit ack, new messages). */
  private IterableConsumer plainConsumer(String subject) throws IOException {
    try {
      consumerStream = stream(subject);
      var cc = nc().getStreamContext(consumerStream).createOrUpdateConsumer(ConsumerConfiguration.builder()
          .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(30)).filterSubject(subject)
          .maxAckPending(2L * MAX_IN_FLIGHT).inactiveThreshold(Duration.ofMinutes(5)).deliverPolicy(DeliverPolicy.New).build());
      consumerName = cc.getConsumerName();
      return cc.iterate(ConsumeOptions.builder().batchSize(MAX_IN_FLIGHT).expiresIn(2000).build());
    } catch (JetStreamApiException e) {
      throw new IOException("consumer on " + subject + ": " + e.getMessage(), e);
    }
  }

  private void closePlainConsumer() {
    if (consumer != null) {
      try {
        consumer.stop();
        consumer.close();
      } catch (Exception e) {
        // the consumer goes away after its inactive threshold anyway
      }
      try {
        nc().jetStreamManagement().deleteConsumer(consumerStream, consumerName);
      } catch (IOException | JetStreamApiException e) {
        // likewise
      }
      consumer = null;
    }
  }

  /** The next message of a core subscription or a JetStream consumer, waiting at most {@link #QUIET}; null if none came. */
  private Message next(Subscription s, IterableConsumer c) throws IOException, InterruptedException {
    if (c == null) {
      return s.nextMessage(QUIET);
    }
    // the simplified consumer's nextMessage may return null before its timeout (between pulls): ask again
    long until = System.nanoTime() + QUIET.toNanos();
    while (true) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      try {
        Message m = c.nextMessage(Duration.ofNanos(left));
        if (m != null) {
          return m;
        }
      } catch (JetStreamStatusCheckedException e) {
        throw new IOException(name + ": JetStream consumer failed: " + e.getMessage(), e);
      }
    }
  }

  private void flushConnection() throws IOException {
    try {
      nc().flush(Duration.ofSeconds(30));
    } catch (TimeoutException e) {
      throw new IOException(name + ": NATS flush timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  // ---------------------------------------------------------------- one-way

  @Override
  void beforePeerWrites(Workload<?> w, int count) {
    String subject = subject(w.name);
    try {
      if (jetStream) {
        stream(subject);
        purge(subject);
      }
      if (fifochan) {
        rx = dev.fifochan.nats.Nats.openReceiver(nc(), subject, w.codec(), config(Profile.THROUGHPUT), options());
      } else if (jetStream) {
        consumer = plainConsumer(subject);
      } else {
        sub = nc().subscribe(subject);
        sub.setPendingLimits(PENDING_MESSAGES, PENDING_BYTES);
      }
      flushConnection(); // the server has the subscription before the peer publishes
    } catch (IOException e) {
      throw new IllegalStateException(name + ": cannot subscribe to " + subject + ": " + e, e);
    }
  }

  @Override
  <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
    String subject = subject(w.name);
    if (fifochan) {
      try (Sender<T> s = dev.fifochan.nats.Nats.openSender(nc(), subject, w.codec(), config(Profile.THROUGHPUT), options())) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          s.send(w.message(i));
        }
        s.flush();
        return t0;
      }
    }
    if (jetStream) {
      JetStream js = nc().jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(5)).build());
      ArrayDeque<CompletableFuture<PublishAck>> inFlight = new ArrayDeque<>();
      long t0 = System.nanoTime();
      for (int i = 0; i <= count; i++) {
        if (inFlight.size() >= MAX_IN_FLIGHT) {
          settle(inFlight.removeFirst());
        }
        inFlight.addLast(js.publishAsync(subject, i < count ? w.toBytes(w.message(i)) : EMPTY));
      }
      while (!inFlight.isEmpty()) {
        settle(inFlight.removeFirst());
      }
      return t0;
    }
    Connection nc = nc();
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      nc.publish(subject, w.toBytes(w.message(i)));
    }
    nc.publish(subject, EMPTY);
    flushConnection();
    return t0;
  }

  private static void settle(CompletableFuture<PublishAck> f) throws IOException {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("JetStream publish not acknowledged: " + e, e);
    }
  }

  @Override
  <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
    try {
      if (fifochan) {
        @SuppressWarnings("unchecked")
        Receiver<T> r = (Receiver<T>) rx;
        ReadCounter<T> h = new ReadCounter<>(w, count);
        int k;
        while ((k = r.poll(h, 1024, QUIET)) >= 0) {
          if (k == 0) {
            throw new IOException(name + ": nothing for " + QUIET.toSeconds() + " s after " + h.n + " of " + count);
          }
        }
        expect(h.n, count, name + " messages received");
        Main.sink(h.sum);
        return h.tEnd;
      }
      long n = 0;
      long sum = 0;
      long tEnd = 0;
      while (true) {
        Message m = next(sub, consumer);
        if (m == null) {
          throw new IOException(name + ": nothing for " + QUIET.toSeconds() + " s after " + n + " of " + count
              + (sub != null ? " (dropped by the client: " + sub.getDroppedCount() + ")" : ""));
        }
        byte[] data = m.getData();
        if (jetStream) {
          m.ack();
        }
        if (data == null || data.length == 0) {
          break;
        }
        sum += w.check(w.fromBytes(data));
        if (++n == count) {
          tEnd = System.nanoTime();
        }
      }
      if (sub != null && sub.getDroppedCount() > 0) {
        throw new IOException(name + ": slow consumer, the client dropped " + sub.getDroppedCount() + " messages");
      }
      expect(n, count, name + " messages received");
      Main.sink(sum);
      return tEnd;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } finally {
      if (rx != null) {
        rx.close();
        rx = null;
      }
      if (sub != null) {
        sub.unsubscribe();
        sub = null;
      }
      closePlainConsumer();
    }
  }

  // ---------------------------------------------------------------- round trips

  /**
   * Round trips: the parent publishes on {@code rtt.ping}, the peer echoes on {@code rtt.pong}. Before
   * the first one the peer (subscribed to ping) asks the parent (subscribed to pong) on {@code rtt.ready}
   * until it answers, so neither side publishes before the other's subscription exists.
   */
  @Override
  <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
    String ping = subject("rtt.ping");
    String pong = subject("rtt.pong");
    if (jetStream) {
      stream(ping);
      stream(pong);
    }
    if (fifochan) {
      try (Receiver<T> r = dev.fifochan.nats.Nats.openReceiver(nc(), ping, w.codec(), config(Profile.ROUND_TRIP), options())) {
        awaitParent();
        try (Sender<T> s = dev.fifochan.nats.Nats.openSender(nc(), pong, w.codec(), config(Profile.ROUND_TRIP), options())) {
          int n = 0;
          T m;
          while ((m = r.receive(QUIET)) != null) {
            s.send(m);
            n++;
          }
          expect(n, total, name + " echoes");
        }
      }
      return;
    }
    Subscription s = null;
    IterableConsumer c = null;
    try {
      if (jetStream) {
        c = plainConsumer(ping);
      } else {
        s = nc().subscribe(ping);
      }
      awaitParent();
      JetStream js = jetStream ? nc().jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(5)).build()) : null;
      int n = 0;
      while (true) {
        Message m = next(s, c);
        if (m == null) {
          throw new IOException(name + " echo: nothing for " + QUIET.toSeconds() + " s after " + n);
        }
        if (jetStream) {
          m.ack();
        }
        byte[] data = m.getData();
        if (data == null || data.length == 0) {
          break;
        }
        byte[] back = w.toBytes(w.fromBytes(data));
        if (jetStream) {
          js.publish(pong, back);
        } else {
          nc().publish(pong, back);
        }
        n++;
      }
      expect(n, total, name + " echoes");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (JetStreamApiException e) {
      throw new IOException(name + " echo publish: " + e.getMessage(), e);
    } finally {
      if (s != null) {
        s.unsubscribe();
      }
      if (c != null) {
        consumer = c;
        closePlainConsumer();
      }
    }
  }

  private void awaitParent() throws IOException {
    flushConnection();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      try {
        Message r = nc().request(subject("rtt.ready"), EMPTY, Duration.ofSeconds(5));
        if (r != null && !r.isStatusMessage()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } catch (RuntimeException e) {
        // no responder yet
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
    throw new IOException(name + " echo: the parent did not answer on " + subject("rtt.ready") + " within 60 s");
  }

  /** Answers the peer's ready requests (while the round trips run) and waits for the first. */
  private Dispatcher answerPeer() throws IOException {
    Connection nc = nc();
    CountDownLatch asked = new CountDownLatch(1);
    Dispatcher d = nc.createDispatcher(m -> {
      nc.publish(m.getReplyTo(), EMPTY);
      asked.countDown();
    });
    d.subscribe(subject("rtt.ready"));
    try {
      flushConnection();
      if (!asked.await(60, TimeUnit.SECONDS)) {
        throw new IOException(name + ": the peer did not ask on " + subject("rtt.ready") + " within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    return d;
  }

  @Override
  <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
    String ping = subject("rtt.ping");
    String pong = subject("rtt.pong");
    if (jetStream) {
      stream(ping);
      stream(pong);
      purge(ping);
      purge(pong);
    }
    long[] rtt = new long[count];
    long sum = 0;
    Dispatcher ready = null;
    try {
      if (fifochan) {
        try (Receiver<T> r = dev.fifochan.nats.Nats.openReceiver(nc(), pong, w.codec(), config(Profile.ROUND_TRIP), options())) {
          ready = answerPeer();
          try (Sender<T> s = dev.fifochan.nats.Nats.openSender(nc(), ping, w.codec(), config(Profile.ROUND_TRIP), options())) {
            for (int i = 0; i < warmup + count; i++) {
              T m = w.message(i);
              long t0 = System.nanoTime();
              s.send(m);
              T back = r.receive(QUIET);
              long t1 = System.nanoTime();
              if (back == null) {
                throw new IllegalStateException("echo stream ended after " + i);
              }
              sum += w.check(back);
              if (i >= warmup) {
                rtt[i - warmup] = t1 - t0;
              }
            }
          }
          expect(r.receive(QUIET) == null ? 0 : 1, 0, "messages after the last echo");
        }
      } else {
        Subscription s = null;
        IterableConsumer c = null;
        try {
          if (jetStream) {
            c = plainConsumer(pong);
          } else {
            s = nc().subscribe(pong);
          }
          ready = answerPeer();
          JetStream js = jetStream ? nc().jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(5)).build()) : null;
          for (int i = 0; i <= warmup + count; i++) {
            boolean last = i == warmup + count;
            long t0 = System.nanoTime();
            byte[] b = last ? EMPTY : w.toBytes(w.message(i));
            if (jetStream) {
              js.publish(ping, b);
            } else {
              nc().publish(ping, b);
            }
            if (last) {
              break;
            }
            Message m = next(s, c);
            if (m == null) {
              throw new IOException(name + ": no echo for " + QUIET.toSeconds() + " s at " + i);
            }
            if (jetStream) {
              m.ack();
            }
            T back = w.fromBytes(m.getData());
            long t1 = System.nanoTime();
            sum += w.check(back);
            if (i >= warmup) {
              rtt[i - warmup] = t1 - t0;
            }
          }
          flushConnection();
        } finally {
          if (s != null) {
            s.unsubscribe();
          }
          if (c != null) {
            consumer = c;
            closePlainConsumer();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (JetStreamApiException e) {
      throw new IOException(name + " ping publish: " + e.getMessage(), e);
    } finally {
      if (ready != null) {
        nc().closeDispatcher(ready);
      }
    }
    Main.sink(sum);
    return rtt;
  }
}
