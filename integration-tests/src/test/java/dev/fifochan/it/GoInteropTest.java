package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.InspectedRecord;
import dev.fifochan.spi.StreamInspector;
import dev.fifochan.interop.Ping;
import dev.fifochan.protobuf.DelimitedProtobufReader;
import dev.fifochan.protobuf.DelimitedProtobufWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 4, the Java side: the Java library and the Go peer ({@code go/cmd/fifochan-peer}, built by
 * {@link GoPeer}) interoperate over real FIFOs in both directions. {@code -Dfifochan.it.go.messages=N}
 * sets the protobuf count (default 100 000). The Go peer's {@code send} writes wire format 1.0 unless
 * a 1.1 feature is asked for (its usage says so); the Java sender writes 1.1 by default. The records
 * of 1.1 between the two are tested in {@link GoWire11InteropTest}.
 */
class GoInteropTest extends ProcessTestSupport {
  private static final int PROTOBUF_COUNT = knob("fifochan.it.go.messages", 100_000);
  private static final Duration EXIT = Duration.ofSeconds(60);
  /** The CHECKSUM flag bit of a frame (docs/wire-format.md). */
  private static final int CHECKSUM_FLAG = 0x02;

  private ChildProcess go(String name, String... args) throws Exception {
    return procs.start(name, GoPeer.command(args));
  }

