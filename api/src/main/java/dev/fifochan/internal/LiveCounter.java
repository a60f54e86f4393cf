package dev.fifochan.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter that any thread reads without a lock. Two ways to write it, never mixed on one counter:
 * {@link #addOwned} by the one thread that owns it at the time (the holder of an end's lock; a release
 * store, no atomic instruction: cheap enough for the per-message path), or {@link #add} by any thread
 * (an atomic add).
 */
public final class LiveCounter {
  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(LiveCounter.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through VALUE
  private long value;

  /** Adds {@code n}; only the owning thread may call this. */
  public void addOwned(long n) {
    VALUE.setRelease(this, (long) VALUE.get(this) + n);
  }

  /** Sets the value; only the owning thread may call this. */
  public void setOwned(long v) {
    VALUE.setRelease(this, v);
  }

  /** Adds {@code n} atomically; any thread. */
  public void add(long n) {
    VALUE.getAndAdd(this, n);
  }

  /** The current value (any thread). */
  public long get() {
    return (long) VALUE.getAcquire(this);
  }

  @Override
  public String toString() {
    return Long.toString(get());
  }
}
