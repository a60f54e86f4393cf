package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
    ChannelConfig cfg = config().build();
    try (Receiver<Object> r = openReceiver(fifo, kind, cfg)) {
      SequenceChecker got = receiveAll(r, kind, 0);
      assertEquals(COUNT, got.total(), "messages received");
      assertEquals(COUNT, r.messagesReceived());
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
    Sender<Object> s = openSender(fifo, kind, cfg);
    for (int seq = 0; seq < COUNT; seq++) {
      s.send(Messages.make(kind, 0, seq, 0));
    }
    s.close();
    s.done().get(10, TimeUnit.SECONDS);
    assertEquals(COUNT, s.messagesWritten());
    assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
    assertEquals("DONE " + COUNT, child.awaitLine("DONE", Duration.ofSeconds(1)), child::describe);
    assertEquals("GAPS []", child.stdoutLines().get(child.stdoutLines().size() - 2));
  }
}
