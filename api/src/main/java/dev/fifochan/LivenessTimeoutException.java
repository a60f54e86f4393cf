package dev.fifochan;

import java.time.Duration;

/**
 * A writer session is open but nothing (not a byte: no frame, no heartbeat) has arrived for the receiver's
 * {@link ChannelConfig#livenessTimeout()}: the writing process may hang. Nothing was consumed; the
 * receiver stays usable, and reports again after another silent period. A heartbeat proves the
 * writing process alive, not that its application makes progress.
 */
public final class LivenessTimeoutException extends FifochanTimeoutException {
  private static final long serialVersionUID = 1L;
  private final int openSessions;
  private final long position;

  /**
   * @param livenessTimeout the silence allowed
   * @param openSessions writer sessions open at the time
   * @param position the position the reader had reached
   */
  public LivenessTimeoutException(Duration livenessTimeout, int openSessions, long position) {
    super(livenessTimeout, Operation.LIVENESS, null);
    this.openSessions = openSessions;
    this.position = position;
  }

  /** Writer sessions that were open. */
  public int openSessions() {
    return openSessions;
  }

  /**
   * The position the reader had reached: where the next record starts, in the current reader session
   * (what the transport reports, or else the end of the last record that arrived). The writer's
   * silence began after the bytes before it.
   */
  public long position() {
    return position;
  }

  @Override
  public String getMessage() {
    return "no sign of life from " + openSessions + " open writer session" + (openSessions == 1 ? "" : "s")
        + within() + " (at position " + position + ")";
  }
}
