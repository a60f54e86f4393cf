package dev.fifochan.cli.demo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.cli.DurationConverter;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.rpc.ConnectionListener;
import dev.fifochan.rpc.RpcPeer;
import dev.fifochan.rpc.RpcResponder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The hidden {@code demo-peer} subcommand: the other end of {@code fifochan demo}. For the round
 * trips it runs a request/response responder per codec that answers each call with its request; for
 * each burst it reads the requests FIFO to its clean end and acknowledges how many messages it
 * received; any unclean end fails it (non-zero exit).
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
    dev.fifochan.cli.Logging.configure(false);
    watchParent();
    Workspace ws = Workspace.at(requests.getParent());
    List<Phase> phases = Phase.parsePlan(plan);
    // Round trips: one responder per codec on its own FIFO pair, each serving the demo's one
    // connection; the bursts run here meanwhile, in the plan's order.
    Map<String, Echo<?>> echoes = new LinkedHashMap<>();
    for (Phase phase : phases) {
      if (phase.kind() == Phase.Kind.echo && !echoes.containsKey(phase.codec())) {
        echoes.put(phase.codec(), Echo.start(ws, DemoCodec.named(phase.codec()), timeout));
      }
    }
    try {
      for (Phase phase : phases) {
        if (phase.kind() == Phase.Kind.sink) {
          sink(DemoCodec.named(phase.codec()));
        }
      }
      for (Echo<?> e : echoes.values()) {
        if (!e.awaitDone(timeout)) {
          return 3;
        }
      }
    } finally {
      for (Echo<?> e : echoes.values()) {
        e.responder.close();
      }
    }
    return 0;
  }

  /** A codec's responder: answers every "echo" call with its request. */
  private static final class Echo<T> {
    final RpcResponder<T> responder;
    final CountDownLatch done = new CountDownLatch(1);

    private Echo(RpcResponder<T> responder) {
      this.responder = responder;
    }

    static <T> Echo<T> start(Workspace ws, DemoCodec<T> dc, Duration timeout) {
      Echo<?>[] self = new Echo<?>[1];
      RpcResponder<T> r = RpcResponder.builder(dc.codec())
          .config(Phases.rpcConfig())
          .executor(Runnable::run) // an echo is cheap: answer on the connection's thread
          .handle(Phases.ECHO, dc.type(), (request, call) -> request)
          .listener(new ConnectionListener() {
            @Override
            public void disconnected(RpcPeer peer, Throwable cause) {
              self[0].done.countDown();
            }
          })
          .build();
      Echo<T> e = new Echo<>(r);
      self[0] = e;
      r.serve(Phases.callPair(ws, dc.name(), timeout).acceptor(Phases.rpcConfig().channel()));
      return e;
    }

    boolean awaitDone(Duration timeout) throws InterruptedException {
      return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** A burst: reads the requests FIFO to its clean end and acknowledges the count on the replies FIFO. */
  private <T> void sink(DemoCodec<T> dc) throws IOException {
    ChannelConfig config = ChannelConfig.defaults();
    FifoOptions options = FifoOptions.builder().openTimeout(timeout).build();
    try (Receiver<T> in = Fifo.openReceiver(requests, dc.codec(), config, options);
         Sender<T> out = Fifo.openSender(replies, dc.codec(), config, options)) {
      long received = 0;
      while (in.receive() != null) {
        received++;
      }
      out.send(dc.message(received, 0, ""));
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
