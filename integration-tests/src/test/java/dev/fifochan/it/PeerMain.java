package dev.fifochan.it;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.LivenessTimeoutException;
import dev.fifochan.PayloadSink;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.WireVersion;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoBusyException;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoWriteChannel;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The Java peer the integration tests start in a child JVM. Prints {@code READY} once its FIFO end
 * is open, then reports progress on stdout, one fact per line.
 *
 * <pre>
 * send --path P --codec bytes|string|json|gojson|protobuf [--count N (-1: until killed)] [--writer W] [--size S]
 *      [--fanin] [--checksum] [--buffer B] [--pipe-size P] [--flush-delay-us D] [--progress-every K]
 *      [--kill-after K] [--hold] [--wire-version 1.0|1.1] [--heartbeat-ms H] [--header KEY=HEX]
 *      [--fail-at K] [--abort REASON]
 *   prints READY, PROGRESS n, SENT n (after a clean close); --hold waits for a stdin line before
 *   closing (prints HOLDING n); --kill-after K flushes K messages, writes half of the next frame and
 *   SIGKILLs itself (prints KILLING K first); --header sends every message with that header (value in
 *   hex); --fail-at K makes the codec throw on message K, and the sender then aborts with the
 *   exception's text (the abort idiom of Sender's documentation): prints ABORTED n sessionEnded=B
 *   reason=R and exits 9; --abort REASON aborts after the messages instead of closing (prints ABORTED
 *   likewise, exits 0).
 * recv --path P --codec C [--size S] [--count N] [--follow] [--ack-every A] [--pause-after N]
 *      [--allow-gaps] [--pipe-size P] [--buffer B] [--liveness-ms L]
 *   verifies every message (contents, per-writer order); prints READY, ACK n, PAUSED n (then waits
 *   for a stdin line), GAPS [...], DONE n at a clean end (or after N messages when following);
 *   ERROR Class position=O n=N ... on a stream failure (exit 4 truncated, 10 aborted, 5 other),
 *   BUSY holder=PID if another reader has the FIFO (exit 7), LIVENESS n=N after the liveness timeout
 *   (exit 8), BAD ... (exit 6).
 * echo --in A --out B --codec C   echoes every message, flushing each; ECHOED n at the clean end.
 * </pre>
 */
