package dev.fifochan.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fifochan.TestChannels;
import dev.fifochan.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutation fuzzing of the frame decoder and its read loop, seeded with the shared test vectors and
 * generated 1.0 and 1.1 streams (headers, heartbeats, aborted ends, malformed tags and header
 * blocks). Every build runs a short session; the documented long run is
 * {@code mvn -pl api test -Dtest=FrameDecoderFuzzTest -Dfifochan.fuzz.inputs=10000000}
 * (docs/reliability.md). {@code -Dfifochan.fuzz.seed=N} replays a session.
 */
class FrameDecoderFuzzTest {
  private static final int[] INTERESTING_LENGTHS = {0, 1, 15, 16, 17, 999, 1000, 1001, 1024, 1025, 4090, 4096, 8192, 8193,
      65_536, 69_999, 70_000, 70_001, 1 << 20, (1 << 20) + 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, FrameDescriptor.MAGIC};
  private static final int[] INTERESTING_FLAGS = {0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x08, 0x09, 0x0B, 0x10, 0x12, 0x20, 0x05, 0x11};

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
        outcome = FrameDecoderFuzz.check(input);
      } catch (Throwable t) {
        fail("input " + i + " of seed " + seed + " (" + hex(input) + "): " + t, t);
        return;
      }
      outcomes.merge(outcome, 1L, Long::sum);
      if (outcome.endsWith("end") && corpus.size() < 5000 && random.nextInt(16) == 0) {
        corpus.add(input); // keep valid mutants: they reach deeper on the next round
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("fuzz: %,d inputs in %.1f s (%.0f/s), seed %d, outcomes %s%n", inputs, seconds, inputs / seconds, seed, outcomes);
    if (inputs >= 50_000) {
      List<String> seen = outcomes.keySet().stream().map(o -> o.replace("malformed+", "")).collect(Collectors.toList());
      for (String expected : List.of("end", "aborted", "TruncatedStreamException", "CorruptFrameException",
          "ChecksumMismatchException", "FrameTooLongException", "IncompatibleStreamException")) {
        assertTrue(seen.contains(expected), "the session never reached " + expected + ": " + outcomes);
      }
      assertTrue(outcomes.keySet().stream().anyMatch(o -> o.startsWith("malformed+")), "never a malformed frame: " + outcomes);
    }
  }

  @Test
  void inputsTheFuzzersFoundStayFixed() throws Exception {
    Path dir = TestChannels.repoRoot().resolve("api/src/test/resources/fuzz-regressions");
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.sorted().collect(Collectors.toList());
    }
    assertTrue(!inputs.isEmpty(), "no regression inputs in " + dir);
    for (Path p : inputs) {
      String outcome = FrameDecoderFuzz.check(Files.readAllBytes(p));
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
    for (int i = 0; i < 80; i++) {
      corpus.add(withControl(random.nextInt(256), generated(random)));
    }
    return corpus;
  }

  /** A valid stream of a few writers' records, some 1.1 with headers, heartbeats, aborts and malformed frames. */
  static byte[] generated(Random random) {
    Wire w = Wire.stream();
    int writers = 1 + random.nextInt(3);
    for (int i = 0; i < writers; i++) {
      boolean v11 = random.nextInt(3) > 0;
      w.preamble(v11 ? 2 : 1, random.nextBoolean() ? "bytes" : "json");
      int frames = random.nextInt(5);
      for (int f = 0; f < frames; f++) {
        int crc = random.nextBoolean() ? Wire.CRC : 0;
        if (v11 && random.nextInt(5) == 0) {
          w.frame(Wire.HEARTBEAT | crc, new byte[0], null, new byte[0]);
          continue;
        }
        byte[] tag = random.nextBoolean() ? new byte[0] : ("t" + random.nextInt(100)).getBytes();
        if (v11 && random.nextInt(10) == 0) {
          tag = new byte[] {'x', (byte) 0xC3}; // not UTF-8
        }
        byte[] payload = new byte[random.nextInt(random.nextBoolean() ? 20 : 2000)];
        random.nextBytes(payload);
        byte[] block = null;
        if (v11 && random.nextBoolean()) {
          block = random.nextInt(8) == 0 ? Wire.headerBlock("k", "1", "k", "2") // duplicate: malformed
              : Wire.headerBlock("fc-id", Integer.toString(random.nextInt(1000)), "content-type", "x");
        }
        w.frame((block != null ? Wire.HEADERS : 0) | crc, tag, block, payload);
      }
      int crc = random.nextBoolean() ? Wire.CRC : 0;
      if (v11 && random.nextInt(3) == 0) {
        byte[] reason = ("failed " + random.nextInt(100)).getBytes();
        w.frame(Wire.EOS | Wire.ABORTED | crc, new byte[0], null, reason);
      } else {
        w.frame(Wire.EOS | crc, new byte[0], null, new byte[0]);
      }
    }
    return w.bytes();
  }

  private static byte[] mutate(byte[] seed, List<byte[]> corpus, Random random) {
    byte[] b = seed.clone();
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      if (b.length < 2) {
        b = new byte[] {(byte) random.nextInt(256), (byte) random.nextInt(256)};
      }
      int at = 1 + random.nextInt(b.length - 1);
      switch (random.nextInt(10)) {
        case 0:
          b[at] ^= (byte) (1 << random.nextInt(8));
          break;
        case 1:
          b[at] = (byte) random.nextInt(256);
          break;
        case 2: {
          byte[] ins = new byte[1 + random.nextInt(8)];
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
            ByteBuffer.wrap(b, at, 4).putInt(INTERESTING_LENGTHS[random.nextInt(INTERESTING_LENGTHS.length)]);
          }
          break;
        case 8:
          b[at] = (byte) INTERESTING_FLAGS[random.nextInt(INTERESTING_FLAGS.length)];
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
