package dev.fifochan;

import java.io.IOException;

/**
 * Root of every fifochan failure that is not a timeout ({@link FifochanTimeoutException} extends the
 * JDK's {@link java.io.InterruptedIOException} instead; {@code catch (IOException e)} catches both).
 *
 * <ul>
 *   <li>{@link StreamException}: fatal for the stream (in follow mode: for one writer session).</li>
 *   <li>{@link MessageException}: one message failed; the sender or receiver stays usable.</li>
 *   <li>{@link PeerClosedException}: the sender's reader is gone.</li>
 *   <li>Transports add their own (for FIFOs: unsafe or busy FIFOs, a missing native library).</li>
 * </ul>
 *
 * <p>Every subclass carries its data as fields and composes {@link #getMessage()} from them; nothing
 * in fifochan parses exception text, and callers should not either.
 */
public abstract class FifochanException extends IOException {
  private static final long serialVersionUID = 1L;

  /** For subclasses without a cause. */
  protected FifochanException() {
    super();
  }

  /** For subclasses that wrap {@code cause} (may be null). */
  protected FifochanException(Throwable cause) {
    super(null, cause);
  }

  /** A message composed from this exception's fields. */
  @Override
  public abstract String getMessage();
}
