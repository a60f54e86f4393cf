package dev.fifochan.fifo;

import dev.fifochan.FifochanException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The FIFO was removed from its path while this side was waiting for a peer (a reader for a
 * writer, a following receiver between writers, a writer for a reader): no peer can come through
 * that path any more. Nothing stays open on the removed FIFO. (A FIFO removed and created again is
 * not an error: the waiting side re-opens the new one.)
 */
public class FifoRemovedException extends FifochanException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  public FifoRemovedException(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  @Override
  public String getMessage() {
    return "FIFO " + path + " was removed while waiting for a peer";
  }

  /** The path the FIFO was removed from. */
  public Path path() {
    return path;
  }
}
