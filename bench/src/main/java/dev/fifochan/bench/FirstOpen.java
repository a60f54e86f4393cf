package dev.fifochan.bench;

import dev.fifochan.ChannelConfig;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoWriteChannel;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The first FIFO open in a fresh JVM: run as {@code java -cp <bench jar> dev.fifochan.bench.FirstOpen FIFO}
 * by the harness (extra "first-open"), which holds the FIFO open for reading so that the write end
 * opens at once. Prints {@code FIRST_OPEN_NS <ns>} (the open call alone, native set-up included) and
 * {@code JVM_MS <ms>} (process start to the end of the open).
 *
 * <p>This measures 0.1's {@code Fifo.openWriteChannel} (jnr-posix). When the transport provides its
 * own probe, point the harness at it with {@code FIFOCHAN_BENCH_FIRST_OPEN_CMD} (a shell command;
 * the FIFO's path is in {@code $FIFO}; it must print {@code FIRST_OPEN_NS <ns>}), or change the one
 * call below. PORT: {@code Fifo.openSender(fifo, Codecs.bytes())} if that is the 1.0 entry point.
 */
public final class FirstOpen {
  static final String WHAT = "0.1 Fifo.openWriteChannel, jnr-posix";

  private FirstOpen() {}

  @SuppressWarnings("try") // opened to be timed, then closed
  public static void main(String[] args) throws Exception {
    Path fifo = Paths.get(args[0]);
    ChannelConfig config = ChannelConfig.builder().createIfMissing(false).build();
    long t0 = System.nanoTime();
    try (FifoWriteChannel ch = Fifo.openWriteChannel(fifo, config)) {
      long t1 = System.nanoTime();
      long jvm = System.currentTimeMillis()
          - ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis());
      System.out.println("FIRST_OPEN_NS " + (t1 - t0) + " JVM_MS " + jvm);
    }
  }
}
