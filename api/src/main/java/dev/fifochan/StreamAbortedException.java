package dev.fifochan;

import java.util.Objects;

/**
 * A writer ended its session with an error ({@link Sender#abort(String)}) instead of finishing it.
 * Every message it wrote before was delivered.
 *
 * <p>On the reading side {@link #sessionEnded()} is true and {@link #reason()} is the writer's text
 * (invalid UTF-8 replaced, at most 1024 bytes). A plain receiver treats it as the end of its stream
 * (every later call throws it again); a following receiver throws it once and goes on with the next
 * writer. On the writing side it completes {@link Sender#done()}: {@link #sessionEnded()} tells
 * whether the aborted end reached the transport (false when time ran out, or in wire format 1.0,
 * which cannot say it: there the reader sees a truncated stream and the reason is lost).
 */
public final class StreamAbortedException extends StreamException {
  private static final long serialVersionUID = 1L;
  private final String reason;
  private final boolean sessionEnded;

  /**
   * @param reason the writer's reason text
   * @param sessionEnded whether the aborted end was read (reader) or reached the transport (writer)
   * @param position the aborted end's first byte on the reader; -1 on the writer
   */
  public StreamAbortedException(String reason, boolean sessionEnded, long position) {
    super(position, null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.sessionEnded = sessionEnded;
  }

  /** The writer's reason, as it gave it (reader: decoded with replacement characters). */
  public String reason() {
    return reason;
  }

  /**
   * Reader: always true (the aborted end was read). Writer: whether the aborted end reached the
   * transport, so the reader will see this exception rather than a truncated stream.
   */
  public boolean sessionEnded() {
    return sessionEnded;
  }

  @Override
  public String getMessage() {
    if (position() >= 0) {
      return "the writer aborted its stream at position " + position() + ": " + reason;
    }
    return "stream aborted: " + reason + (sessionEnded ? "" : " (the aborted end was not written: the reader sees a truncated stream)");
  }
}
