package dev.fifochan.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Peer: Aeron IPC (shared memory), the speed reference for one host. Its best ordinary settings:
 * <ul>
 *   <li>one embedded media driver, in the parent JVM ({@link ThreadingMode#SHARED}, Aeron's default
 *       idle strategy for it: IPC data does not pass through the driver), directory on {@code /dev/shm};
 *   <li>channel {@code aeron:ipc}, IPC MTU {@value #MTU} bytes (so a 64 KiB message is 2 fragments,
 *       not 47), default 64 MiB term; clients pre-touch the mapped log;
 *   <li>{@link ExclusivePublication} (one writer), {@code offer} retried while back-pressured, and
 *       {@link BusySpinIdleStrategy} for the publisher's retries and the subscriber's polls
 *       ({@code poll(handler, 256)} through a {@link FragmentAssembler});
 *   <li>publications and subscriptions are created once per stream and kept for the run (as an Aeron
 *       application keeps them), so every trial after the first finds a touched, connected log.
 * </ul>
 * The subscriber does not copy the payload out of the log (it checks the length), which is what an
 * Aeron application does. Workloads: 100 B and 64 KiB {@code byte[]} one-way, 100 B round trip (not
 * with both processes on one CPU: two busy-spinning processes on one CPU only measure the scheduler).
 */
final class AeronPeer extends Variant {
  static final String CHANNEL = "aeron:ipc";
  static final int MTU = 65504; // the largest IPC MTU Aeron accepts (a multiple of 32, at most 64 KiB - 32)
  private static final int FRAGMENT_LIMIT = 256;

  private static MediaDriver driver;
  private static Aeron aeron;
  private static final Map<Integer, ExclusivePublication> PUBS = new HashMap<>();
  private static final Map<Integer, Subscription> SUBS = new HashMap<>();

  AeronPeer() {
    super("aeron");
  }

  @Override
  String label() {
    return "Aeron IPC";
  }

  @Override
  String unavailable() {
    if (!Object.class.getModule().isExported("jdk.internal.misc", AeronPeer.class.getModule())) {
      return "Agrona needs --add-exports java.base/jdk.internal.misc=ALL-UNNAMED on this JVM (bench/run.sh adds it)";
    }
    return null;
  }

  @Override
  boolean needsPipeHold() {
    return false;
  }

  @Override
  boolean supportsThroughput(Workload<?> w) {
    return w.name.equals("bytes100") || w.name.equals("bytes64k");
  }

  @Override
  boolean supportsRoundTrip(Workload<?> w, String placement) {
    return w.name.equals("bytes100") && !placement.equals("same");
  }

  /** The Aeron directory: on {@code /dev/shm} where there is one, else in the run directory. */
  static Path directory(Path runDir) {
    Path shm = Paths.get("/dev/shm");
    String name = "fifochan-bench-aeron-" + ProcessHandle.current().pid();
    return Files.isDirectory(shm) ? shm.resolve(name) : runDir.resolve("aeron");
  }

  @Override
  void prepare(boolean parent) {
    String dir = System.getProperty(BenchEnv.AERON_DIR);
    if (parent && driver == null) {
      driver = MediaDriver.launch(new MediaDriver.Context()
          .aeronDirectoryName(dir)
          .threadingMode(ThreadingMode.SHARED)
          .ipcMtuLength(MTU)
          .dirDeleteOnStart(true)
          .dirDeleteOnShutdown(true));
    }
    if (aeron == null) {
      aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir).preTouchMappedMemory(true));
    }
  }

  @Override
  void release(boolean parent) {
    for (ExclusivePublication p : PUBS.values()) {
      p.close();
    }
    for (Subscription s : SUBS.values()) {
      s.close();
    }
    PUBS.clear();
    SUBS.clear();
    if (aeron != null) {
      aeron.close();
      aeron = null;
    }
    if (driver != null) {
      driver.close();
      driver = null;
    }
  }

  private static int streamOf(Workload<?> w, int base) {
    return base + (w.name.equals("bytes64k") ? 1 : 0);
  }

  private static ExclusivePublication pub(int stream) {
    ExclusivePublication p = PUBS.computeIfAbsent(stream, s -> aeron.addExclusivePublication(CHANNEL, s));
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!p.isConnected()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("aeron: no subscriber on stream " + stream + " within 30 s");
      }
      Thread.onSpinWait();
    }
    return p;
  }

  private static Subscription sub(int stream) {
    return SUBS.computeIfAbsent(stream, s -> aeron.addSubscription(CHANNEL, s));
  }

  private static UnsafeBuffer[] buffers(Workload<?> w) {
    Workload.BytesWorkload b = (Workload.BytesWorkload) w;
    int n = b.size > 4096 ? 8 : Workload.POOL;
    UnsafeBuffer[] bufs = new UnsafeBuffer[n];
    for (int i = 0; i < n; i++) {
      bufs[i] = new UnsafeBuffer(b.message(i));
    }
    return bufs;
  }

  static void offer(Publication p, DirectBuffer b, int offset, int length, IdleStrategy idle) {
    long r;
    while ((r = p.offer(b, offset, length)) < 0) {
      if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED || r == Publication.NOT_CONNECTED) {
        throw new IllegalStateException("aeron offer failed: " + Publication.errorString(r));
      }
      idle.idle(); // BACK_PRESSURED or ADMIN_ACTION: retry
    }
  }

  @Override
  <T> long write(Workload<T> w, int count, Path fifo) {
    UnsafeBuffer[] bufs = buffers(w);
    ExclusivePublication p = pub(streamOf(w, 1000));
    IdleStrategy idle = new BusySpinIdleStrategy();
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      UnsafeBuffer b = bufs[i & (bufs.length - 1)];
      offer(p, b, 0, b.capacity(), idle);
    }
    return t0;
  }

  /** Counts whole (reassembled) messages. */
  private static final class Counter implements FragmentHandler {
    final long count;
    long n;
    long bytes;
    long tEnd;

    Counter(long count) {
      this.count = count;
    }

    @Override
    public void onFragment(DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
      bytes += length;
      if (++n == count) {
        tEnd = System.nanoTime();
      }
    }
  }

  @Override
  <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
    Subscription s = sub(streamOf(w, 1000));
    Counter c = new Counter(count);
    FragmentAssembler asm = new FragmentAssembler(c);
    IdleStrategy idle = new BusySpinIdleStrategy();
    long lastProgress = System.nanoTime();
    while (c.n < count) {
      int f = s.poll(asm, FRAGMENT_LIMIT);
      if (f > 0) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > 60_000_000_000L) {
        throw new IOException("aeron: no message for 60 s after " + c.n + " of " + count);
      }
      idle.idle(f);
    }
    expect(c.bytes, (long) count * ((Workload.BytesWorkload) w).size, "aeron bytes received");
    Main.sink(c.bytes);
    return c.tEnd;
  }

  @Override
  <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
    Subscription s = sub(2000);
    ExclusivePublication p = pub(3000);
    IdleStrategy idle = new BusySpinIdleStrategy();
    long[] n = {0};
    FragmentHandler back = (buffer, offset, length, header) -> {
      offer(p, buffer, offset, length, idle);
      n[0]++;
    };
    long lastProgress = System.nanoTime();
    while (n[0] < total) {
      int f = s.poll(back, 1);
      if (f > 0) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > 60_000_000_000L) {
        throw new IOException("aeron echo: nothing for 60 s after " + n[0] + " of " + total);
      }
      idle.idle(f);
    }
  }

  @Override
  <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
    Subscription s = sub(3000);
    ExclusivePublication p = pub(2000);
    UnsafeBuffer[] bufs = buffers(w);
    IdleStrategy idle = new BusySpinIdleStrategy();
    long[] rtt = new long[count];
    int[] got = {0};
    FragmentHandler h = (buffer, offset, length, header) -> got[0] = length;
    for (int i = 0; i < warmup + count; i++) {
      UnsafeBuffer b = bufs[i & (bufs.length - 1)];
      got[0] = 0;
      long t0 = System.nanoTime();
      offer(p, b, 0, b.capacity(), idle);
      long spins = 0;
      while (s.poll(h, 1) == 0) {
        if (++spins > 1_000_000_000L) {
          throw new IOException("aeron: no echo for " + i);
        }
        idle.idle();
      }
      long t1 = System.nanoTime();
      expect(got[0], b.capacity(), "aeron echo length");
      if (i >= warmup) {
        rtt[i - warmup] = t1 - t0;
      }
    }
    return rtt;
  }
}
