package dev.fifochan.fifo.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Turns a failed call's errno into the {@code java.nio.file} exception that fits it. */
public final class Errors {
  private Errors() {}

  /**
   * An exception for {@code op} on {@code path} (may be null) that failed with {@code errno}: a
   * {@link NoSuchFileException}, {@link FileAlreadyExistsException} or {@link AccessDeniedException}
   * where one fits, else a {@link FileSystemException} (or a plain {@link IOException} without path).
   */
  public static IOException of(String op, Path path, int errno) {
    String reason = LibC.strerror(errno) + " (errno " + errno + ", " + op + ")";
    String file = path == null ? null : path.toString();
    switch (errno) {
      case Linux.ENOENT:
        return new NoSuchFileException(file, null, reason);
      case Linux.EEXIST:
        return new FileAlreadyExistsException(file, null, reason);
      case Linux.EACCES:
      case Linux.EPERM:
        return new AccessDeniedException(file, null, reason);
      default:
        return file == null ? new IOException(reason) : new FileSystemException(file, null, reason);
    }
  }
}
