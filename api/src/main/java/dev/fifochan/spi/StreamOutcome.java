package dev.fifochan.spi;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;

/**
 * How an inspected reader session ended, in the shape of the test vectors' {@code outcome} object
 * ({@code testdata/vectors/README.md}): clean at the end-of-input position, or an error
 * ({@code truncated}, {@code corrupt}, {@code checksum}, {@code too_long}, {@code incompatible} with
 * its cause, or {@code aborted} with the first aborted end's position and reason).
 */
public final class StreamOutcome {
  private final long position;
  private final StreamException error;

  /**
   * @param position the end-of-input position (clean), else the error's position
   * @param error null for a clean end; the stream error, or a {@link StreamAbortedException}
   */
  public StreamOutcome(long position, StreamException error) {
    this.position = error != null ? error.position() : position;
    this.error = error;
  }

  /** Whether the session ended cleanly ({@code "status": "clean"}). */
  public boolean isClean() {
    return error == null;
  }

  /** The vectors' {@code status}: {@code clean} or {@code error}. */
  public String status() {
    return error == null ? "clean" : "error";
  }

  /** The end-of-input position (clean), or the failing record's first byte (for aborted: the first aborted end's). */
  public long position() {
    return position;
  }

  /** The failure; null for a clean end. An aborted session is a {@link StreamAbortedException}. */
  public StreamException error() {
    return error;
  }

  /**
   * The vectors' {@code error}: {@code truncated}, {@code corrupt}, {@code checksum}, {@code too_long},
   * {@code incompatible} or {@code aborted}; null for a clean end.
   */
  public String errorName() {
    return errorName(error);
  }

  /** The vectors' {@code cause} of an {@code incompatible} outcome: {@code version} or {@code codec}; else null. */
  public String cause() {
    return error instanceof IncompatibleStreamException
        ? ((IncompatibleStreamException) error).reason().name().toLowerCase(java.util.Locale.ROOT) : null;
  }

  /** The vectors' {@code reason} of an {@code aborted} outcome; else null. */
  public String abortReason() {
    return error instanceof StreamAbortedException ? ((StreamAbortedException) error).reason() : null;
  }

  /** The vectors' name of a stream failure (see {@link #errorName()}); null for null. */
  public static String errorName(StreamException e) {
    if (e == null) {
      return null;
    }
    if (e instanceof TruncatedStreamException) {
      return "truncated";
    }
    if (e instanceof ChecksumMismatchException) {
      return "checksum";
    }
    if (e instanceof CorruptFrameException) {
      return "corrupt";
    }
    if (e instanceof FrameTooLongException) {
      return "too_long";
    }
    if (e instanceof IncompatibleStreamException) {
      return "incompatible";
    }
    if (e instanceof StreamAbortedException) {
      return "aborted";
    }
    return "stream";
  }

  @Override
  public String toString() {
    return status() + "@" + position + (error != null ? " " + errorName() + ": " + error.getMessage() : "");
  }
}
