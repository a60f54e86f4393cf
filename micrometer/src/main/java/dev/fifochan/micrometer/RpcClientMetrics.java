package dev.fifochan.micrometer;

import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcMetrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * Registers the counters of one {@link RpcClient} ({@link RpcMetrics}) with a {@code MeterRegistry}.
 * Needs {@code fifochan-rpc} (an optional dependency of this module).
 *
 * <p>Every meter carries the tags {@code service} (the client's {@code RpcConfig.service()}),
 * {@code role=client}, and the extra tags given here.
 *
 * <table class="striped">
 * <caption>Meters (client)</caption>
 * <thead><tr><th>name</th><th>type</th><th>extra tag</th><th>value</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fifochan.rpc.calls.started}</td><td>function counter</td><td></td><td>calls started ({@code call}, {@code callStream})</td></tr>
 * <tr><td>{@code fifochan.rpc.calls}</td><td>function counter</td><td>{@code status}: {@code OK} and each error status of {@code RpcStatus}</td><td>calls ended, by how</td></tr>
 * <tr><td>{@code fifochan.rpc.calls.in.flight}</td><td>gauge</td><td></td><td>calls started and not yet ended</td></tr>
 * <tr><td>{@code fifochan.rpc.frames.late}</td><td>function counter</td><td></td><td>answers dropped because their call no longer waited (late responses)</td></tr>
 * <tr><td>{@code fifochan.rpc.frames.ignored}</td><td>function counter</td><td></td><td>frames that are not part of the protocol here</td></tr>
 * <tr><td>{@code fifochan.rpc.cancels}</td><td>function counter</td><td>{@code direction=send}</td><td>{@code cancel} frames sent</td></tr>
 * <tr><td>{@code fifochan.rpc.notifications}</td><td>function counter</td><td>{@code direction}: {@code send}, {@code receive}</td><td>notifications sent, and received and handled</td></tr>
 * <tr><td>{@code fifochan.rpc.notifications.dropped}</td><td>function counter</td><td></td><td>notifications without a handler or undecodable</td></tr>
 * <tr><td>{@code fifochan.rpc.connections}</td><td>function counter</td><td></td><td>connections whose handshake succeeded</td></tr>
 * <tr><td>{@code fifochan.rpc.reconnects}</td><td>function counter</td><td></td><td>connections after the first</td></tr>
 * <tr><td>{@code fifochan.rpc.connection.failures}</td><td>function counter</td><td></td><td>connections that failed or were lost</td></tr>
 * </tbody>
 * </table>
 */
public final class RpcClientMetrics extends RpcMeterSet {

  /** The client's meters with the standard tags. */
  public RpcClientMetrics(RpcClient<?> client) {
    this(client, Tags.empty());
  }

  /** The client's meters with the standard tags and {@code tags}. */
  public RpcClientMetrics(RpcClient<?> client, Iterable<Tag> tags) {
    super(Objects.requireNonNull(client, "client").metrics(), client.config().service(), true, tags);
  }
}
