package dev.fifochan.fifo;

import dev.fifochan.Deadline;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;

/** Helpers shared by the FIFO tests. */
final class FifoTesting {
  private FifoTesting() {}

  static FifoOptions timeout(Duration openTimeout) {
    return FifoOptions.builder().openTimeout(openTimeout).build();
  }

  static FifoOptions timeoutMillis(long ms) {
    return timeout(Duration.ofMillis(ms));
  }

  /** Number of descriptors this process has open. */
  static int openFds() {
    String[] names = new File("/proc/self/fd").list();
    if (names == null) {
      throw new UncheckedIOException(new IOException("cannot list /proc/self/fd"));
    }
    return names.length;
  }

  /**
   * Descriptor number to what it points at, leaving out the directory handle of the listing itself
   * and the JVM's own short-lived reads of cgroup files (container memory accounting).
   */
  static java.util.SortedMap<Integer, String> fdTargets() {
    java.util.SortedMap<Integer, String> m = new java.util.TreeMap<>();
    String[] names = new File("/proc/self/fd").list();
    for (String n : names == null ? new String[0] : names) {
      String target;
      try {
        target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd", n)).toString();
      } catch (IOException | RuntimeException e) {
        continue; // gone already: the listing's own handle
      }
      if (!target.startsWith("/sys/fs/cgroup/")) {
        m.put(Integer.parseInt(n), target);
      }
    }
    return m;
  }

  /**
   * Asserts the process has as many descriptors open as {@code before} (from {@link #fdTargets()}),
   * allowing a second for descriptors that other parts of the JVM open briefly.
   */
  static void assertNoFdLeak(java.util.SortedMap<Integer, String> before) throws InterruptedException {
    java.util.SortedMap<Integer, String> after = fdTargets();
    for (int i = 0; i < 20 && after.size() != before.size(); i++) {
      Thread.sleep(50);
      after = fdTargets();
    }
    if (after.size() != before.size()) {
      org.junit.jupiter.api.Assertions.fail("descriptors before " + before + "\nafter " + after);
    }
  }

  /** Writes all of {@code src}, waiting for room as needed. */
  static void writeFully(WritableByteChannel ch, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (ch.write(src) == 0) {
        ((dev.fifochan.spi.WaitableChannel) ch).awaitReady(dev.fifochan.Deadline.none());
      }
    }
  }

  /** Reads until end of file; returns everything read. */
  static byte[] readToEnd(ReadableByteChannel ch, ByteBuffer buf) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while (true) {
      buf.clear();
      int n = ch.read(buf);
      if (n < 0) {
        return out.toByteArray();
      }
      if (n == 0) {
        ((dev.fifochan.spi.WaitableChannel) ch).awaitReady(dev.fifochan.Deadline.none());
        continue;
      }
      buf.flip();
      byte[] chunk = new byte[buf.remaining()];
      buf.get(chunk);
      out.write(chunk, 0, chunk.length);
    }
  }

  static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed + (i >>> 8));
    }
    return b;
  }

  /**
   * A command that runs {@code main} in a fresh JVM with this JVM's {@code java} and class path,
   * the given JVM options first.
   */
  static java.util.List<String> javaCommand(java.util.List<String> jvmOptions, Class<?> main, String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(java.util.List.of(args));
    return cmd;
  }

  /** Descriptors of this process that point at a deleted file whose name starts with {@code path}. */
  static java.util.List<String> descriptorsOnDeleted(java.nio.file.Path path) {
    java.util.List<String> found = new java.util.ArrayList<>();
    for (String target : fdTargets().values()) {
      if (target.startsWith(path.toString()) && target.endsWith("(deleted)")) {
        found.add(target);
      }
    }
    return found;
  }

  /** Whether this process runs as root (then it may mount file systems). */
  static boolean isRoot() {
    try {
      return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim());
    } catch (IOException e) {
      return false;
    }
  }

  /** The next message within {@code timeout}; null if none came in time or the stream ended cleanly. */
  static <T> T poll(dev.fifochan.Receiver<T> r, Duration timeout) throws IOException {
    try {
      return r.receive(timeout);
    } catch (dev.fifochan.ReceiveTimeoutException e) {
      return null;
    }
  }
}
