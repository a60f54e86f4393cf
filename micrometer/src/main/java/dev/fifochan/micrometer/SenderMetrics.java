package dev.fifochan.micrometer;

import dev.fifochan.Sender;
import dev.fifochan.SenderStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * Registers the counters of one {@link Sender} ({@link SenderStats}) with a {@link MeterRegistry}.
 *
 * <pre>{@code
 * Sender<Order> tx = Fifo.openSender(path, JsonCodec.of(Order.class), ChannelConfig.builder().name("orders").build());
 * SenderMetrics metrics = new SenderMetrics(tx);
 * metrics.bindTo(registry);
 * ...
 * tx.close();
 * metrics.close();   // removes the meters
 * }</pre>
 *
 * <p>Every meter carries the tags {@code channel} ({@link Sender#name()}: {@code ChannelConfig.name()},
 * or the transport's description such as the FIFO's path), {@code codec} ({@code json}, {@code protobuf},
 * ...), {@code direction=send}, and the extra tags given here. The values are read lock-free from the
 * sender's stats whenever the registry publishes; nothing is added to the send path.
 *
 * <table class="striped">
 * <caption>Meters</caption>
 * <thead><tr><th>name</th><th>type</th><th>extra tag</th><th>value</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fifochan.messages}</td><td>function counter</td><td></td><td>messages whose every byte is in the transport ({@link SenderStats#messagesWritten()})</td></tr>
 * <tr><td>{@code fifochan.messages.accepted}</td><td>function counter</td><td></td><td>messages accepted by {@code send}/{@code offer}</td></tr>
 * <tr><td>{@code fifochan.messages.pending}</td><td>gauge</td><td></td><td>accepted, not yet completely written</td></tr>
 * <tr><td>{@code fifochan.bytes}</td><td>function counter, bytes</td><td></td><td>bytes written to the transport, framing included</td></tr>
 * <tr><td>{@code fifochan.payload.bytes}</td><td>function counter, bytes</td><td></td><td>payload bytes of the accepted messages</td></tr>
 * <tr><td>{@code fifochan.flushes}</td><td>function counter</td><td></td><td>flushes that wrote buffered messages</td></tr>
 * <tr><td>{@code fifochan.backpressure}</td><td>function timer</td><td></td><td>count: writes that found the transport full and waited; total time: time spent waiting</td></tr>
 * <tr><td>{@code fifochan.timeouts}</td><td>function counter</td><td></td><td>sends, offers and flushes that ran out of time</td></tr>
 * <tr><td>{@code fifochan.errors}</td><td>function counter</td><td>{@code kind}: {@code encode}, {@code too_long}</td><td>messages refused (not sent)</td></tr>
 * <tr><td>{@code fifochan.sessions.started}</td><td>function counter</td><td></td><td>writer sessions started</td></tr>
 * <tr><td>{@code fifochan.sessions.ended}</td><td>function counter</td><td>{@code outcome}: {@code clean}, {@code aborted}, {@code truncated}</td><td>writer sessions ended</td></tr>
 * <tr><td>{@code fifochan.heartbeats}</td><td>function counter</td><td></td><td>heartbeats written</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Meters are identified by name and tags: give each sender bound to one registry its own
 * {@code channel} name ({@code ChannelConfig.builder().name(...)}) or an extra tag, or the second binding
 * finds the first sender's meters. The meters hold the stats weakly; {@link #close()} removes them.
 */
public final class SenderMetrics extends MeterSet {
  private final SenderStats stats;

  /** The sender's meters with the standard tags. */
  public SenderMetrics(Sender<?> sender) {
    this(sender, Tags.empty());
  }

  /** The sender's meters with the standard tags and {@code tags}. */
  public SenderMetrics(Sender<?> sender, Iterable<Tag> tags) {
    super(Tags.of("channel", Objects.requireNonNull(sender, "sender").name(), "codec", sender.codec().name(),
        "direction", "send").and(tags));
    this.stats = sender.stats();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "fifochan.messages", stats, SenderStats::messagesWritten, NONE,
        "Messages whose every byte is in the transport");
    counter(registry, "fifochan.messages.accepted", stats, SenderStats::messagesAccepted, NONE,
        "Messages accepted by send or offer");
    gauge(registry, "fifochan.messages.pending", stats, SenderStats::messagesPending,
        "Messages accepted and not yet completely written");
    counter(registry, "fifochan.bytes", stats, SenderStats::bytesWritten, BYTES,
        "Bytes written to the transport, framing included");
    counter(registry, "fifochan.payload.bytes", stats, SenderStats::payloadBytesAccepted, BYTES,
        "Payload bytes of the accepted messages");
    counter(registry, "fifochan.flushes", stats, SenderStats::flushes, NONE,
        "Flushes that wrote buffered messages");
    timer(registry, "fifochan.backpressure", stats, SenderStats::backPressureWaits, SenderStats::backPressureNanos,
        "Writes that found the transport full and waited for room, and the time spent waiting");
    counter(registry, "fifochan.timeouts", stats, SenderStats::timeouts, NONE,
        "Sends, offers and flushes that ran out of time");
    counter(registry, "fifochan.errors", stats, SenderStats::encodeFailures, NONE,
        "Messages the codec could not encode (not sent)", Tag.of("kind", "encode"));
    counter(registry, "fifochan.errors", stats, SenderStats::tooLongRefusals, NONE,
        "Messages refused as too long (not sent)", Tag.of("kind", "too_long"));
    counter(registry, "fifochan.sessions.started", stats, SenderStats::sessionsStarted, NONE,
        "Writer sessions started");
    counter(registry, "fifochan.sessions.ended", stats, SenderStats::sessionsEnded, NONE,
        "Writer sessions ended cleanly", Tag.of("outcome", "clean"));
    counter(registry, "fifochan.sessions.ended", stats, SenderStats::sessionsAborted, NONE,
        "Writer sessions ended by abort", Tag.of("outcome", "aborted"));
    counter(registry, "fifochan.sessions.ended", stats, SenderStats::sessionsTruncated, NONE,
        "Writer sessions that ended truncated", Tag.of("outcome", "truncated"));
    counter(registry, "fifochan.heartbeats", stats, SenderStats::heartbeatsSent, NONE, "Heartbeats written");
  }
}
