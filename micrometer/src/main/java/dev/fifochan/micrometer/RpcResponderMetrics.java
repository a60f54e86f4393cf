package dev.fifochan.micrometer;

import dev.fifochan.rpc.RpcMetrics;
import dev.fifochan.rpc.RpcResponder;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * Registers the counters of one {@link RpcResponder} ({@link RpcMetrics}) with a {@code MeterRegistry}.
 * Needs {@code fifochan-rpc} (an optional dependency of this module).
 *
 * <p>Every meter carries the tags {@code service}, {@code role=responder}, and the extra tags given here.
 * The names are those of {@link RpcClientMetrics}, read from the responder's side:
 * {@code fifochan.rpc.calls.started} counts calls received, {@code fifochan.rpc.calls} the answers decided
 * by status, {@code fifochan.rpc.frames.late} cancels for calls no longer in flight, and
 * {@code fifochan.rpc.cancels} has {@code direction=receive}. It adds {@code fifochan.rpc.calls.expired}
 * (calls whose deadline had passed on arrival: not run) and has no {@code fifochan.rpc.reconnects}.
 */
public final class RpcResponderMetrics extends RpcMeterSet {

  /** The responder's meters with the standard tags. */
  public RpcResponderMetrics(RpcResponder<?> responder) {
    this(responder, Tags.empty());
  }

  /** The responder's meters with the standard tags and {@code tags}. */
  public RpcResponderMetrics(RpcResponder<?> responder, Iterable<Tag> tags) {
    super(Objects.requireNonNull(responder, "responder").metrics(), responder.config().service(), false, tags);
  }
}
