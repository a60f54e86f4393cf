package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutation fuzzing of the frame decoder, seeded with the shared test vectors and generated streams.
 * Every build runs a short session; the documented long run is
 * {@code mvn -pl api test -Dtest=FrameReaderFuzzTest -Dfifochan.fuzz.inputs=10000000}
 * (see docs/reliability.md). {@code -Dfifochan.fuzz.seed=N} replays a session.
 */
class FrameReaderFuzzTest {
  private static final int[] INTERESTING_LENGTHS = {0, 1, 15, 16, 17, 999, 1000, 1001, 4090, 4096, 65_536, 69_999,
      70_000, 70_001, 1 << 20, (1 << 20) + 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, WireFormat.MAGIC};

  @Test
  @Timeout(600)
  void everyMutatedStreamDecodesToFaithfulRecordsOrATypedError() throws IOException {
    long inputs = Long.getLong("fifochan.fuzz.inputs", 100_000);
    long seed = Long.getLong("fifochan.fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    List<byte[]> corpus = corpus(random);
    Map<String, Long> outcomes = new TreeMap<>();
    long started = System.nanoTime();
    for (long i = 0; i < inputs; i++) {
      byte[] input = mutate(corpus.get(random.nextInt(corpus.size())), corpus, random);
      String outcome;
      try {
        outcome = FrameReaderFuzz.check(input);
      } catch (Throwable t) {
        fail("input " + i + " of seed " + seed + " (" + hex(input) + "): " + t, t);
        return;
      }
      outcomes.merge(outcome, 1L, Long::sum);
      if (outcome.equals("end") && corpus.size() < 5000 && random.nextInt(16) == 0) {
        corpus.add(input); // keep valid mutants: they reach deeper on the next round
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("fuzz: %,d inputs in %.1f s (%.0f/s), seed %d, outcomes %s%n", inputs, seconds, inputs / seconds, seed, outcomes);
    if (inputs >= 50_000) {
      for (String expected : List.of("end", "TruncatedStreamException", "CorruptFrameException",
          "ChecksumMismatchException", "FrameTooLongException", "IncompatibleStreamException")) {
        assertTrue(outcomes.getOrDefault(expected, 0L) > 0, "the session never reached " + expected + ": " + outcomes);
      }
    }
  }

  @Test
  void inputsTheFuzzersFoundStayFixed() throws Exception {
    Path dir = TestChannels.repoRoot().resolve("api/src/test/resources/fuzz-regressions");
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.sorted().collect(java.util.stream.Collectors.toList());
    }
    assertTrue(!inputs.isEmpty(), "no regression inputs in " + dir);
    for (Path p : inputs) {
      String outcome = FrameReaderFuzz.check(Files.readAllBytes(p));
      assertTrue(!outcome.isEmpty(), p.toString());
    }
  }

  private static List<byte[]> corpus(Random random) throws IOException {
    List<byte[]> corpus = new ArrayList<>();
    Path dir = TestChannels.repoRoot().resolve("testdata/vectors");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".bin")).sorted()::iterator) {
        byte[] bin = Files.readAllBytes(p);
        if (bin.length > 8192) {
          continue; // the large vector is covered by TestVectorsTest; keep inputs small and fast
        }
        for (int control : new int[] {0x00, 0x3F, 0x61, 0x5A}) {
          corpus.add(withControl(control, bin));
        }
      }
    }
    for (int i = 0; i < 50; i++) {
      corpus.add(withControl(random.nextInt(256), generated(random)));
    }
    return corpus;
  }

  /** A valid stream of a few writers' records. */
  private static byte[] generated(Random random) throws IOException {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    FrameWriter w = new FrameWriter(sink, ChannelConfig.builder().bufferSize(4096).build());
    int writers = 1 + random.nextInt(3);
    for (int i = 0; i < writers; i++) {
      w.writePreamble(random.nextBoolean() ? "bytes" : "json");
      int frames = random.nextInt(5);
      for (int f = 0; f < frames; f++) {
        w.checksum(random.nextBoolean());
        byte[] tag = random.nextBoolean() ? new byte[0] : ("t" + random.nextInt(100)).getBytes();
        byte[] payload = new byte[random.nextInt(random.nextBoolean() ? 20 : 2000)];
        random.nextBytes(payload);
        w.beginFrame(tag).write(payload);
        w.endFrame(-1);
      }
      w.checksum(random.nextBoolean());
      w.writeEndOfStream();
    }
    w.drain(-1);
    return sink.toByteArray();
  }

  private static byte[] mutate(byte[] seed, List<byte[]> corpus, Random random) {
    byte[] b = seed.clone();
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      if (b.length < 2) {
        b = new byte[] {(byte) random.nextInt(256), (byte) random.nextInt(256)};
      }
      int at = 1 + random.nextInt(b.length - 1);
      switch (random.nextInt(9)) {
        case 0:
          b[at] ^= (byte) (1 << random.nextInt(8));
          break;
        case 1:
          b[at] = (byte) random.nextInt(256);
          break;
        case 2: {
          int len = 1 + random.nextInt(8);
          byte[] ins = new byte[len];
          random.nextBytes(ins);
          b = splice(b, at, 0, ins);
          break;
        }
        case 3:
          b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(16)), new byte[0]);
          break;
        case 4:
          b = Arrays.copyOf(b, at);
          break;
        case 5: {
          int len = Math.min(b.length - at, 1 + random.nextInt(32));
          b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
          break;
        }
        case 6: {
          byte[] other = corpus.get(random.nextInt(corpus.size()));
          int from = 1 + random.nextInt(Math.max(1, other.length - 1));
          b = splice(Arrays.copyOf(b, at), at, 0, Arrays.copyOfRange(other, Math.min(from, other.length), other.length));
          break;
        }
        case 7:
          if (b.length >= at + 4) {
            int v = INTERESTING_LENGTHS[random.nextInt(INTERESTING_LENGTHS.length)];
            b[at] = (byte) (v >>> 24);
            b[at + 1] = (byte) (v >>> 16);
            b[at + 2] = (byte) (v >>> 8);
            b[at + 3] = (byte) v;
          }
          break;
        default:
          b[0] = (byte) random.nextInt(256);
          break;
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }

  private static byte[] withControl(int control, byte[] stream) {
    byte[] b = new byte[stream.length + 1];
    b[0] = (byte) control;
    System.arraycopy(stream, 0, b, 1, stream.length);
    return b;
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(b.length, 256); i++) {
      s.append(String.format("%02x", b[i]));
    }
    return b.length > 256 ? s + "..." : s.toString();
  }
}
