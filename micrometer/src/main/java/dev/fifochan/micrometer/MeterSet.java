package dev.fifochan.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * What the binders share: the common tags, the meters each registered (so that {@link #close()} can
 * remove them), and one way to register each kind of meter. The meters hold the counters' owner weakly
 * (Micrometer's default for function-based meters), so a binder never keeps a closed sender or client
 * alive; such a meter then reads NaN until it is removed.
 */
abstract class MeterSet implements MeterBinder, AutoCloseable {
  private final Tags tags;
  private final List<Registered> registered = new ArrayList<>();

  MeterSet(Tags tags) {
    this.tags = tags;
  }

  /** The tags every meter of this set carries. */
  public final Tags tags() {
    return tags;
  }

  /** The ids of the meters registered by {@link #bindTo}, over all the registries it was bound to. */
  public final synchronized List<Meter.Id> meterIds() {
    List<Meter.Id> ids = new ArrayList<>(registered.size());
    for (Registered r : registered) {
      ids.add(r.meter.getId());
    }
    return ids;
  }

  /**
   * Removes the meters this binder registered from every registry it was bound to (call it when the
   * sender, receiver, client or responder is closed, so that dashboards stop showing it). Idempotent.
   */
  @Override
  public final synchronized void close() {
    for (Registered r : registered) {
      r.registry.remove(r.meter);
    }
    registered.clear();
  }

  private synchronized void keep(MeterRegistry registry, Meter meter) {
    registered.add(new Registered(registry, meter));
  }

  final <S> void counter(MeterRegistry registry, String name, S source, ToDoubleFunction<S> value, String unit,
      String description, Tag... extra) {
    keep(registry, FunctionCounter.builder(name, source, value)
        .tags(tags.and(extra))
        .baseUnit(unit)
        .description(description)
        .register(registry));
  }

  final <S> void gauge(MeterRegistry registry, String name, S source, ToDoubleFunction<S> value, String description,
      Tag... extra) {
    keep(registry, Gauge.builder(name, source, value)
        .tags(tags.and(extra))
        .description(description)
        .register(registry));
  }

  final <S> void timer(MeterRegistry registry, String name, S source, ToLongFunction<S> count,
      ToDoubleFunction<S> totalNanos, String description, Tag... extra) {
    keep(registry, FunctionTimer.builder(name, source, count, totalNanos, TimeUnit.NANOSECONDS)
        .tags(tags.and(extra))
        .description(description)
        .register(registry));
  }

  /** A count without a unit (Micrometer then names it by its meaning alone, e.g. {@code fifochan_flushes_total}). */
  static final String NONE = null;
  static final String BYTES = BaseUnits.BYTES;

  private static final class Registered {
    final MeterRegistry registry;
    final Meter meter;

    Registered(MeterRegistry registry, Meter meter) {
      this.registry = registry;
      this.meter = meter;
    }
  }
}
