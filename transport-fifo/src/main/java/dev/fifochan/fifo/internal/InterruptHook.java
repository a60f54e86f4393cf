package dev.fifochan.fifo.internal;

import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.Set;

/**
 * Wakes a {@link Gate} when the current thread is interrupted while it sits in a native call, so that a
 * thread blocked in {@code ppoll} wakes at once instead of polling in slices. It borrows the public
 * {@link AbstractSelector#begin()}/{@link AbstractSelector#end()} hook, which calls
 * {@link #wakeup()} on {@link Thread#interrupt()}; nothing else of the selector is used.
 */
final class InterruptHook extends AbstractSelector {
  private final Gate gate;

  InterruptHook(Gate gate) {
    super(null); // no provider: loading the platform's costs the first open milliseconds, and none is used
    this.gate = gate;
  }

  /** Arms the hook for the current thread; runs the action at once if it is already interrupted. */
  void arm() {
    begin();
  }

  /** Disarms the hook; pair every {@link #arm()} with one call in a finally block. */
  void disarm() {
    end();
  }

  @Override
  public Selector wakeup() {
    gate.wake();
    return this;
  }

  @Override
  protected void implCloseSelector() {}

  @Override
  protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Set<SelectionKey> keys() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Set<SelectionKey> selectedKeys() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int selectNow() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int select(long timeout) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int select() {
    throw new UnsupportedOperationException();
  }

}
