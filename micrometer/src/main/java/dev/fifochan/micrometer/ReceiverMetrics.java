package dev.fifochan.micrometer;

import dev.fifochan.Receiver;
import dev.fifochan.ReceiverStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * Registers the counters of one {@link Receiver} ({@link ReceiverStats}) with a {@link MeterRegistry}.
 *
 * <p>Every meter carries the tags {@code channel} ({@link Receiver#name()}), {@code codec},
 * {@code direction=receive}, and the extra tags given here. Names shared with {@link SenderMetrics} mean
 * the same on both sides, so a dashboard can put {@code fifochan.messages} of both directions side by side.
 *
 * <table class="striped">
 * <caption>Meters</caption>
 * <thead><tr><th>name</th><th>type</th><th>extra tag</th><th>value</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fifochan.messages}</td><td>function counter</td><td></td><td>messages delivered ({@link ReceiverStats#messagesReceived()})</td></tr>
 * <tr><td>{@code fifochan.frames}</td><td>function counter</td><td></td><td>message frames read, delivered or not</td></tr>
 * <tr><td>{@code fifochan.payload.bytes}</td><td>function counter, bytes</td><td></td><td>payload bytes of the delivered messages</td></tr>
 * <tr><td>{@code fifochan.timeouts}</td><td>function counter</td><td></td><td>timed receives that ran out of time</td></tr>
 * <tr><td>{@code fifochan.errors}</td><td>function counter</td><td>{@code kind}: {@code undecodable}, {@code unknown_type}, {@code malformed}, {@code stream}, {@code liveness}</td><td>per-message failures (the first three), stream failures of every kind, liveness timeouts</td></tr>
 * <tr><td>{@code fifochan.dead.letters}</td><td>function counter</td><td></td><td>failed frames handed to the dead-letter handler</td></tr>
 * <tr><td>{@code fifochan.sessions.started}</td><td>function counter</td><td></td><td>writer sessions that started (preambles read)</td></tr>
 * <tr><td>{@code fifochan.sessions.ended}</td><td>function counter</td><td>{@code outcome}: {@code clean}, {@code aborted}, {@code truncated}</td><td>writer sessions that ended</td></tr>
 * <tr><td>{@code fifochan.heartbeats}</td><td>function counter</td><td></td><td>heartbeats read</td></tr>
 * </tbody>
 * </table>
 *
 * <p>As with {@link SenderMetrics}, give each receiver bound to one registry its own channel name or an
 * extra tag; {@link #close()} removes the meters.
 */
public final class ReceiverMetrics extends MeterSet {
  private final ReceiverStats stats;

  /** The receiver's meters with the standard tags. */
  public ReceiverMetrics(Receiver<?> receiver) {
    this(receiver, Tags.empty());
  }

  /** The receiver's meters with the standard tags and {@code tags}. */
  public ReceiverMetrics(Receiver<?> receiver, Iterable<Tag> tags) {
    super(Tags.of("channel", Objects.requireNonNull(receiver, "receiver").name(), "codec", receiver.codec().name(),
        "direction", "receive").and(tags));
    this.stats = receiver.stats();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "fifochan.messages", stats, ReceiverStats::messagesReceived, NONE, "Messages delivered");
    counter(registry, "fifochan.frames", stats, ReceiverStats::framesReceived, NONE,
        "Message frames read, delivered or not");
    counter(registry, "fifochan.payload.bytes", stats, ReceiverStats::payloadBytesReceived, BYTES,
        "Payload bytes of the delivered messages");
    counter(registry, "fifochan.timeouts", stats, ReceiverStats::timeouts, NONE,
        "Timed receives that ran out of time");
    counter(registry, "fifochan.errors", stats, ReceiverStats::undecodable, NONE,
        "Frames whose payload the codec could not decode", Tag.of("kind", "undecodable"));
    counter(registry, "fifochan.errors", stats, ReceiverStats::unknownTypes, NONE,
        "Frames with a type tag the codec does not know", Tag.of("kind", "unknown_type"));
    counter(registry, "fifochan.errors", stats, ReceiverStats::malformedFrames, NONE,
        "Frames with a malformed tag or header block", Tag.of("kind", "malformed"));
    counter(registry, "fifochan.errors", stats, ReceiverStats::streamFailures, NONE,
        "Stream failures: truncated, corrupt, too long, incompatible", Tag.of("kind", "stream"));
    counter(registry, "fifochan.errors", stats, ReceiverStats::livenessTimeouts, NONE,
        "Liveness timeouts: a writer session went silent", Tag.of("kind", "liveness"));
    counter(registry, "fifochan.dead.letters", stats, ReceiverStats::deadLettered, NONE,
        "Failed frames handed to the dead-letter handler");
    counter(registry, "fifochan.sessions.started", stats, ReceiverStats::sessionsStarted, NONE,
        "Writer sessions that started");
    counter(registry, "fifochan.sessions.ended", stats, ReceiverStats::sessionsEnded, NONE,
        "Writer sessions that ended cleanly", Tag.of("outcome", "clean"));
    counter(registry, "fifochan.sessions.ended", stats, ReceiverStats::sessionsAborted, NONE,
        "Writer sessions that ended with an aborted end", Tag.of("outcome", "aborted"));
    counter(registry, "fifochan.sessions.ended", stats, ReceiverStats::sessionsTruncated, NONE,
        "Writer sessions found truncated", Tag.of("outcome", "truncated"));
    counter(registry, "fifochan.heartbeats", stats, ReceiverStats::heartbeatsReceived, NONE, "Heartbeats read");
  }
}
