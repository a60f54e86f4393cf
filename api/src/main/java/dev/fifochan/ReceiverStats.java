package dev.fifochan;

import dev.fifochan.internal.LiveCounter;

/**
 * Live counters of one {@link Receiver}, read from any thread without taking the receiver's lock.
 * Each value is recent, not a snapshot across counters. Counts are since the receiver was made.
 */
public final class ReceiverStats {
  final LiveCounter messages = new LiveCounter();
  final LiveCounter payloadBytes = new LiveCounter();
  final LiveCounter bytesRead = new LiveCounter();
  final LiveCounter frames = new LiveCounter();
  final LiveCounter undecodable = new LiveCounter();
  final LiveCounter unknownTypes = new LiveCounter();
  final LiveCounter malformed = new LiveCounter();
  final LiveCounter deadLettered = new LiveCounter();
  final LiveCounter timeouts = new LiveCounter();
  final LiveCounter livenessTimeouts = new LiveCounter();
  final LiveCounter sessionsStarted = new LiveCounter();
  final LiveCounter sessionsEnded = new LiveCounter();
  final LiveCounter sessionsAborted = new LiveCounter();
  final LiveCounter sessionsTruncated = new LiveCounter();
  final LiveCounter streamFailures = new LiveCounter();
  final LiveCounter heartbeats = new LiveCounter();

  ReceiverStats() {}

  /** Messages delivered (values returned or handed to a handler, raw frames handed to a frame handler). */
  public long messagesReceived() {
    return messages.get();
  }

  /** Payload bytes of the delivered messages. */
  public long payloadBytesReceived() {
    return payloadBytes.get();
  }

  /**
   * Bytes of the records read from the transport, framing included: preambles (session starts),
   * message frames (delivered, undecodable or malformed), heartbeats and ends, each as many bytes as
   * it occupies on the wire ({@link dev.fifochan.spi.InboundRecord#wireLength()}; over NATS a
   * message's payload plus its headers). Over a byte stream it is the stream's bytes up to the last
   * record read, so after a clean end it equals the sender's {@link SenderStats#bytesWritten()}. Not
   * counted: bytes not yet framed (read ahead into the buffer), the bytes of a record that failed the
   * stream (truncated, corrupt, too long), and a malformed frame's bytes over a transport that does not
   * report its {@linkplain dev.fifochan.spi.FrameSource#position() position}.
   */
  public long bytesRead() {
    return bytesRead.get();
  }

  /** Message frames read, delivered or not (undecodable, malformed). */
  public long framesReceived() {
    return frames.get();
  }

  /** Frames whose payload the codec could not decode (unknown types excluded). */
  public long undecodable() {
    return undecodable.get();
  }

  /** Frames with a type tag the codec does not know. */
  public long unknownTypes() {
    return unknownTypes.get();
  }

  /** Frames with a malformed tag or header block. */
  public long malformedFrames() {
    return malformed.get();
  }

  /** Failed frames handed to the dead-letter handler (the rest were thrown). */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Timed receives that ran out of time. */
  public long timeouts() {
    return timeouts.get();
  }

  /** Liveness timeouts reported. */
  public long livenessTimeouts() {
    return livenessTimeouts.get();
  }

  /** Writer sessions that started (preambles read). */
  public long sessionsStarted() {
    return sessionsStarted.get();
  }

  /** Writer sessions that ended cleanly. */
  public long sessionsEnded() {
    return sessionsEnded.get();
  }

  /** Writer sessions that ended with an aborted end. */
  public long sessionsAborted() {
    return sessionsAborted.get();
  }

  /** Streams (or, following, writer sessions) found truncated. */
  public long sessionsTruncated() {
    return sessionsTruncated.get();
  }

  /** Stream failures of every kind (truncated, corrupt, too long, incompatible). */
  public long streamFailures() {
    return streamFailures.get();
  }

  /** Heartbeats read. */
  public long heartbeatsReceived() {
    return heartbeats.get();
  }

  @Override
  public String toString() {
    return "ReceiverStats{messages=" + messagesReceived() + ", bytes=" + bytesRead() + ", frames=" + framesReceived() + ", undecodable=" + undecodable()
        + ", unknownTypes=" + unknownTypes() + ", malformed=" + malformedFrames() + ", deadLettered=" + deadLettered()
        + ", timeouts=" + timeouts() + ", liveness=" + livenessTimeouts() + ", sessions=" + sessionsStarted() + "/"
        + sessionsEnded() + "/" + sessionsAborted() + "/" + sessionsTruncated() + ", streamFailures=" + streamFailures()
        + ", heartbeats=" + heartbeatsReceived() + "}";
  }
}
