package dev.fifochan.cli.demo;

import dev.fifochan.cli.CliException;
import dev.fifochan.cli.CommonOptions;
import dev.fifochan.cli.DurationConverter;
import dev.fifochan.cli.ExitCode;
import dev.fifochan.cli.Failures;
import dev.fifochan.cli.FifochanCommand;
import dev.fifochan.cli.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fifochan demo}: two processes exchange typed messages over two FIFOs, with the JSON and
 * the protobuf codec, and the demo prints what it measured. Leaves nothing behind, also on Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a second JVM and exchange JSON and protobuf messages with it over two FIFOs.",
        "The FIFOs live in a private temporary directory (0700; FIFOs 0600). For each codec (JSON with a"
        + " Java record, protobuf with a generated class) first request/echo round trips (latency), then a one-way burst the peer"
        + " acknowledges (throughput).",
        "Prints a summary on stdout: messages, bytes, rates, round-trip p50/p99, clean ends of stream."
            + " Progress goes to stderr when it is a terminal (or with --progress). The FIFOs, the directory"
            + " and the peer process are removed at the end, also on Ctrl-C."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan demo", "  fifochan demo --round-trips 50000 --burst 1000000 --codec protobuf"})
public final class DemoCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private CommonOptions common;

  @Option(names = "--round-trips", paramLabel = "N", defaultValue = "20000",
      description = "Request/echo round trips per codec (default: ${DEFAULT-VALUE}); the first 10%% warm up.")
  private int roundTrips;

  @Option(names = "--burst", paramLabel = "N", defaultValue = "300000",
      description = "Messages of the one-way burst per codec (default: ${DEFAULT-VALUE}).")
  private int burst;

  @Option(names = "--codec", paramLabel = "CODEC", split = ",", defaultValue = "json,protobuf",
      description = "Codecs to run: json, protobuf (default: ${DEFAULT-VALUE}).")
  private List<String> codecs;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "Give up if the peer does not open a FIFO or answer within this time (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Override
  public Integer call() throws Exception {
    dev.fifochan.cli.Logging.configure(common.verbose());
    if (roundTrips < 1 || burst < 1) {
      throw new CliException(ExitCode.USAGE, "--round-trips and --burst must be at least 1");
    }
    List<Phase> plan = new ArrayList<>();
    for (String codec : codecs) {
      try {
        DemoCodec.named(codec);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
      plan.add(new Phase(codec, Phase.Kind.echo));
      plan.add(new Phase(codec, Phase.Kind.sink));
    }
    PrintStream err = root.io().err();
    Workspace ws;
    try {
      ws = Workspace.create();
    } catch (IOException e) {
      throw Failures.of("temporary directory", e);
    }
    DemoRun run = new DemoRun(ws);
    Thread hook = new Thread(run::cleanUp, "fifochan-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    List<PhaseResult> results = new ArrayList<>();
    int peerStatus;
    try {
      run.peer = PeerProcess.start(ws, plan, timeout);
      // If the peer dies, stop waiting for it at once: an interrupt ends any FIFO wait.
      Thread main = Thread.currentThread();
      run.peer.onFailure(() -> {
        if (!run.finished) {
          main.interrupt();
        }
      });
      if (common.verbose()) {
        err.println("fifochan demo: FIFOs in " + ws.dir() + ", peer pid " + run.peer.pid());
      }
      for (Phase phase : plan) {
        results.add(runPhase(run, DemoCodec.named(phase.codec()), phase.kind()));
      }
      peerStatus = run.peer.awaitExit(timeout);
      if (peerStatus != 0) {
        throw new CliException(ExitCode.PEER_GONE, peerStatus < 0
            ? "demo peer (pid " + run.peer.pid() + ") did not exit within " + DurationConverter.format(timeout)
            : "demo peer (pid " + run.peer.pid() + ") failed with exit status " + peerStatus);
      }
    } catch (IOException e) {
      throw peerFailure(run, e);
    } finally {
      run.finished = true;
      Thread.interrupted(); // a late interrupt from the peer watcher must not disturb the cleanup
      run.cleanUp();
      removeHook(hook);
    }
    dev.fifochan.cli.Stdout stdout = new dev.fifochan.cli.Stdout(root.io().data());
    PrintStream out = stdout.printer();
    new Summary(results, run, roundTrips / 10).print(out);
    return stdout.check(out, "the demo ran and removed what it created; its summary on stdout is incomplete");
  }

  private <T> PhaseResult runPhase(DemoRun run, DemoCodec<T> dc, Phase.Kind kind) throws IOException, CliException {
    Phases phases = new Phases(run.ws, timeout);
    String label = "demo " + dc.name() + (kind == Phase.Kind.echo ? " round trips" : " burst");
    int n = kind == Phase.Kind.echo ? roundTrips : burst;
    return phases.run(dc, kind, n, roundTrips / 10, (messages, bytes) -> Progress.start(common.progress(), root.io().err(),
        label, messages, bytes, n));
  }

  /** Names the peer's death when that is what broke the exchange. */
  private CliException peerFailure(DemoRun run, IOException e) {
    CliException failure = Failures.of("demo", e);
    if (run.peer != null) {
      try {
        Thread.interrupted();
        run.peer.awaitExit(Duration.ofMillis(500));
      } catch (InterruptedException ie) {
        // checked below
      }
      if (!run.peer.isAlive()) {
        return new CliException(ExitCode.PEER_GONE, "demo peer (pid " + run.peer.pid() + ") exited with status "
            + run.peer.exitStatus() + ": " + failure.getMessage(), e);
      }
    }
    return failure;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook runs anyway and cleanUp is idempotent
    }
  }

  /** The state the shutdown hook needs: the workspace and the peer. */
  static final class DemoRun {
    final Workspace ws;
    volatile PeerProcess peer;
    volatile boolean finished;
    private boolean cleaned;
    private boolean peerStopped;
    private boolean removed;

    DemoRun(Workspace ws) {
      this.ws = ws;
    }

    /** Ends the peer and removes the FIFOs and the directory; idempotent, from any thread. */
    synchronized void cleanUp() {
      if (cleaned) {
        return;
      }
      PeerProcess p = peer;
      peerStopped = p == null || p.stop();
      removed = ws.delete();
      cleaned = true;
    }

    synchronized boolean peerStopped() {
      return peerStopped;
    }

    synchronized boolean removed() {
      return removed;
    }
  }
}
