package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The {@code bytes} path allocates nothing per message: sending a {@code byte[]} (the framing copies
 * it into the frame buffer) and receiving raw frames with {@link Receiver#pollFrames}. Measured with
 * the JVM's per-thread allocation counter over many messages after a warm-up; the JMH benchmark
 * ({@code -prof gc}) is the precise proof.
 */
class AllocationTest {
  private static final int WARM_UP = 200_000;
  private static final int MEASURED = 500_000;

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  private static void assumeAllocationCounting() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean
        && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemorySupported(), "no per-thread allocation counter");
    ((com.sun.management.ThreadMXBean) bean).setThreadAllocatedMemoryEnabled(true);
  }

  @Test
  void pollFramesAllocatesNothingPerMessage() throws IOException {
    assumeAllocationCounting();
    int total = WARM_UP + MEASURED;
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    byte[] payload = new byte[100];
    try (Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), ChannelConfig.defaults())) {
      for (int i = 0; i < total; i++) {
        tx.send(payload);
      }
    }
    long[] bytes = new long[1];
    FrameHandler handler = f -> bytes[0] += f.payload().remaining();
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 1 << 16), Codecs.bytes(), ChannelConfig.defaults())) {
      int got = 0;
      while (got < WARM_UP) {
        got += rx.pollFrames(handler, 1000, Duration.ofSeconds(10));
      }
      long before = allocatedByThisThread();
      while (got < total) {
        got += rx.pollFrames(handler, 1000, Duration.ofSeconds(10));
      }
      long allocated = allocatedByThisThread() - before;
      assertEquals((long) total * 100, bytes[0]);
      double perMessage = (double) allocated / MEASURED;
      System.out.printf("pollFrames: %d bytes allocated for %d messages (%.4f per message)%n", allocated, MEASURED, perMessage);
      assertTrue(perMessage < 1.0, "pollFrames allocated " + perMessage + " bytes per message");
      assertEquals(-1, rx.pollFrames(handler, 1000, Duration.ofSeconds(1)));
    }
  }

  @Test
  void sendingBytesAllocatesNothingPerMessage() throws IOException {
    assumeAllocationCounting();
    byte[] payload = new byte[100];
    try (Sender<byte[]> tx = Sender.over(new Discard(), Codecs.bytes(), ChannelConfig.defaults())) {
      for (int i = 0; i < WARM_UP; i++) {
        tx.send(payload);
      }
      long before = allocatedByThisThread();
      for (int i = 0; i < MEASURED; i++) {
        tx.send(payload);
      }
      long allocated = allocatedByThisThread() - before;
      double perMessage = (double) allocated / MEASURED;
      System.out.printf("send(byte[]): %d bytes allocated for %d messages (%.4f per message)%n", allocated, MEASURED, perMessage);
      assertTrue(perMessage < 1.0, "send allocated " + perMessage + " bytes per message");
      assertEquals(WARM_UP + MEASURED, tx.stats().messagesAccepted());
    }
  }

  /** A non-blocking channel that takes and discards everything. */
  private static final class Discard implements WritableByteChannel, WaitableChannel {
    private boolean open = true;

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      src.position(src.limit());
      return n;
    }

    @Override
    public boolean awaitReady(Deadline deadline) {
      return true;
    }

    @Override
    public void wakeup() {}

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
