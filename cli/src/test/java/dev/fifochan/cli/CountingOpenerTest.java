package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fifochan.SourceOpener;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The follow-mode wrapper must pass the receiver's poll timeout on (a regression once hung recv --follow --timeout). */
@Timeout(10)
class CountingOpenerTest {
  @Test
  void timedOpenIsDelegatedWithItsTimeout() throws Exception {
    AtomicLong seen = new AtomicLong(Long.MIN_VALUE);
    SourceOpener inner = new SourceOpener() {
      @Override
      public ReadableByteChannel open(long timeoutNanos) {
        seen.set(timeoutNanos);
        return null;
      }

      @Override
      public void close() {}
    };
    assertNull(new CountingOpener(inner, new LongAdder(), "FIFO f").open(1_000_000));
    assertEquals(1_000_000, seen.get());
  }
}
