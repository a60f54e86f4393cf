package dev.fifochan.bench;

import java.io.IOException;
import java.nio.file.Path;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Holds a FIFO open read-write (non-blocking) for the duration of a baseline trial, so that the
 * baselines' plain {@code FileChannel}/{@code FileInputStream} ends get the same 1 MiB pipe that
 * fifochan's transport requests with {@code F_SETPIPE_SZ}; plain Java cannot resize a pipe. The
 * held descriptor never reads or writes. {@link #query} only reads the size (fifochan's own ends
 * request it through {@code FifoOptions.pipeSize}). jnr-posix is the bench's own dependency (1.0's
 * transport binds libc through jffi, internally).
 */
final class PipeHold implements AutoCloseable {
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
  private static final int O_RDWR = 2;
  private static final int O_NONBLOCK = 04000;
  private static final int F_SETPIPE_SZ = 1031;
  private static final int F_GETPIPE_SZ = 1032;

  private final int fd;
  final int pipeSize;

  PipeHold(Path fifo, int size) throws IOException {
    fd = POSIX.open(fifo.toString(), O_RDWR | O_NONBLOCK, 0);
    if (fd < 0) {
      throw new IOException("open " + fifo + " O_RDWR failed: errno " + POSIX.errno());
    }
    if (size > 0) {
      POSIX.libc().fcntl(fd, F_SETPIPE_SZ, size);
    }
    pipeSize = POSIX.libc().fcntl(fd, F_GETPIPE_SZ, 0);
  }

  /** Opens the FIFO read-write only to read its pipe size (close it at once; it changes nothing). */
  static PipeHold query(Path fifo) throws IOException {
    return new PipeHold(fifo, 0);
  }

  @Override
  public void close() {
    POSIX.close(fd);
  }
}
