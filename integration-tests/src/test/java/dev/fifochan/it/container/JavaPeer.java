package dev.fifochan.it.container;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.ReceiveTimeoutException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Java peer that runs inside a container (started by {@link ContainerSupport#javaPeer}). It prints
 * {@code READY uid=<effective uid>} as soon as it runs (before opening anything, so that a container can be waited for
 * whatever the start order), then one result line, and exits 0 on success, 1 on failure
 * ({@code FAILED <exception>}), 2 on bad usage.
 *
 * <pre>
 * echo    CODEC IN OUT            echo every message from IN to OUT until IN ends cleanly; ECHOED n
 * send    CODEC PATH COUNT PAUSE  send messages 0..COUNT-1 (COUNT &lt; 0: forever), flushing each and
 *                                 pausing PAUSE ms between them (and then printing FLUSHED n after
 *                                 each: messages 0..n-1 are in the FIFO); SENT n
 * recv    CODEC PATH COUNT        expect messages 0..COUNT-1 (COUNT &lt; 0: any number) then a clean
 *                                 end; OK n
 * service CODEC REQ REP COUNT     send COUNT requests on REQ while reading the replies on REP, which
 *                                 must be the same messages; OK n
 * </pre>
 *
 * Environment: {@code FIFOCHAN_ALLOW_FOREIGN_OWNER=true} opens FIFOs of another uid.
 */
public final class JavaPeer {
  private JavaPeer() {}

  public static void main(String[] args) {
    System.out.println("READY uid=" + uid());
    System.out.flush();
    int code;
    try {
      code = run(args);
    } catch (Throwable e) {
      System.out.println("FAILED " + e);
      e.printStackTrace(System.out);
      code = 1;
    }
    System.out.flush();
    Runtime.getRuntime().halt(code); // no shutdown delays: the sender's flusher thread, if any, is done
  }

  /** The effective uid, from /proc (no native call needed). */
  private static String uid() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2];
        }
      }
    } catch (java.io.IOException e) {
      return "unknown (" + e + ")";
    }
    return "unknown";
  }

  private static FifoOptions options() {
    return FifoOptions.builder()
        .openTimeout(Duration.ofSeconds(20))
        .allowForeignOwner(Boolean.parseBoolean(System.getenv("FIFOCHAN_ALLOW_FOREIGN_OWNER")))
        .build();
  }

  private static int run(String[] a) throws Exception {
    if (a.length < 3) {
      System.out.println("usage: echo|send|recv|service CODEC ...");
      return 2;
    }
    String codecName = a[1];
    Codec<Object> codec = PeerMessages.codec(codecName);
    ChannelConfig cfg = ChannelConfig.defaults();
    FifoOptions opts = options();
    switch (a[0]) {
      case "echo": {
        long n = 0;
        try (Receiver<Object> in = Fifo.openReceiver(Path.of(a[2]), codec, cfg, opts);
             Sender<Object> out = Fifo.openSender(Path.of(a[3]), codec, cfg, opts)) {
          for (Object m; (m = in.receive()) != null; n++) {
            out.send(m);
            out.flush();
          }
        }
        System.out.println("ECHOED " + n);
        return 0;
      }
      case "send": {
        long count = Long.parseLong(a[3]);
        long pause = Long.parseLong(a[4]);
        long n = 0;
        try (Sender<Object> out = Fifo.openSender(Path.of(a[2]), codec, cfg, opts)) {
          for (; count < 0 || n < count; n++) {
            out.send(PeerMessages.make(codecName, n));
            out.flush();
            if (pause > 0) {
              System.out.println("FLUSHED " + (n + 1)); // messages 0..n are in the FIFO
              Thread.sleep(pause);
            }
          }
        }
        System.out.println("SENT " + n);
        return 0;
      }
      case "recv": {
        long count = Long.parseLong(a[3]);
        long n = 0;
        try (Receiver<Object> in = Fifo.openReceiver(Path.of(a[2]), codec, cfg, opts)) {
          for (Object m; (m = in.receive()) != null; n++) {
            PeerMessages.check(codecName, m, n);
          }
        }
        if (count >= 0 && n != count) {
          throw new AssertionError("received " + n + " messages, expected " + count);
        }
        System.out.println("OK " + n);
        return 0;
      }
      case "service": {
        long count = Long.parseLong(a[4]);
        CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
          try (Sender<Object> out = Fifo.openSender(Path.of(a[2]), codec, cfg, opts)) {
            for (long i = 0; i < count; i++) {
              out.send(PeerMessages.make(codecName, i));
            }
            return count;
          } catch (Exception e) {
            throw new RuntimeException("sending requests: " + e, e);
          }
        });
        long n = 0;
        try (Receiver<Object> in = Fifo.openReceiver(Path.of(a[3]), codec, cfg, opts)) {
          try {
            for (Object m; (m = in.receive(Duration.ofSeconds(20))) != null; n++) {
              PeerMessages.check(codecName, m, n);
            }
          } catch (ReceiveTimeoutException e) {
            throw new AssertionError("no reply for 20 s after " + n + " replies", e);
          }
        }
        sent.get(20, TimeUnit.SECONDS);
        if (n != count) {
          throw new AssertionError("received " + n + " replies, expected " + count);
        }
        System.out.println("OK " + n);
        return 0;
      }
      default:
        System.out.println("unknown mode " + a[0]);
        return 2;
    }
  }
}