  private static String codecName(Messages.Kind kind) {
    return kind == Messages.Kind.GOJSON ? "json" : kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static int count(int n) {
    return n < 0 ? PROTOBUF_COUNT : n;
  }

  @ParameterizedTest(name = "{0} x {1}, checksum={2}")
  @CsvSource({"PROTOBUF, -1, false", "PROTOBUF, 10000, true", "GOJSON, 10000, false", "GOJSON, 10000, true",
      "STRING, 10000, false", "BYTES, 10000, true"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goWriterToJavaReaderLosesAndReordersNothing(Messages.Kind kind, int n, boolean checksum) throws Exception {
    int count = count(n);
    Path fifo = fifo("go2java");
    List<String> args = new ArrayList<>(List.of("send", "-path", fifo.toString(), "-codec", codecName(kind),
        "-count", Integer.toString(count)));
    if (checksum) {
      args.add("-checksum");
    }
    GoPeer.binary(); // build (or skip) before starting anything
    ChildProcess peer = go("go-send", args.toArray(String[]::new));
    if (!checksum) {
      try (Receiver<Object> r = openReceiver(fifo, kind, false)) {
        SequenceChecker got = receiveAll(r, kind, 8);
        assertEquals(count, got.total(), "messages from the Go peer");
        assertTrue(r.isEnded(), "clean end of stream");
      }
    } else {
      // Record by record (the inspector of the SPI, which verifies every CRC-32C), to see that every
      // frame carried one.
      Codec<Object> codec = Messages.codec(kind);
      SequenceChecker got = new SequenceChecker();
      long checksummed = 0;
      long ends = 0;
      try (StreamInspector in = ByteStreams.inspector(Fifo.openReadChannel(fifo, options().build()),
          ChannelConfig.defaults().maxFrameLength())) {
        for (InspectedRecord rec; (rec = in.next()) != null; ) {
          switch (rec.kind()) {
            case PREAMBLE -> assertEquals(codecName(kind), rec.codec());
            case FRAME -> {
              got.accept(Messages.check(kind, codec.decode(rec.tag(), rec.payload()), 8));
              checksummed += (rec.flags() & CHECKSUM_FLAG) != 0 ? 1 : 0;
            }
            case END -> ends++;
            default -> throw new AssertionError("unexpected record " + rec.kind());
          }
        }
        assertEquals("clean", in.outcome().status(), in.outcome().toString());
      }
      assertEquals(1, ends, "one clean end of stream");
      assertEquals(count, got.total(), "messages from the Go peer");
      assertEquals(count, checksummed, "frames with a CRC-32C");
    }
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
  }

  @ParameterizedTest(name = "{0} x {1}, checksum={2}")
  @CsvSource({"PROTOBUF, -1, false", "PROTOBUF, 10000, true", "GOJSON, 10000, false", "GOJSON, 10000, true",
      "STRING, 10000, false", "BYTES, 10000, true"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void javaWriterToGoReaderLosesAndReordersNothing(Messages.Kind kind, int n, boolean checksum) throws Exception {
    int count = count(n);
    Path fifo = fifo("java2go");
    GoPeer.binary();
    // Without -count the peer reads to the clean end of stream and then prints OK <n>.
    ChildProcess peer = go("go-recv", "recv", "-path", fifo.toString(), "-codec", codecName(kind));
    try (Sender<Object> s = openSender(fifo, kind, config().checksum(checksum).build(), options().build())) {
      for (int seq = 0; seq < count; seq++) {
        s.send(Messages.make(kind, 0, seq, 8));
      }
    }
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
    assertEquals("OK " + count, peer.awaitLine("OK", Duration.ofSeconds(1)), peer::describe);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goPeerEchoesPingPongBackUnchangedAndInOrder() throws Exception {
    int count = 20_000;
    Path in = fifo("to-go");
    Path out = fifo("from-go");
    GoPeer.binary();
    ChildProcess peer = go("go-echo", "echo", "-in", in.toString(), "-out", out.toString(), "-codec", "protobuf");
    CompletableFuture<Long> sending = CompletableFuture.supplyAsync(() -> {
      try {
        Sender<Object> s = openSender(in, Messages.Kind.PROTOBUF, config().build(), options().build());
        try {
          for (int seq = 0; seq < count; seq++) {
            s.send(Messages.make(Messages.Kind.PROTOBUF, 0, seq, 0));
          }
        } finally {
          s.close();
        }
        return s.stats().messagesWritten();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (Receiver<Object> r = openReceiver(out, Messages.Kind.PROTOBUF, false)) {
      SequenceChecker got = new SequenceChecker();
      for (int i = 0; i < count; i++) {
        got.accept(Messages.check(Messages.Kind.PROTOBUF, r.receive(), 0));
      }
      assertNull(r.receive(), "the peer closes its output cleanly at the clean end of its input");
      assertTrue(r.isEnded());
    }
    assertEquals(count, sending.get(30, TimeUnit.SECONDS));
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goWriterKilledAfterKMessagesGivesJavaReaderExactlyKThenTruncated() throws Exception {
    int k = 7_777;
    Path fifo = fifo("go-kill");
    GoPeer.binary();
    ChildProcess peer = go("go-send", "send", "-path", fifo.toString(), "-codec", "bytes", "-count", "100000",
        "-kill-after", Integer.toString(k));
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = new SequenceChecker();
      TruncatedStreamException cut = assertThrows(TruncatedStreamException.class, () -> {
        while (true) {
          got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), 8));
        }
      });
      assertEquals(k, got.total(), "complete frames before the kill");
      // preamble "bytes" (11 bytes) + k frames of 6 + 8 bytes: the half frame starts there
      assertEquals(BYTES_PREAMBLE + 14L * k, cut.position(), cut.getMessage());
      assertEquals(TruncatedStreamException.Reason.IN_RECORD, cut.reason(), cut.getMessage());
    }
    assertEquals(137, peer.awaitExit(EXIT), "the Go peer SIGKILLs itself: " + peer.describe());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goWritersKilledOneAfterAnotherFollowingJavaReaderGetsEveryPrefixAndGoesOn() throws Exception {
    Path fifo = fifo("go-kills");
    GoPeer.binary();
    int[] ks = {0, 1, 4_999, 12_345};
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, true)) {
      for (int session = 0; session <= ks.length; session++) {
        boolean last = session == ks.length;
        int k = last ? 3_000 : ks[session];
        List<String> args = new ArrayList<>(List.of("send", "-path", fifo.toString(), "-codec", "bytes",
            "-count", Integer.toString(last ? k : 100_000)));
        if (!last) {
          args.addAll(List.of("-kill-after", Integer.toString(k)));
        }
        ChildProcess peer = go("go-send-" + session, args.toArray(String[]::new));
        long n = 0;
        TruncatedStreamException cut = null;
        while (cut == null && n < k) {
          try {
            Messages.Id id = Messages.check(Messages.Kind.BYTES, r.receive(), 8);
            assertEquals(n, id.seq(), "session " + session);
            n++;
          } catch (TruncatedStreamException e) {
            cut = e;
          }
        }
        assertEquals(k, n, "session " + session + ": every complete frame");
        if (!last) {
          if (cut == null) {
            cut = assertThrows(TruncatedStreamException.class, r::receive);
          }
          assertEquals(BYTES_PREAMBLE + 14L * k, cut.position(), "session " + session + ": " + cut.getMessage());
          assertEquals(137, peer.awaitExit(EXIT), peer::describe);
        } else {
          assertEquals(0, peer.awaitExit(EXIT), peer::describe);
        }
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void javaWriterKilledMidFrameMakesGoReaderExitWithTruncatedCode4() throws Exception {
    Path fifo = fifo("java-kill");
    GoPeer.binary();
    ChildProcess peer = go("go-recv", "recv", "-path", fifo.toString(), "-codec", "bytes");
    ChildProcess writer = procs.java("java-send", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--count", "100000", "--kill-after", "4321");
    assertEquals(137, writer.awaitExit(EXIT), writer::describe);
    assertEquals(4, peer.awaitExit(EXIT), "exit code 4 = truncated: " + peer.describe());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingGoReaderReadsJavaWritersAcrossACleanCloseAndACrash() throws Exception {
    Path fifo = fifo("java-restarts");
    GoPeer.binary();
    ChildProcess peer = go("go-recv", "recv", "-path", fifo.toString(), "-codec", "bytes", "-follow",
        "-count", "2500");
    ChildProcess first = procs.java("java-send-1", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--count", "1000");
    assertEquals(0, first.awaitExit(EXIT), first::describe);
    ChildProcess crashing = procs.java("java-send-2", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--count", "100000", "--kill-after", "500");
    assertEquals(137, crashing.awaitExit(EXIT), crashing::describe);
    ChildProcess third = procs.java("java-send-3", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--count", "1000");
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
    assertEquals("OK 2500", peer.awaitLine("OK", Duration.ofSeconds(1)), peer::describe);
    assertTrue(peer.stderr().contains("ended uncleanly"), "the crash is reported: " + peer.describe());
    third.awaitExit(EXIT);
  }

  /**
   * Go and Java writers share one FIFO in fan-in mode. Their messages (8-byte sequence numbers) do
   * not name the writer, so the check is per session, as in the Go peer: every message continues
   * some writer's sequence or starts a new one, and in the end there are exactly four complete
   * sequences.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goAndJavaWritersShareOneFifoInFanInModeWithoutInterleavingFrames() throws Exception {
    int perWriter = 50_000;
    Path fifo = fifo("mixed-fanin");
    GoPeer.binary();
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, true)) {
      List<ChildProcess> writers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        writers.add(go("go-send-" + i, "send", "-path", fifo.toString(), "-codec", "bytes", "-fanin",
            "-count", Integer.toString(perWriter)));
        writers.add(procs.java("java-send-" + i, "send", "--path", fifo.toString(), "--codec", "bytes", "--fanin",
            "--count", Integer.toString(perWriter)));
      }
      java.util.Map<Long, Integer> expecting = new java.util.HashMap<>();
      for (long i = 0; i < 4L * perWriter; i++) {
        long seq = Messages.check(Messages.Kind.BYTES, r.receive(), 8).seq();
        if (seq != 0) {
          Integer n = expecting.get(seq);
          assertTrue(n != null, "message " + i + ": seq " + seq + " continues no writer's sequence");
          if (n == 1) {
            expecting.remove(seq);
          } else {
            expecting.put(seq, n - 1);
          }
        }
        expecting.merge(seq + 1, 1, Integer::sum);
      }
      assertEquals(java.util.Map.of((long) perWriter, 4), expecting, "four complete sequences");
      for (ChildProcess w : writers) {
        assertEquals(0, w.awaitExit(EXIT), w::describe);
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goDelimitedProtobufWriterToJavaDelimitedReader() throws Exception {
    int count = 20_000;
    Path fifo = fifo("go-delim");
    GoPeer.binary();
    ChildProcess peer = go("go-send", "send", "-path", fifo.toString(), "-codec", "protobuf", "-delimited",
        "-count", Integer.toString(count));
    long n = 0;
    try (DelimitedProtobufReader<Ping> in = new DelimitedProtobufReader<>(Fifo.openReadChannel(fifo, options().build()),
        Ping.getDefaultInstance())) {
      Ping p;
      while ((p = in.read()) != null) {
        assertEquals(Ping.newBuilder().setSeq(n).setText("ping-" + n).build(), p);
        n++;
      }
    }
    assertEquals(count, n);
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void javaDelimitedProtobufWriterToGoDelimitedReader() throws Exception {
    int count = 20_000;
    Path fifo = fifo("java-delim");
    GoPeer.binary();
    ChildProcess peer = go("go-recv", "recv", "-path", fifo.toString(), "-codec", "protobuf", "-delimited");
    try (DelimitedProtobufWriter<Ping> w = new DelimitedProtobufWriter<>(Fifo.openWriteChannel(fifo, options().build()))) {
      for (long seq = 0; seq < count; seq++) {
        w.write(Ping.newBuilder().setSeq(seq).setText("ping-" + seq).build());
      }
    }
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
    assertEquals("OK " + count, peer.awaitLine("OK", Duration.ofSeconds(1)), peer::describe);
  }
}
