package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the transport logs for an operator ({@code System.Logger} {@code dev.fifochan.fifo}, seen here
 * through java.util.logging, its default backend): refused paths and a busy FIFO at WARNING, a FIFO
 * removed (WARNING) or created anew (INFO) under a follower, the follower's writer sessions at DEBUG
 * (FINE), and nothing per message. Real FIFOs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportLoggingTest {
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();
  private static final FifoOptions FOLLOW = FifoTesting.timeoutMillis(10_000).toBuilder().follow(true).build();
  private static final Logger JUL = Logger.getLogger("dev.fifochan.fifo");

  @TempDir Path dir;
  private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level levelBefore;

  @BeforeEach
  void capture() {
    levelBefore = JUL.getLevel();
    JUL.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    JUL.addHandler(capture);
  }

  @AfterEach
  void release() {
    JUL.removeHandler(capture);
    JUL.setLevel(levelBefore);
  }

  /** The formatted messages logged at {@code level}. */
  private List<String> at(Level level) {
    synchronized (records) {
      return records.stream().filter(r -> r.getLevel().equals(level))
          .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters()))
          .collect(Collectors.toList());
    }
  }

  private static boolean anyContains(List<String> lines, String... parts) {
    return lines.stream().anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains));
  }

  @Test
  void aRefusedPathAndASecondReaderAreWarnings() throws Exception {
    Path fifo = Fifo.create(dir.resolve("f"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), fifo);
    assertThrows(UnsafeFifoException.class, () -> Fifo.openReceiver(link, Codecs.string(), CONFIG, FOLLOW));
    assertTrue(anyContains(at(Level.WARNING), "refusing " + link, "symbolic link"), at(Level.WARNING).toString());

    try (Receiver<String> first = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      assertThrows(FifoBusyException.class, () -> Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW));
      assertTrue(anyContains(at(Level.WARNING), "second reader", fifo.toString(), Long.toString(ProcessHandle.current().pid())),
          at(Level.WARNING).toString());
    }
  }

  @Test
  void aFollowerLogsItsSessionsAndAFifoCreatedAnewOrRemovedButNothingPerMessage() throws Exception {
    Path fifo = Fifo.create(dir.resolve("f"));
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      int before = records.size();
      send(fifo, 10_000);
      for (int i = 0; i < 10_000; i++) {
        assertEquals("m" + i, r.receive(Duration.ofSeconds(10)));
      }
      assertThrows(dev.fifochan.ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(300)),
          "the first writer's end of file is read");
      send(fifo, 1);
      assertEquals("m0", r.receive(Duration.ofSeconds(10)));
      List<String> fine = at(Level.FINE);
      assertTrue(anyContains(fine, fifo.toString(), "a writer came: session 1"), fine.toString());
      assertTrue(anyContains(fine, fifo.toString(), "session 1 ended"), fine.toString());
      assertTrue(anyContains(fine, fifo.toString(), "a writer came: session 2"), fine.toString());
      assertTrue(records.size() - before < 20, "10,001 messages, " + (records.size() - before) + " records: " + fine);

      Files.delete(fifo); // rm F; mkfifo F
      Fifo.create(fifo);
      send(fifo, 1);
      assertEquals("m0", r.receive(Duration.ofSeconds(10)));
      assertTrue(anyContains(at(Level.INFO), fifo.toString(), "created anew"), at(Level.INFO).toString());

      Files.delete(fifo);
      assertThrows(FifoRemovedException.class, () -> r.receive(Duration.ofSeconds(20)));
      assertTrue(anyContains(at(Level.WARNING), fifo.toString(), "removed"), at(Level.WARNING).toString());
    }
  }

  private static void send(Path fifo, int n) throws IOException {
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, FifoTesting.timeoutMillis(5_000))) {
      for (int i = 0; i < n; i++) {
        s.send("m" + i);
      }
    }
  }
}
