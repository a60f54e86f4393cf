package dev.fifochan.bench;

import java.io.IOException;
import java.nio.file.Path;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Holds a FIFO open read-write (non-blocking) for the duration of a baseline trial, so that the
 * baselines' plain {@code FileChannel}/{@code FileInputStream} ends get the same 1 MiB pipe that
 * fifochan's transport requests with {@code F_SETPIPE_SZ}; plain Java cannot resize a pipe. The
 * held descriptor never reads or writes.
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
    POSIX.libc().fcntl(fd, F_SETPIPE_SZ, size);
    pipeSize = POSIX.libc().fcntl(fd, F_GETPIPE_SZ, 0);
  }

  @Override
  public void close() {
    POSIX.close(fd);
  }
}
