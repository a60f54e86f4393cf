package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 2: typed messages between the test JVM and a child JVM over a real FIFO, in both directions. */
class CrossProcessMessagingTest extends ProcessTestSupport {
  private static final int COUNT = 5_000;

  @ParameterizedTest(name = "{0}, checksum={1}")
  @CsvSource({"JSON, false", "JSON, true", "PROTOBUF, false", "PROTOBUF, true"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void messagesFromChildJvmArriveCompleteInOrderAndIntact(Messages.Kind kind, boolean checksum) throws Exception {
    Path fifo = fifo("c2t");
    ChildProcess child = procs.java("sender", "send", "--path", fifo.toString(), "--codec", kind.name(),
        "--count", Integer.toString(COUNT), checksum ? "--checksum" : "--no-checksum");
    try (Receiver<Object> r = openReceiver(fifo, kind, false)) {
      SequenceChecker got = receiveAll(r, kind, 0);
      assertEquals(COUNT, got.total(), "messages received");
      assertEquals(COUNT, r.stats().messagesReceived());
      assertTrue(r.isEnded(), "clean end of stream");
      assertNull(r.receive(), "stays at the end");
    }
    assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
    assertEquals("SENT " + COUNT, child.awaitLine("SENT", Duration.ofSeconds(1)));
  }

  @ParameterizedTest(name = "{0}, checksum={1}")
  @CsvSource({"JSON, false", "JSON, true", "PROTOBUF, false", "PROTOBUF, true"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void messagesToChildJvmArriveCompleteInOrderAndIntact(Messages.Kind kind, boolean checksum) throws Exception {
    Path fifo = fifo("t2c");
    ChildProcess child = procs.java("receiver", "recv", "--path", fifo.toString(), "--codec", kind.name());
    ChannelConfig cfg = config().checksum(checksum).build();
    Sender<Object> s = closeAfterTest(openSender(fifo, kind, cfg, options().build()));
    for (int seq = 0; seq < COUNT; seq++) {
      s.send(Messages.make(kind, 0, seq, 0));
    }
    s.close();
    s.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(COUNT, s.stats().messagesWritten());
    assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
    assertEquals("DONE " + COUNT, child.awaitLine("DONE", Duration.ofSeconds(1)), child::describe);
    assertEquals("GAPS []", child.stdoutLines().get(child.stdoutLines().size() - 2));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void largeMessagesFromChildJvmCrossThePipeIntact() throws Exception {
    int size = 4 << 20;
    int count = 12;
    Path fifo = fifo("large-c2t");
    ChildProcess child = procs.java("sender", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(size), "--count", Integer.toString(count), "--checksum");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = receiveAll(r, Messages.Kind.BYTES, size);
      assertEquals(count, got.total());
      assertTrue(r.isEnded());
    }
    assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child::describe);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void messagesOfExactlyTheMaximumFrameLengthPassAndOneByteMoreIsRefusedWithoutDamage() throws Exception {
    int max = ChannelConfig.defaults().maxFrameLength();
    Path fifo = fifo("max-t2c");
    ChildProcess child = procs.java("receiver", "recv", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(max));
    try (Sender<Object> s = openSender(fifo, Messages.Kind.BYTES, config().build(), options().build())) {
      s.send(Messages.make(Messages.Kind.BYTES, 0, 0, max));
      MessageTooLongException e = assertThrows(MessageTooLongException.class,
          () -> s.send(Messages.make(Messages.Kind.BYTES, 0, 1, max + 1)));
      assertEquals(MessageTooLongException.Limit.FRAME, e.which());
      assertEquals(max + 1, e.length());
      assertEquals(max, e.limit());
      s.send(Messages.make(Messages.Kind.BYTES, 0, 1, max));
      s.send(Messages.make(Messages.Kind.BYTES, 0, 2, max));
    }
    assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::describe);
    assertEquals("DONE 3", child.awaitLine("DONE", Duration.ofSeconds(1)), child::describe);
  }
}
