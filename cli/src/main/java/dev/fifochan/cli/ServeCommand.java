package dev.fifochan.cli;

import dev.fifochan.Deadline;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageInput;
import dev.fifochan.cli.format.MessageOutput;
import dev.fifochan.cli.format.ServeFormatOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.CallContext;
import dev.fifochan.rpc.ConnectionListener;
import dev.fifochan.rpc.Handler;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcPeer;
import dev.fifochan.rpc.RpcResponder;
import dev.fifochan.rpc.RpcStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fifochan serve}: a request/response responder from the shell, for tests and glue. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Answer request/response calls on a pair of FIFOs (docs/rpc.md): the client writes REQUESTS, this"
        + " responder answers on RESPONSES. One client connection at a time, one after another, until stopped"
        + " (Ctrl-C, SIGTERM: calls in flight are drained first) or, with --once, after the first client leaves.",
        "--echo answers every call with its request. --exec CMD runs 'sh -c CMD' once per call: the request, in the"
            + " --codec's text form and followed by a newline, on the command's stdin; its stdout is the reply (json: one"
            + " JSON value). A non-zero exit is an error status: 1 to 16 is that status (e.g. exit 5: NOT_FOUND), anything"
            + " else UNKNOWN, with the command's stderr as the message. The command sees FIFOCHAN_OP, FIFOCHAN_CALL_ID"
            + " and FIFOCHAN_DEADLINE_MS (milliseconds left) in its environment; it is killed when the call's deadline"
            + " passes (DEADLINE_EXCEEDED) or the caller cancels."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan serve --create --echo /tmp/echo.req /tmp/echo.rsp &",
        "  fifochan serve --service quotes --op price --exec 'jq -c \"{price: 42, symbol: .symbol}\"' /tmp/q.req /tmp/q.rsp",
        "  fifochan serve --codec string --exec 'tr a-z A-Z' --once /tmp/up.req /tmp/up.rsp",
        "  fifochan serve --exec 'grep -q . || exit 3; cat' R S     # an empty request: INVALID_ARGUMENT"})
