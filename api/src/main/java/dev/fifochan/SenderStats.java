package dev.fifochan;

import dev.fifochan.internal.LiveCounter;
import dev.fifochan.spi.SinkCounters;

/**
 * Live counters of one {@link Sender}, read from any thread without taking the sender's lock (so a
 * progress display never stalls while a send blocks). Each value is recent, not a snapshot across
 * counters. Counts are since the sender was made.
 */
public final class SenderStats {
  final LiveCounter accepted = new LiveCounter();
  final LiveCounter payloadBytes = new LiveCounter();
  final LiveCounter flushes = new LiveCounter();
  final LiveCounter timeouts = new LiveCounter();
  final LiveCounter encodeFailures = new LiveCounter();
  final LiveCounter tooLong = new LiveCounter();
  final LiveCounter sessionsStarted = new LiveCounter();
  final LiveCounter sessionsEnded = new LiveCounter();
  final LiveCounter sessionsAborted = new LiveCounter();
  final LiveCounter sessionsTruncated = new LiveCounter();
  final LiveCounter heartbeats = new LiveCounter();
  private final SinkCounters sink;

  SenderStats(SinkCounters sink) {
    this.sink = sink;
  }

  /**
   * Messages accepted by {@code send} or {@code offer}: the sequence number of the last one accepted
   * ({@link Sender#send(Object)}).
   */
  public long messagesAccepted() {
    return accepted.get();
  }

  /**
   * Messages whose every byte is in the transport (not necessarily read yet), counted in the order
   * they were accepted: the message with sequence number {@code n} ({@link Sender#send(Object)}'s
   * result) is in the transport if and only if {@code messagesWritten() >= n}. Only grows; final once
   * the sender is closed, aborted or failed ({@link Sender#close()} or {@link Sender#abort} returned,
   * or {@link Sender#done()} completed): then {@code messagesWritten() < n} means message {@code n}
   * was never completely written and never will be. Written is not received: the reader may not have
   * read it.
   */
  public long messagesWritten() {
    return sink.messagesWritten();
  }

  /** Messages accepted and not yet completely written. */
  public long messagesPending() {
    return sink.messagesPending();
  }

  /** Bytes written to the transport, framing included. */
  public long bytesWritten() {
    return sink.bytesWritten();
  }

  /** Payload bytes of the accepted messages. */
  public long payloadBytesAccepted() {
    return payloadBytes.get();
  }

  /** Flushes that wrote buffered messages: explicit ones and the scheduler's idle flushes. */
  public long flushes() {
    return flushes.get();
  }

  /** How many times a write found the transport full and waited (back-pressure). */
  public long backPressureWaits() {
    return sink.backPressureWaits();
  }

  /** Nanoseconds spent waiting for room in the transport. */
  public long backPressureNanos() {
    return sink.backPressureNanos();
  }

  /** Sends, offers and flushes that ran out of time (or found the sender busy: offer). */
  public long timeouts() {
    return timeouts.get();
  }

  /** Messages the codec could not encode ({@link EncodeException}). */
  public long encodeFailures() {
    return encodeFailures.get();
  }

  /** Messages refused as too long ({@link MessageTooLongException}). */
  public long tooLongRefusals() {
    return tooLong.get();
  }

  /** Writer sessions started (1 for a byte-stream sender). */
  public long sessionsStarted() {
    return sessionsStarted.get();
  }

  /** Sessions ended cleanly (end of stream written). */
  public long sessionsEnded() {
    return sessionsEnded.get();
  }

  /** Sessions ended by {@link Sender#abort(String)}. */
  public long sessionsAborted() {
    return sessionsAborted.get();
  }

  /** Sessions that ended truncated: a close that timed out, a reader that vanished, a failed transport. */
  public long sessionsTruncated() {
    return sessionsTruncated.get();
  }

  /** Heartbeats written. */
  public long heartbeatsSent() {
    return heartbeats.get();
  }

  @Override
  public String toString() {
    return "SenderStats{accepted=" + messagesAccepted() + ", written=" + messagesWritten() + ", pending=" + messagesPending()
        + ", bytesWritten=" + bytesWritten() + ", flushes=" + flushes() + ", backPressureWaits=" + backPressureWaits()
        + ", timeouts=" + timeouts() + ", encodeFailures=" + encodeFailures() + ", tooLong=" + tooLongRefusals()
        + ", sessions=" + sessionsStarted() + "/" + sessionsEnded() + "/" + sessionsAborted() + "/" + sessionsTruncated()
        + ", heartbeats=" + heartbeatsSent() + "}";
  }
}
