package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import java.nio.file.Path;
import java.time.Duration;

/** What {@code call} and {@code serve} share: the connection's configuration and the call's exit status. */
final class RpcCommands {
  /** The operation both sides use unless told otherwise. */
  static final String DEFAULT_OPERATION = "call";

  private RpcCommands() {}

  static RpcConfig config(String service, int maxFrameLength) throws CliException {
    try {
      return RpcConfig.builder()
          .service(service)
          .channel(ChannelConfig.builder().maxFrameLength(maxFrameLength).build())
          .build();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage(), e);
    }
  }

  /** The longest operation name, in UTF-8 bytes (docs/rpc.md: {@code fc-op}). */
  static final int MAX_OPERATION_BYTES = 255;

  /**
   * {@code operation}, checked as a command-line value: a name longer than 255 UTF-8 bytes is a
   * usage error (exit 2), like a bad --service, before anything is opened.
   */
  static String checkOperation(String operation) throws CliException {
    int bytes = operation.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_OPERATION_BYTES) {
      throw new CliException(ExitCode.USAGE, "--op: an operation name is at most " + MAX_OPERATION_BYTES
          + " UTF-8 bytes, not " + bytes + ": '" + operation.substring(0, 40) + "...'");
    }
    return operation;
  }

  static FifoPair pair(Path requests, Path responses, CreateOptions creation, Duration openTimeout) {
    return FifoPair.of(requests, responses, FifoOptions.builder()
        .createIfMissing(creation.create())
        .mode(creation.mode())
        .openTimeout(openTimeout)
        .build());
  }

  /** A failed call as one line and exit status 64 + its status code. */
  static CliException failed(String operation, RpcException e) {
    String status = e.status().name() + " (" + e.code() + ")";
    String message = e.statusMessage() == null || e.statusMessage().isBlank() ? "" : ": " + e.statusMessage();
    return new CliException(ExitCode.RPC_STATUS, ExitCode.RPC_STATUS.code() + e.code(),
        Failures.oneLine("'" + operation + "' failed with " + status + (e.isRemote() ? " from the responder" : "") + message), e);
  }
}
