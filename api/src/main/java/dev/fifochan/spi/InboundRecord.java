package dev.fifochan.spi;

import dev.fifochan.Headers;
import dev.fifochan.WireVersion;
import java.nio.ByteBuffer;

/**
 * One record a {@link FrameSource} read. A reused flyweight: it, its headers and its payload are
 * valid only until the next call on the source.
 */
public interface InboundRecord {

  /** What a record is. */
  enum Kind {
    /** A writer session started (its preamble): {@link #codecName()}, {@link #wireVersion()}. */
    SESSION_START,
    /** A message frame: {@link #tag()}, {@link #headers()}, {@link #payload()}. */
    FRAME,
    /** A writer session ended: cleanly, or with an error if {@link #abortReason()} is not null. */
    SESSION_END,
    /** A writer is alive; not a message. */
    HEARTBEAT,
    /**
     * The source is over: every session ended and the input ended. {@link #abortReason()} is the
     * first aborted end's reason if there was one (already reported by its {@link #SESSION_END}).
     */
    END
  }

  /** What this record is. */
  Kind kind();

  /** Position of the record's first byte in this reader session (for {@link Kind#END}: of the end of input). */
  long position();

  /** For {@link Kind#SESSION_START}: the codec the writer announced; otherwise that of the session read last. */
  String codecName();

  /** For {@link Kind#SESSION_START}: the wire version the writer announced. */
  WireVersion wireVersion();

  /** For {@link Kind#FRAME}: the type tag, "" if none; "" otherwise. */
  String tag();

  /** For {@link Kind#FRAME}: the headers ({@link Headers#empty()} if none); a view valid until the next call. */
  Headers headers();

  /** For {@link Kind#FRAME}: the payload between position and limit, read-only; empty otherwise. */
  ByteBuffer payload();

  /** The flags byte of a frame record; 0 for a preamble and for {@link Kind#END}. */
  int flags();

  /**
   * For an aborted {@link Kind#SESSION_END}: the writer's reason (each run of invalid UTF-8 replaced by
   * one U+FFFD); for an {@link Kind#END}, the first aborted end's; null otherwise.
   */
  String abortReason();

  /** Bytes the record occupies on the wire (0 for {@link Kind#END}). */
  int wireLength();
}
