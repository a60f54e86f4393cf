package dev.fifochan.cli.demo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.cli.DurationConverter;
import dev.fifochan.fifo.Fifo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The hidden {@code demo-peer} subcommand: the other end of {@code fifochan demo}. For each phase
 * of the plan it reads the requests FIFO to its clean end and either echoes every message on the
 * replies FIFO or acknowledges how many it received; any unclean end fails it (non-zero exit).
 * It exits at once when the demo process goes away (end of file on stdin, or its parent gone).
 */
@Command(name = "demo-peer", hidden = true, mixinStandardHelpOptions = true,
    description = "The peer process of 'fifochan demo' (internal: the demo starts it).")
public final class DemoPeerCommand implements Callable<Integer> {
  @Option(names = "--requests", required = true, paramLabel = "FIFO", description = "The FIFO the demo sends requests on.")
  private Path requests;

  @Option(names = "--replies", required = true, paramLabel = "FIFO", description = "The FIFO to answer on.")
  private Path replies;

  @Option(names = "--plan", required = true, paramLabel = "PHASES",
      description = "The demo's phases, in order (codec:kind,...).")
  private String plan;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "Give up if the demo does not open a FIFO within this time (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Override
  public Integer call() throws Exception {
    watchParent();
    for (Phase phase : Phase.parsePlan(plan)) {
      run(DemoCodec.named(phase.codec()), phase.kind());
    }
    return 0;
  }

  private <T> void run(DemoCodec<T> dc, Phase.Kind kind) throws IOException {
    ChannelConfig config = ChannelConfig.builder()
        .createIfMissing(false)
        .openTimeout(timeout)
        .flushDelay(kind == Phase.Kind.echo ? Duration.ZERO : ChannelConfig.defaults().flushDelay())
        .build();
    try (Receiver<T> in = Receiver.over(Fifo.openReadChannel(requests, config), dc.codec(), config);
         Sender<T> out = Sender.over(Fifo.openWriteChannel(replies, config), dc.codec(), config)) {
      long received = 0;
      for (T m; (m = in.receive()) != null; ) {
        received++;
        if (kind == Phase.Kind.echo) {
          out.send(m);
        }
      }
      if (kind == Phase.Kind.sink) {
        out.send(dc.message(received, 0, ""));
      }
    }
  }

  /** Exits when the demo process is gone: end of file on stdin, or (if stdin is no pipe) the parent gone. */
  private static void watchParent() {
    Thread stdin = new Thread(() -> {
      try {
        InputStream in = System.in;
        byte[] buf = new byte[64];
        while (in.read(buf) >= 0) {
          // the demo never writes; anything read is ignored
        }
      } catch (IOException e) {
        // treat as end of file
      }
      Runtime.getRuntime().halt(7);
    }, "fifochan-peer-stdin-watch");
    stdin.setDaemon(true);
    stdin.start();
    ProcessHandle.current().parent().ifPresent(parent -> {
      Thread poll = new Thread(() -> {
        while (parent.isAlive()) {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
        Runtime.getRuntime().halt(7);
      }, "fifochan-peer-parent-watch");
      poll.setDaemon(true);
      poll.start();
    });
  }
}