public final class PeerMain {
  private PeerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        opt.put(a, args[++i]);
      } else {
        flags.add(a);
      }
    }
    int code = 0;
    try {
      switch (args[0]) {
        case "send" -> code = send(opt, flags);
        case "recv" -> code = recv(opt, flags);
        case "echo" -> echo(opt);
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } catch (Throwable t) {
      say("FAILED " + t);
      t.printStackTrace();
      System.exit(9);
    }
    System.exit(code);
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static Messages.Kind kind(Map<String, String> opt) {
    return Messages.Kind.valueOf(opt.getOrDefault("codec", "bytes").toUpperCase(Locale.ROOT));
  }

  private static ChannelConfig config(Map<String, String> opt, Set<String> flags) {
    ChannelConfig.Builder b = ChannelConfig.builder().checksum(flags.contains("checksum"));
    if (opt.containsKey("buffer")) {
      b.bufferSize(Integer.parseInt(opt.get("buffer")));
    }
    if (opt.containsKey("flush-delay-us")) {
      b.flushDelay(Duration.ofNanos(1000L * Long.parseLong(opt.get("flush-delay-us"))));
    }
    if (opt.containsKey("heartbeat-ms")) {
      b.heartbeatInterval(Duration.ofMillis(Long.parseLong(opt.get("heartbeat-ms"))));
    }
    if (opt.containsKey("liveness-ms")) {
      b.livenessTimeout(Duration.ofMillis(Long.parseLong(opt.get("liveness-ms"))));
    }
    if ("1.0".equals(opt.get("wire-version"))) {
      b.wireVersion(WireVersion.V1_0);
    }
    return b.build();
  }

  private static FifoOptions options(Map<String, String> opt, Set<String> flags) {
    FifoOptions.Builder b = FifoOptions.builder()
        .openTimeout(Duration.ofSeconds(20))
        .fanIn(flags.contains("fanin"))
        .follow(flags.contains("follow"));
    if (opt.containsKey("pipe-size")) {
      b.pipeSize(Integer.parseInt(opt.get("pipe-size")));
    }
    return b.build();
  }

  private static int send(Map<String, String> opt, Set<String> flags) throws Exception {
    Messages.Kind kind = kind(opt);
    Path path = Path.of(opt.get("path"));
    long count = Long.parseLong(opt.getOrDefault("count", "-1"));
    int writer = Integer.parseInt(opt.getOrDefault("writer", "0"));
    int size = Integer.parseInt(opt.getOrDefault("size", "0"));
    long progressEvery = Long.parseLong(opt.getOrDefault("progress-every", "0"));
    long killAfter = Long.parseLong(opt.getOrDefault("kill-after", "-1"));
    long failAt = Long.parseLong(opt.getOrDefault("fail-at", "-1"));
    Headers headers = Headers.empty();
    if (opt.containsKey("header")) {
      String[] kv = opt.get("header").split("=", 2);
      headers = Headers.builder().put(kv[0], HexFormat.of().parseHex(kv[1])).build();
    }
    ChannelConfig config = config(opt, flags);
    FifoOptions options = options(opt, flags);
    // The FIFO's write end and the sink over it, as Fifo.openSender makes them, so that --kill-after
    // can write half a frame to the channel itself.
    FifoWriteChannel channel = Fifo.openWriteChannel(path, options);
    FrameSink sink = ByteStreams.sink(channel, config, options.fanIn() ? ProcessTestSupport.PIPE_BUF : 0);
    Codec<Object> codec = failAt < 0 ? Messages.codec(kind) : failingAt(Messages.codec(kind), kind, failAt, size);
    long seq = 0;
    try (Sender<Object> sender = Sender.over(sink, codec, config)) {
      say("READY");
      try {
        for (; count < 0 || seq < count; seq++) {
          if (seq == killAfter) {
            sender.flush();
            say("KILLING " + seq);
            writeHalfFrameAndDie(channel);
          }
          sender.send(Messages.make(kind, writer, seq, size), headers);
          if (progressEvery > 0 && (seq + 1) % progressEvery == 0) {
            say("PROGRESS " + (seq + 1));
          }
        }
      } catch (Exception e) {
        sender.abort(e.toString()); // close() after abort is a no-op
        say("ABORTED " + seq + " " + outcome(sender));
        return 9;
      }
      if (flags.contains("hold")) {
        sender.flush();
        say("HOLDING " + sender.stats().messagesWritten());
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      }
      if (opt.containsKey("abort")) {
        sender.abort(opt.get("abort"));
        say("ABORTED " + seq + " " + outcome(sender));
        return 0;
      }
      sender.close();
      sender.done().toCompletableFuture().get();
      say("SENT " + sender.stats().messagesWritten());
    }
    return 0;
  }

  /** How the aborted sender's done() completed. */
  private static String outcome(Sender<?> sender) throws InterruptedException {
    try {
      sender.done().toCompletableFuture().get();
      return "done-normally";
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StreamAbortedException a) {
        return "sessionEnded=" + a.sessionEnded() + " reason=" + a.reason();
      }
      return "done-failed " + e.getCause();
    }
  }

  /** {@code codec}, except that encoding message {@code seq == failAt} throws (a codec failing on purpose). */
  private static Codec<Object> failingAt(Codec<Object> codec, Messages.Kind kind, long failAt, int size) {
    Object poison = Messages.make(kind, 0, failAt, size);
    return new Codec<>() {
      @Override
      public String name() {
        return codec.name();
      }

      @Override
      public String tagOf(Object value) {
        return codec.tagOf(value);
      }

      @Override
      public void encode(Object value, PayloadSink sink) throws IOException {
        if (value instanceof byte[] b ? java.util.Arrays.equals(b, (byte[]) poison) : value.equals(poison)) {
          throw new IOException("cannot encode message " + failAt + " (a codec failing on purpose)");
        }
        codec.encode(value, sink);
      }

      @Override
      public Object decode(String tag, ByteBuffer payload) throws IOException {
        return codec.decode(tag, payload);
      }
    };
  }

  /** Writes a frame header announcing 100 payload bytes and 50 of them, then SIGKILLs this JVM. */
  private static void writeHalfFrameAndDie(FifoWriteChannel channel) throws Exception {
    ByteBuffer half = ByteBuffer.allocate(6 + 50);
    half.putInt(100).put((byte) 0).put((byte) 0);
    while (half.hasRemaining()) {
      half.put((byte) 0x5a);
    }
    half.flip();
    while (half.hasRemaining()) {
      if (channel.write(half) == 0) {
        channel.awaitReady(Deadline.after(Duration.ofMillis(10)));
      }
    }
    String pid = Long.toString(ProcessHandle.current().pid());
    new ProcessBuilder("kill", "-KILL", pid).inheritIO().start().waitFor();
    Thread.sleep(10_000);
    Runtime.getRuntime().halt(137); // not reached unless kill(1) is missing
  }

  private static int recv(Map<String, String> opt, Set<String> flags) throws Exception {
    Messages.Kind kind = kind(opt);
    Path path = Path.of(opt.get("path"));
    int size = Integer.parseInt(opt.getOrDefault("size", "0"));
    long count = Long.parseLong(opt.getOrDefault("count", "-1"));
    long ackEvery = Long.parseLong(opt.getOrDefault("ack-every", "0"));
    long pauseAfter = Long.parseLong(opt.getOrDefault("pause-after", "-1"));
    ChannelConfig config = config(opt, flags);
    Receiver<Object> receiver;
    try {
      receiver = Fifo.openReceiver(path, Messages.codec(kind), config, options(opt, flags));
    } catch (FifoBusyException e) {
      say("BUSY holder=" + (e.holderPid().isPresent() ? e.holderPid().getAsLong() : "unknown") + " " + e.getMessage());
      return 7;
    }
    say("READY");
    SequenceChecker checker = new SequenceChecker(flags.contains("allow-gaps"));
    long n = 0;
    try (receiver) {
      while (count < 0 || n < count) {
        if (n == pauseAfter) {
          say("PAUSED " + n);
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        Object m;
        try {
          m = receiver.receive();
        } catch (StreamException e) {
          say("ERROR " + e.getClass().getSimpleName() + " position=" + e.position() + " n=" + n + " " + e.getMessage());
          return e instanceof TruncatedStreamException ? 4 : e instanceof StreamAbortedException ? 10 : 5;
        } catch (LivenessTimeoutException e) {
          say("LIVENESS n=" + n + " " + e.getMessage());
          return 8;
        }
        if (m == null) {
          break;
        }
        try {
          checker.accept(Messages.check(kind, m, size));
        } catch (AssertionError e) {
          say("BAD " + e.getMessage());
          return 6;
        }
        n++;
        if (ackEvery > 0 && n % ackEvery == 0) {
          say("ACK " + n);
        }
      }
    }
    if (count >= 0 && n != count) {
      say("BAD expected " + count + " messages, got " + n);
      return 6;
    }
    say("GAPS " + checker.gaps());
    say("DONE " + n);
    return 0;
  }

  private static void echo(Map<String, String> opt) throws Exception {
    Messages.Kind kind = kind(opt);
    ChannelConfig in = ChannelConfig.defaults();
    ChannelConfig out = in.toBuilder().flushDelay(Duration.ZERO).build();
    FifoOptions options = FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).build();
    Codec<Object> codec = Messages.codec(kind);
    long n = 0;
    try (Receiver<Object> r = Fifo.openReceiver(Path.of(opt.get("in")), codec, in, options)) {
      say("READY");
      try (Sender<Object> s = Fifo.openSender(Path.of(opt.get("out")), codec, out, options)) {
        Object m;
        while ((m = r.receive()) != null) {
          s.send(m);
          n++;
        }
      }
    }
    say("ECHOED " + n);
  }
}