public final class ServeCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private ServeFormatOptions format;

  @Mixin
  private CommonOptions common;

  @Mixin
  private CreateOptions creation;

  static final class Mode {
    @Option(names = "--echo", required = true, description = "Answer every call with its request.")
    boolean echo;

    @Option(names = "--exec", required = true, paramLabel = "CMD",
        description = "Answer each call by running 'sh -c CMD': the request on its stdin, the reply from its stdout.")
    String exec;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Mode mode;

  @Option(names = "--op", paramLabel = "NAME", split = ",", defaultValue = RpcCommands.DEFAULT_OPERATION,
      description = "The operation(s) to answer (default: ${DEFAULT-VALUE}); a call of another is UNIMPLEMENTED.")
  private List<String> operations = new ArrayList<>();

  @Option(names = "--service", paramLabel = "NAME", defaultValue = "default",
      description = "The service name this responder states in the handshake; a client stating another is refused"
          + " (default: ${DEFAULT-VALUE}).")
  private String service;

  @Option(names = "--once", description = "Exit 0 after the first client connection ends.")
  private boolean once;

  @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "On SIGTERM or Ctrl-C, how long calls in flight may finish (default: ${DEFAULT-VALUE}).")
  private Duration drain;

  @Parameters(index = "0", paramLabel = "REQUESTS", description = "The FIFO clients write requests into.")
  private Path requests;

  @Parameters(index = "1", paramLabel = "RESPONSES", description = "The FIFO this responder answers on.")
  private Path responses;

  @Override
  public Integer call() throws Exception {
    Logging.configure(common.verbose());
    return run(format.build());
  }

  /**
   * Whether a client's disconnection is worth a line without --verbose: not a client that ended its
   * stream (a call made, the client closed), not the responder's own shutdown, and not a stale stream at
   * offset 0 (the rest of an earlier connection a FIFO pair may hold, docs/rpc.md §10: the next attempt
   * starts clean).
   */
  private boolean unexpected(Throwable cause) {
    if (cause == null || shuttingDown) {
      return false;
    }
    if (cause instanceof dev.fifochan.rpc.PeerGoneException
        && ((dev.fifochan.rpc.PeerGoneException) cause).reason() == dev.fifochan.rpc.PeerGoneException.Reason.ENDED) {
      return false;
    }
    if (cause instanceof java.nio.channels.AsynchronousCloseException) {
      return false;
    }
    return !(cause instanceof dev.fifochan.CorruptFrameException && ((dev.fifochan.CorruptFrameException) cause).position() == 0);
  }

  private volatile boolean shuttingDown;

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    RpcConfig config = RpcCommands.config(service, format.maxFrameLength());
    for (String op : operations) {
      RpcCommands.checkOperation(op);
    }
    FifoPair pair = RpcCommands.pair(requests, responses, creation, Timeouts.FOREVER);
    PrintStream err = root.io().err();
    CountDownLatch firstGone = new CountDownLatch(1);
    Handler<T, T> handler = mode.echo ? (request, call) -> request : new Exec<>(mode.exec, messageFormat);
    RpcResponder.Builder<T> b = RpcResponder.builder(messageFormat.codec()).config(config)
        .listener(new ConnectionListener() {
          @Override
          public void connected(RpcPeer peer) {
            if (common.verbose()) {
              err.println("fifochan serve: client connected: " + peer.description());
            }
          }

          @Override
          public void disconnected(RpcPeer peer, Throwable cause) {
            if (common.verbose() || unexpected(cause)) {
              err.println("fifochan serve: client " + (peer == null ? "" : peer.description() + " ") + "gone"
                  + (cause == null ? "" : ": " + Failures.of(null, cause).getMessage()));
            }
            if (peer != null) {
              firstGone.countDown();
            }
          }
        });
    for (String op : operations) {
      b.handle(op, messageFormat.type(), handler);
    }
    RpcResponder<T> responder;
    try {
      responder = b.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage(), e);
    }
    Thread hook = new Thread(() -> {
      shuttingDown = true;
      responder.shutdown(drain);
    }, "fifochan-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      responder.serve(pair.acceptor(config.channel()));
      if (once) {
        firstGone.await();
      } else {
        new CountDownLatch(1).await(); // until a signal ends the process (the hook drains)
      }
    } finally {
      shuttingDown = true;
      responder.shutdown(drain);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs
      }
    }
    return ExitCode.OK.code();
  }

  /** Answers a call by running a command with the request on its stdin and taking its stdout as the reply. */
  private static final class Exec<T> implements Handler<T, T> {
    private final String command;
    private final MessageFormat<T> format;

    Exec(String command, MessageFormat<T> format) {
      this.command = command;
      this.format = format;
    }

    @Override
    public T handle(T request, CallContext call) throws Exception {
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      MessageOutput<T> out = format.output(text);
      out.write(request);
      out.flush();
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", command);
      pb.environment().put("FIFOCHAN_OP", call.operation());
      pb.environment().put("FIFOCHAN_CALL_ID", Long.toString(call.callId()));
      Deadline deadline = call.deadline();
      if (deadline != null && !deadline.isNone()) {
        pb.environment().put("FIFOCHAN_DEADLINE_MS", Long.toString(Math.max(0, deadline.remainingNanos() / 1_000_000)));
      }
      Process p = pb.start();
      call.onCancel(p::destroyForcibly);
      CompletableFuture<Void> in = CompletableFuture.runAsync(() -> feed(p.getOutputStream(), text.toByteArray()));
      CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
      CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      boolean exited;
      try {
        if (deadline == null || deadline.isNone()) {
          p.waitFor();
          exited = true;
        } else {
          exited = p.waitFor(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        throw e;
      }
      if (!exited) {
        p.destroyForcibly();
        throw new RpcException(RpcStatus.DEADLINE_EXCEEDED, "the command did not answer before the call's deadline");
      }
      if (call.isCancelled()) {
        throw new RpcException(RpcStatus.CANCELLED, "the caller cancelled the call");
      }
      byte[] reply = get(stdout);
      String problem = new String(get(stderr), StandardCharsets.UTF_8).strip();
      in.exceptionally(x -> null);
      int status = p.exitValue();
      if (status != 0) {
        RpcStatus s = status >= 1 && status <= 16 ? RpcStatus.ofCode(status) : RpcStatus.UNKNOWN;
        String why = problem.isEmpty() ? "the command exited with status " + status
            : Failures.oneLine(problem.length() > 1000 ? problem.substring(0, 1000) + "…" : problem);
        throw new RpcException(s, why);
      }
      MessageInput<T> input = format.input(new ByteArrayInputStream(reply));
      T answer;
      try {
        answer = input.next();
      } catch (CliException e) {
        throw new RpcException(RpcStatus.INTERNAL, "the command's reply is not valid " + format.codec().name() + ": "
            + e.getMessage().replaceFirst("^stdin ", "its output "));
      }
      if (answer == null) {
        throw new RpcException(RpcStatus.INTERNAL, "the command printed no reply");
      }
      return answer;
    }

    private static void feed(OutputStream stdin, byte[] bytes) {
      try (stdin) {
        stdin.write(bytes);
      } catch (IOException e) {
        // the command does not read its stdin: fine
      }
    }

    private static byte[] drain(InputStream s) {
      try (s) {
        return s.readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    }

    private static byte[] get(CompletableFuture<byte[]> f) throws InterruptedException, IOException {
      try {
        return f.get(5, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("cannot read the command's output: " + e, e);
      }
    }
  }
}
