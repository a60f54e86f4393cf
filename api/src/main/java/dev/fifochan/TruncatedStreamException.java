package dev.fifochan;

import java.util.Objects;

/**
 * The input ended before the stream did: a writer died or was cut off in the middle of a record, or
 * closed (or aborted in wire format 1.0) without its end-of-stream frame. Every message that arrived
 * whole before it was delivered.
 */
public final class TruncatedStreamException extends StreamException {
  private static final long serialVersionUID = 1L;

  /** Where the input ended. */
  public enum Reason {
    /** Inside a record: {@link #position()} is that record's first byte. */
    IN_RECORD,
    /**
     * On a record boundary with writer sessions still open ({@link #openWriters()}): a writer died or
     * closed without its end of stream. {@link #position()} is the end of input.
     */
    NO_END_OF_STREAM,
    /** Before any preamble: the writer vanished before it wrote anything. */
    NOTHING_WRITTEN
  }

  private final Reason reason;
  private final int openWriters;

  /**
   * @param reason where the input ended
   * @param position the incomplete record's first byte, or the end of input on a boundary
   * @param openWriters writer sessions that had started and not ended at that point
   */
  public TruncatedStreamException(Reason reason, long position, int openWriters) {
    super(position, null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.openWriters = openWriters;
  }

  /** Where the input ended. */
  public Reason reason() {
    return reason;
  }

  /** Writer sessions that had sent a preamble and no end of stream when the input ended. */
  public int openWriters() {
    return openWriters;
  }

  @Override
  public String getMessage() {
    switch (reason) {
      case IN_RECORD:
        return "stream truncated: the input ended inside the record at position " + position()
            + " (a writer died or was cut off in the middle of writing it)";
      case NO_END_OF_STREAM:
        return "stream truncated: the input ended at position " + position() + " while " + openWriters
            + " writer session" + (openWriters == 1 ? " had" : "s had") + " not ended (a writer died or closed without its end of stream)";
      default:
        return "stream truncated: the input ended at position " + position()
            + " before any preamble (the writer vanished before it wrote anything)";
    }
  }
}
