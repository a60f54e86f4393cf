package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.timeoutMillis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.OpenTimeoutException;
import dev.fifochan.fifo.UnsafeFifoException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.FileStatus;
import dev.fifochan.fifo.internal.LibC;
import dev.fifochan.fifo.internal.Linux;
import java.nio.file.LinkOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PathSafetyTest {
  private static final FifoOptions QUICK = timeoutMillis(50);

  @TempDir Path dir;

  private static int mode(Path p) {
    return FifoFile.lstat(p).mode();
  }

  private static UnsafeFifoException refusedBothEnds(Path p, FifoOptions config, Reason reason) {
    UnsafeFifoException w = assertThrows(UnsafeFifoException.class, () -> Fifo.openWriteChannel(p, config));
    UnsafeFifoException r = assertThrows(UnsafeFifoException.class, () -> Fifo.openReadChannel(p, config));
    assertEquals(reason, w.reason());
    assertEquals(reason, r.reason());
    assertEquals(p, r.path());
    assertTrue(r.getMessage().contains(p.toString()) && r.getMessage().contains(reason.text()), r.getMessage());
    return r;
  }

  @Test
  void aRegularFileIsRefusedAndLeftAlone() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "data");
    refusedBothEnds(file, QUICK, Reason.NOT_A_FIFO);
    assertEquals("data", Files.readString(file));
  }

  @Test
  void aDirectoryIsRefused() throws IOException {
    refusedBothEnds(Files.createDirectory(dir.resolve("sub")), QUICK, Reason.NOT_A_FIFO);
  }

  @Test
  void aSymlinkToAFifoIsRefused() throws IOException {
    Path fifo = Fifo.create(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), fifo);
    refusedBothEnds(link, QUICK, Reason.SYMLINK);
  }

  @Test
  void aFifoOfAnotherUserIsRefusedUnlessAllowed() throws Exception {
    Path fifo = Fifo.create(dir.resolve("foreign"), 0666);
    Files.setAttribute(fifo, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS); // tests run as root
    Files.setAttribute(fifo, "unix:gid", 65534, LinkOption.NOFOLLOW_LINKS);
    UnsafeFifoException e = refusedBothEnds(fifo, QUICK, Reason.FOREIGN_OWNER);
    assertTrue(e.getMessage().contains("65534"), e.getMessage());

    FifoOptions allowed = QUICK.toBuilder().allowForeignOwner(true).openTimeout(java.time.Duration.ofSeconds(10)).build();
    CompletableFuture<FifoReadChannel> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReadChannel(fifo, allowed);
      } catch (IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    });
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, allowed)) {
      assertEquals(1, w.write(ByteBuffer.wrap(new byte[] {42})));
      try (FifoReadChannel r = reader.get(10, TimeUnit.SECONDS)) {
        ByteBuffer b = ByteBuffer.allocate(1);
        assertEquals(1, r.read(b));
        assertEquals(42, b.get(0));
      }
    }
  }

  @Test
  void aDirectoryWritableByOthersWithoutStickyBitIsRefused() throws IOException {
    Path open = Files.createDirectory(dir.resolve("open"));
    Path fifo = Fifo.create(open.resolve("f"));
    Files.setAttribute(open, "unix:mode", 0777);
    refusedBothEnds(fifo, QUICK, Reason.UNSAFE_DIRECTORY);
    UnsafeFifoException e = assertThrows(UnsafeFifoException.class, () -> Fifo.create(open.resolve("g")));
    assertEquals(Reason.UNSAFE_DIRECTORY, e.reason());
    assertFalse(Files.exists(open.resolve("g")));

    Files.setAttribute(open, "unix:mode", 0770); // group-writable: refused as well
    refusedBothEnds(fifo, QUICK, Reason.UNSAFE_DIRECTORY);
  }

  @Test
  void aWorldWritableDirectoryWithTheStickyBitIsAccepted() throws IOException {
    Path tmpLike = Files.createDirectory(dir.resolve("tmp"));
    Files.setAttribute(tmpLike, "unix:mode", 01777);
    Path fifo = Fifo.create(tmpLike.resolve("f"));
    assertThrows(OpenTimeoutException.class, () -> Fifo.openWriteChannel(fifo, QUICK)); // checked, opened, no reader
    assertThrows(OpenTimeoutException.class, () -> Fifo.openReadChannel(fifo, QUICK));
  }

  @ParameterizedTest
  @ValueSource(ints = {0600, 0666, 0640, 0622})
  void createdFifoHasExactlyTheRequestedModeDespiteTheUmask(int requested) throws IOException {
    int previous = LibC.umask(077); // the strictest common umask: it would clear all group/other bits
    Path fifo;
    try {
      fifo = Fifo.create(dir.resolve("m"), requested);
    } finally {
      LibC.umask(previous);
    }
    int m = mode(fifo);
    assertEquals(Linux.S_IFIFO, m & Linux.S_IFMT);
    assertEquals(Integer.toOctalString(requested), Integer.toOctalString(m & 07777));
  }

  @Test
  void defaultCreateModeIs0600() throws IOException {
    assertEquals(0600, mode(Fifo.create(dir.resolve("d"))) & 07777);
  }

  @Test
  void createIfMissingCreatesTheFifoWithTheConfiguredMode() throws IOException {
    Path fifo = dir.resolve("auto");
    FifoOptions config = QUICK.toBuilder().mode(0660).build();
    int previous = LibC.umask(077);
    try {
      assertThrows(OpenTimeoutException.class, () -> Fifo.openReadChannel(fifo, config));
    } finally {
      LibC.umask(previous);
    }
    assertEquals(Linux.S_IFIFO | 0660, mode(fifo));
  }

  @Test
  void aMissingFifoIsNotCreatedWhenCreateIfMissingIsOff() {
    Path fifo = dir.resolve("absent");
    FifoOptions config = QUICK.toBuilder().createIfMissing(false).build();
    assertThrows(NoSuchFileException.class, () -> Fifo.openReadChannel(fifo, config));
    assertThrows(NoSuchFileException.class, () -> Fifo.openWriteChannel(fifo, config));
    assertFalse(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void createRefusesAnExistingPathEvenAFifo() throws IOException {
    Path fifo = Fifo.create(dir.resolve("twice"));
    assertThrows(FileAlreadyExistsException.class, () -> Fifo.create(fifo));
    assertThrows(FileAlreadyExistsException.class, () -> Fifo.create(Files.writeString(dir.resolve("file"), "")));
  }

  @Test
  void deleteOnCloseUnlinksTheFifoItOpened() throws Exception {
    Path fifo = Fifo.create(dir.resolve("del"));
    FifoOptions config = timeoutMillis(10_000).toBuilder().deleteOnClose(true).build();
    CompletableFuture<FifoReadChannel> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReadChannel(fifo, config);
      } catch (IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    });
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, timeoutMillis(10_000))) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      reader.get(10, TimeUnit.SECONDS).close();
    }
    assertFalse(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void deleteOnCloseAlsoRemovesTheFifoWhenOpeningTimedOut() {
    Path fifo = dir.resolve("temp");
    FifoOptions config = QUICK.toBuilder().deleteOnClose(true).build();
    assertThrows(OpenTimeoutException.class, () -> Fifo.openReadChannel(fifo, config));
    assertFalse(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertThrows(OpenTimeoutException.class, () -> Fifo.openWriteChannel(fifo, config));
    assertFalse(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void deleteOnCloseLeavesAReplacementAlone() throws Exception {
    Path fifo = Fifo.create(dir.resolve("del"));
    FifoOptions config = timeoutMillis(10_000).toBuilder().deleteOnClose(true).build();
    CompletableFuture<FifoReadChannel> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReadChannel(fifo, config);
      } catch (IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    });
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, timeoutMillis(10_000))) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      FifoReadChannel r = reader.get(10, TimeUnit.SECONDS);
      Files.delete(fifo);
      Fifo.create(fifo); // another FIFO now has the name
      FileStatus before = FifoFile.lstat(fifo);
      r.close();
      assertTrue(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
      assertEquals(before.ino(), FifoFile.lstat(fifo).ino());
    }
  }
}
