package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.internal.LibC;
import dev.fifochan.fifo.internal.Linux;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths a shell hands over that name a descriptor the process holds ({@code /dev/fd/N},
 * {@code /proc/self/fd/N}, {@code /dev/stdin}): pipes, FIFOs and regular files holding a recorded
 * stream are read (and written) through that descriptor instead of being refused as links.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InheritedDescriptorTest {
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();
  private static final FifoOptions OPTIONS = FifoTesting.timeoutMillis(10_000);

  @TempDir Path dir;

  /** A complete recorded stream of {@code messages}. */
  static byte[] recorded(String... messages) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Sender<String> s = Sender.over(Channels.newChannel(out), Codecs.string(), ChannelConfig.defaults())) {
      for (String m : messages) {
        s.send(m);
      }
    }
    return out.toByteArray();
  }

  static List<String> receiveAll(Path path) throws IOException {
    List<String> got = new ArrayList<>();
    try (Receiver<String> r = Fifo.openReceiver(path, Codecs.string(), CONFIG, OPTIONS)) {
      for (String m : r) {
        got.add(m);
      }
    }
    return got;
  }

  /** Reads the messages of the path given as the argument, one per line, as a process a shell started. */
  public static final class Reader {
    private Reader() {}

    public static void main(String[] args) throws Exception {
      for (String m : receiveAll(Path.of(args[0]))) {
        System.out.println(m);
      }
    }
  }

  /** The descriptor number of this process that points at {@code target}. */
  private static int descriptorOf(Path target) {
    for (Map.Entry<Integer, String> e : FifoTesting.fdTargets().entrySet()) {
      if (e.getValue().equals(target.toString())) {
        return e.getKey();
      }
    }
    throw new AssertionError("no descriptor for " + target);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/dev/fd/", "/proc/self/fd/"})
  void aPipeIsReadAndWrittenThroughItsDescriptor(String prefix) throws Exception {
    long fds = LibC.pipe2(Linux.O_CLOEXEC);
    int readEnd = (int) fds;
    int writeEnd = (int) (fds >>> 32);
    try {
      CompletableFuture<List<String>> got = CompletableFuture.supplyAsync(() -> {
        try {
          return receiveAll(Path.of(prefix + readEnd));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try (Sender<String> s = Fifo.openSender(Path.of(prefix + writeEnd), Codecs.string(), CONFIG, OPTIONS)) {
        s.send("through");
        s.send("a pipe");
      }
      LibC.close(writeEnd);
      writeEnd = -1;
      assertEquals(List.of("through", "a pipe"), got.get(20, TimeUnit.SECONDS));
      assertEquals(0, LibC.fcntl(readEnd, Linux.F_GETFL, 0) & Linux.O_NONBLOCK,
          "the shared descriptor is not switched to non-blocking mode");
    } finally {
      LibC.close(readEnd);
      if (writeEnd >= 0) {
        LibC.close(writeEnd);
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the resource is held open on purpose
  void aRegularFileHoldingARecordedStreamIsRead() throws Exception {
    Path file = Files.write(dir.resolve("recorded.bin"), recorded("one", "two", "three"));
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      int fd = descriptorOf(file);
      assertEquals(List.of("one", "two", "three"), receiveAll(Path.of("/dev/fd/" + fd)));
    }
  }

  @Test
  @SuppressWarnings("try") // the resource is held open on purpose
  void aFifoHeldByTheProcessIsReadThroughItsDescriptor() throws Exception {
    Path fifo = Fifo.create(dir.resolve("f"));
    try (java.io.RandomAccessFile held = new java.io.RandomAccessFile(fifo.toFile(), "rw")) { // O_RDWR: never blocks
      int fd = descriptorOf(fifo);
      try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, OPTIONS)) {
        FifoTesting.writeFully(w, ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)));
      }
      try (FifoReadChannel r = Fifo.openReadChannel(Path.of("/dev/fd/" + fd), OPTIONS)) {
        ByteBuffer b = ByteBuffer.allocate(8);
        assertEquals(3, r.read(b));
        assertEquals(0, r.read(b), "no end of file: the held descriptor is a writer too");
      }
    }
  }

  @Test
  void otherKindsOfDescriptorAndUnheldNumbersAreRefused() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(sub)) {
      int fd = descriptorOf(sub);
      UnsafeFifoException e = assertThrows(UnsafeFifoException.class, () -> Fifo.openReadChannel(Path.of("/dev/fd/" + fd), OPTIONS));
      assertEquals(UnsafeFifoException.Reason.NOT_A_FIFO, e.reason());
      assertTrue(e.getMessage().contains("directory"), e.getMessage());
      assertTrue(listing.iterator() != null);
    }
    assertThrows(FileSystemException.class, () -> Fifo.openReadChannel(Path.of("/dev/fd/987654"), OPTIONS));
    assertThrows(IllegalArgumentException.class, () -> Fifo.openSource(Path.of("/dev/stdin"), ChannelConfig.defaults(), OPTIONS.toBuilder().follow(true).build(), null, null));
  }

  @Test
  @SuppressWarnings("try") // the resource is held open on purpose
  void aWriteOnlyDescriptorIsNotReadable() throws Exception {
    Path file = dir.resolve("out.bin");
    try (java.io.FileOutputStream out = new java.io.FileOutputStream(file.toFile())) {
      int fd = descriptorOf(file);
      FileSystemException e = assertThrows(FileSystemException.class, () -> Fifo.openReadChannel(Path.of("/dev/fd/" + fd), OPTIONS));
      assertTrue(e.getMessage().contains("not open for reading"), e.getMessage());
    }
  }

  /** As a shell hands them to a process: process substitution, a redirected file, a pipe on standard input. */
  @ParameterizedTest
  @ValueSource(strings = {"exec $JAVA <(cat \"$REC\")", "exec $JAVA /dev/stdin < \"$REC\"", "cat \"$REC\" | $JAVA /dev/stdin"})
  void pathsAShellHandsOverWork(String script) throws Exception {
    Path rec = Files.write(dir.resolve("rec.bin"), recorded("from", "the shell"));
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
    pb.environment().put("REC", rec.toString());
    pb.environment().put("JAVA", String.join(" ", FifoTesting.javaCommand(List.of(), Reader.class)));
    Process p = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertEquals("from\nthe shell\n", out, script);
  }
}
