package dev.fifochan.it;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoReadChannel;
import dev.fifochan.fifo.FifoWriteChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Java peer the integration tests start in a child JVM. Prints {@code READY} once its FIFO end
 * is open, then reports progress on stdout, one fact per line.
 *
 * <pre>
 * send --path P --codec bytes|string|json|gojson|protobuf [--count N (-1: until killed)] [--writer W] [--size S]
 *      [--fanin] [--checksum] [--buffer B] [--pipe-size P] [--flush-delay-us D] [--progress-every K]
 *      [--kill-after K] [--hold]
 *   prints READY, PROGRESS n, SENT n (after a clean close); --hold waits for a stdin line before
 *   closing (prints HOLDING n); --kill-after K flushes K messages, writes half of the next frame and
 *   SIGKILLs itself (prints KILLING K first).
 * recv --path P --codec C [--size S] [--count N] [--follow] [--ack-every A] [--pause-after N]
 *      [--allow-gaps] [--pipe-size P] [--buffer B]
 *   verifies every message (contents, per-writer order); prints READY, ACK n, PAUSED n (then waits
 *   for a stdin line), GAPS [...], DONE n at a clean end (or after N messages when following);
 *   ERROR Class offset=O n=N on a stream failure (exit 4 truncated, 5 other), BAD ... (exit 6).
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
    try {
      switch (args[0]) {
        case "send" -> send(opt, flags);
        case "recv" -> System.exit(recv(opt, flags));
        case "echo" -> echo(opt);
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } catch (Throwable t) {
      say("FAILED " + t);
      t.printStackTrace();
      System.exit(9);
    }
    System.exit(0);
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static Messages.Kind kind(Map<String, String> opt) {
    return Messages.Kind.valueOf(opt.getOrDefault("codec", "bytes").toUpperCase(Locale.ROOT));
  }

  private static ChannelConfig config(Map<String, String> opt, Set<String> flags) {
    ChannelConfig.Builder b = ChannelConfig.builder()
        .openTimeout(Duration.ofSeconds(20))
        .fanIn(flags.contains("fanin"))
        .checksum(flags.contains("checksum"))
        .follow(flags.contains("follow"));
    if (opt.containsKey("buffer")) {
      b.bufferSize(Integer.parseInt(opt.get("buffer")));
    }
    if (opt.containsKey("pipe-size")) {
      b.pipeSize(Integer.parseInt(opt.get("pipe-size")));
    }
    if (opt.containsKey("flush-delay-us")) {
      b.flushDelay(Duration.ofNanos(1000L * Long.parseLong(opt.get("flush-delay-us"))));
    }
    return b.build();
  }

  private static void send(Map<String, String> opt, Set<String> flags) throws Exception {
    Messages.Kind kind = kind(opt);
    Path path = Path.of(opt.get("path"));
    long count = Long.parseLong(opt.getOrDefault("count", "-1"));
    int writer = Integer.parseInt(opt.getOrDefault("writer", "0"));
    int size = Integer.parseInt(opt.getOrDefault("size", "0"));
    long progressEvery = Long.parseLong(opt.getOrDefault("progress-every", "0"));
    long killAfter = Long.parseLong(opt.getOrDefault("kill-after", "-1"));
    ChannelConfig config = config(opt, flags);
    FifoWriteChannel channel = Fifo.openWriteChannel(path, config);
    Sender<Object> sender = Sender.over(channel, Messages.codec(kind), config);
    say("READY");
    for (long seq = 0; count < 0 || seq < count; seq++) {
      if (seq == killAfter) {
        sender.flush();
        say("KILLING " + seq);
        writeHalfFrameAndDie(channel);
      }
      sender.send(Messages.make(kind, writer, seq, size));
      if (progressEvery > 0 && (seq + 1) % progressEvery == 0) {
        say("PROGRESS " + (seq + 1));
      }
    }
    if (flags.contains("hold")) {
      sender.flush();
      say("HOLDING " + sender.messagesWritten());
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    sender.close();
    sender.done().get();
    say("SENT " + sender.messagesWritten());
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
        channel.awaitReady(10_000_000L);
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
    Codec<Object> codec = Messages.codec(kind);
    Receiver<Object> receiver;
    if (config.follow()) {
      receiver = Receiver.following(Fifo.follow(path, config), codec, config);
    } else {
      FifoReadChannel ch = Fifo.openReadChannel(path, config);
      receiver = Receiver.over(ch, codec, config);
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
          say("ERROR " + e.getClass().getSimpleName() + " offset=" + e.offset() + " n=" + n + " " + e.getMessage());
          return e instanceof TruncatedStreamException ? 4 : 5;
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
    ChannelConfig in = ChannelConfig.builder().openTimeout(Duration.ofSeconds(20)).build();
    ChannelConfig out = in.toBuilder().flushDelay(Duration.ZERO).build();
    Codec<Object> codec = Messages.codec(kind);
    long n = 0;
    try (Receiver<Object> r = Receiver.over(Fifo.openReadChannel(Path.of(opt.get("in")), in), codec, in)) {
      say("READY");
      try (Sender<Object> s = Sender.over(Fifo.openWriteChannel(Path.of(opt.get("out")), out), codec, out)) {
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
