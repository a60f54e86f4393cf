package dev.fifochan.spi;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import java.util.Objects;

/** How an inspected stream ended, in the shape of the test vectors' {@code outcome} object. */
public final class StreamOutcome {

  /** The outcome's {@code status}. */
  public enum Status {
    /** {@code clean}: every writer session ended cleanly and the input ended on a record boundary. */
    CLEAN("clean"),
    /** {@code aborted}: the input ended after a writer's aborted end. */
    ABORTED("aborted"),
    /** {@code error}: a stream failure ({@link #error()}). */
    ERROR("error");

    private final String vectorName;

    Status(String vectorName) {
      this.vectorName = vectorName;
    }

    /** The status in the vectors' JSON. */
    public String vectorName() {
      return vectorName;
    }
  }

  private final Status status;
  private final long position;
  private final StreamException error;
  private final String abortReason;

  /**
   * @param status how the stream ended
   * @param position the end of input (clean, aborted) or the failing record's first byte (error)
   * @param error the failure for {@link Status#ERROR}, else null
   * @param abortReason the reason for {@link Status#ABORTED}, else null
   */
  public StreamOutcome(Status status, long position, StreamException error, String abortReason) {
    this.status = Objects.requireNonNull(status, "status");
    this.position = position;
    this.error = error;
    this.abortReason = abortReason;
  }

  public Status status() {
    return status;
  }

  /** The end-of-input position, or the failing record's first byte. */
  public long position() {
    return position;
  }

  /** The stream failure for {@link Status#ERROR}; null otherwise. */
  public StreamException error() {
    return error;
  }

  /** The writer's reason for {@link Status#ABORTED}; null otherwise. */
  public String abortReason() {
    return abortReason;
  }

  /**
   * The vectors' name of the error: {@code truncated}, {@code corrupt}, {@code checksum},
   * {@code too_long}, {@code incompatible} (or {@code aborted}); null for a clean end.
   */
  public String errorName() {
    return errorName(error);
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
    return status.vectorName() + "@" + position + (error != null ? " " + errorName() + ": " + error.getMessage() : "")
        + (abortReason != null ? " reason=" + abortReason : "");
  }
}
