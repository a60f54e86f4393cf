package dev.fifochan;

import java.nio.ByteBuffer;

/**
 * Receives raw frames, not decoded, from {@link Receiver#pollFrames(FrameHandler, int, java.time.Duration)}:
 * the zero-copy path. The {@link Frame} and everything it returns are views of the receiver's buffer,
 * valid only during the call.
 */
@FunctionalInterface
public interface FrameHandler {

  /**
   * Handles one frame.
   *
   * @throws Exception to stop polling; the frame counts as received and {@code pollFrames} rethrows it
   *     (checked exceptions other than {@link java.io.IOException} wrapped in
   *     {@link java.lang.reflect.UndeclaredThrowableException})
   */
  void onFrame(Frame frame) throws Exception;

  /** One frame as it arrived; a reused view, valid only during {@link #onFrame}. */
  interface Frame {
    /** The type tag, "" if none. */
    String tag();

    /** The headers, {@link Headers#empty()} if none; {@link Headers#copy()} to keep them. */
    Headers headers();

    /** The payload between position and limit, read-only; copy what must outlive the call. */
    ByteBuffer payload();

    /** Position of the frame's first byte in this reader session. */
    long position();
  }
}
