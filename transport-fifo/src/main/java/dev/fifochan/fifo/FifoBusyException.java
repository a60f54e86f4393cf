package dev.fifochan.fifo;

import dev.fifochan.FifochanException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The FIFO already has a fifochan reader, so this reader was refused before it read a byte (a FIFO
 * hands each byte to one reader: two readers would each get random parts of the stream). fifochan
 * readers take an exclusive {@code flock(2)} on the FIFO right after opening it; this reader found
 * it taken. {@link #holderPid()} names the process holding it, when the kernel tells
 * ({@code /proc/locks}; not across PID namespaces). A reader that takes no lock ({@code cat F})
 * cannot be detected. To watch a live stream, put {@code fifochan tee} in front of the reader.
 */
public class FifoBusyException extends FifochanException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;
  private final long holderPid;

  /**
   * @param path the FIFO
   * @param holderPid the pid of the process holding the lock, or 0 or less if unknown
   */
  public FifoBusyException(Path path, long holderPid) {
    this.path = Objects.requireNonNull(path, "path");
    this.holderPid = Math.max(holderPid, 0);
  }

  @Override
  public String getMessage() {
    return "FIFO " + path + " already has a reader" + (holderPid > 0 ? " (pid " + holderPid + ")" : "")
        + ": a FIFO has one reader; use fifochan tee to observe a stream";
  }

  /** The FIFO that has a reader already. */
  public Path path() {
    return path;
  }

  /** The pid of the process holding the FIFO's reader lock, if the kernel told it. */
  public OptionalLong holderPid() {
    return holderPid > 0 ? OptionalLong.of(holderPid) : OptionalLong.empty();
  }
}
