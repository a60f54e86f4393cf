package dev.fifochan.rpc;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Shared helpers of the tests. */
final class Rpc {
  private Rpc() {}

  /** A system property with a CI-sized default (big runs: -Dfifochan.rpc.calls=1000000 ...). */
  static int size(String name, int ciDefault) {
    return Integer.getInteger("fifochan.rpc." + name, ciDefault);
  }

  /** A fresh directory for a test's FIFOs, under the build directory. */
  static Path dir(String name) throws IOException {
    Path base = Path.of(System.getProperty("fifochan.rpc.buildDir", "target"), "fifos");
    Files.createDirectories(base);
    return Files.createTempDirectory(base, name + "-");
  }

  static FifoPair pair(Path dir, String suffix) {
    return FifoPair.of(dir.resolve("req" + suffix), dir.resolve("rsp" + suffix), FifoOptions.defaults());
  }

  static <T> RpcClient.Builder<T> client(Path dir, String suffix, Codec<T> codec) {
    return RpcClient.builder(pair(dir, suffix).connector(ChannelConfig.defaults()), codec);
  }

  /** The exception a future failed with. */
  static Throwable failure(Future<?> f) throws InterruptedException {
    try {
      f.get();
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the future did not fail");
  }
}
