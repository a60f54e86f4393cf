package dev.fifochan.cli;

import dev.fifochan.cli.format.CallFormatOptions;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageInput;
import dev.fifochan.cli.format.MessageOutput;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fifochan call}: one request/response call over a FIFO pair; the response on stdout. */
@Command(name = "call", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Make one request/response call over a pair of FIFOs (docs/rpc.md) and print the response on stdout.",
        "The request is the REQUEST argument, or else the one message on stdin, in the --codec's text form (json: one"
            + " JSON value; protobuf: protobuf's JSON mapping). It is checked before the connection is made.",
        "The responder (e.g. 'fifochan serve', or an application with RpcResponder) reads REQUESTS and writes"
            + " RESPONSES; both sides must agree on --service and the codec (the handshake refuses a mismatch, exit 73).",
        "Exit status: 0 with the response; 64 + the error status when the call fails (a responder's error or one decided"
            + " here: 68 deadline exceeded, 78 responder unavailable or gone, 76 unimplemented operation, 73 handshake"
            + " mismatch; the status table is docs/rpc.md §8); 6 for a request that is not valid; 2 for usage errors."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan call /tmp/quotes.req /tmp/quotes.rsp '{\"symbol\":\"ACME\"}'",
        "  echo '{\"symbol\":\"ACME\"}' | fifochan call --op price --service quotes /tmp/q.req /tmp/q.rsp",
        "  fifochan call --codec string --deadline 2s /tmp/echo.req /tmp/echo.rsp hello",
        "  fifochan call -c protobuf --descriptor-set app.desc -t app.Ping,app.Pong --op ping /tmp/p.req /tmp/p.rsp \\",
        "      '{\"@type\":\"app.Ping\",\"seq\":\"1\"}'",
        "  fifochan call R S '{}' || echo \"failed with status $(( $? - 64 ))\""})
public final class CallCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private CallFormatOptions format;

  @Mixin
  private CommonOptions common;

  @Mixin
  private CreateOptions creation;

  @Option(names = "--op", paramLabel = "NAME", defaultValue = RpcCommands.DEFAULT_OPERATION,
      description = "The operation to call (default: ${DEFAULT-VALUE}, what 'fifochan serve' answers by default).")
  private String operation;

  @Option(names = "--service", paramLabel = "NAME", defaultValue = "default",
      description = "The service name this client states in the handshake; the responder's must be the same"
          + " (default: ${DEFAULT-VALUE}).")
  private String service;

  @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "The call's deadline, connecting included; the responder sees it (default: ${DEFAULT-VALUE}).")
  private Duration deadline;

  @Parameters(index = "0", paramLabel = "REQUESTS", description = "The FIFO this client writes requests into.")
  private Path requests;

  @Parameters(index = "1", paramLabel = "RESPONSES", description = "The FIFO the responder answers on.")
  private Path responses;

  @Parameters(index = "2", arity = "0..1", paramLabel = "REQUEST",
      description = "The request; without it, the one message on stdin.")
  private String request;

  @Override
  public Integer call() throws Exception {
    Logging.configure(common.verbose());
    RpcCommands.checkOperation(operation);
    return run(format.build());
  }

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    T message = readRequest(messageFormat);
    RpcConfig config = RpcCommands.config(service, format.maxFrameLength());
    FifoPair pair = RpcCommands.pair(requests, responses, creation, deadline);
    T response;
    try (RpcClient<T> client = RpcClient.builder(pair.connector(config.channel()), messageFormat.codec()).config(config).build()) {
      response = client.callBlocking(operation, message, messageFormat.type(), deadline);
    } catch (RpcException e) {
      throw RpcCommands.failed(operation, e);
    } catch (IOException e) {
      throw Failures.of(requests.toString(), e);
    }
    MessageOutput<T> output = messageFormat.output(new Stdout(root.io().data()));
    try {
      output.write(response);
      output.flush();
    } catch (IOException e) {
      return Stdout.failed(e, "the call was made and answered, and its response is lost");
    }
    return ExitCode.OK.code();
  }

  private <T> T readRequest(MessageFormat<T> messageFormat) throws CliException, IOException {
    boolean fromStdin = request == null;
    MessageInput<T> input = messageFormat.input(fromStdin ? root.io().in()
        : new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)));
    T first;
    T second;
    try {
      first = input.next();
      second = first == null ? null : input.next();
    } catch (CliException e) {
      String where = fromStdin ? e.getMessage() : e.getMessage().replaceFirst("^stdin line \\d+", "REQUEST");
      throw new CliException(e.exitCode(), where, e);
    }
    if (first == null) {
      throw new CliException(ExitCode.BAD_MESSAGE, (fromStdin ? "stdin" : "REQUEST") + " holds no request");
    }
    if (second != null) {
      throw new CliException(ExitCode.BAD_MESSAGE, (fromStdin ? "stdin" : "REQUEST")
          + " holds more than one request; call makes one call (use a loop, or an RpcClient, for several)");
    }
    return first;
  }
}
