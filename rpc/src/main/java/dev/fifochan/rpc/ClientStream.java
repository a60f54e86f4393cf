package dev.fifochan.rpc;

import dev.fifochan.Deadline;
import dev.fifochan.ReceiveTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The client's side of a server-streaming call: a queue of items, then the end. */
final class ClientStream<R> implements RpcStream<R> {
  private static final Object DONE = new Object();

  private final RpcClient<?> client;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private final int limit;
  PendingCall call;
  /** The end once reached by the reader of this stream: DONE or an RpcException; sticky. */
  private Object end;
  private volatile boolean ended;

  ClientStream(RpcClient<?> client, int limit) {
    this.client = client;
    this.limit = limit;
  }

  /** Adds an item (reader thread); false if the buffer is full. */
  boolean offerItem(Object item) {
    if (buffered.incrementAndGet() > limit) {
      buffered.decrementAndGet();
      return false;
    }
    queue.add(item);
    return true;
  }

  /** Ends the stream (after the items already queued, unless {@code discard}). Called once. */
  void finish(Object endValue, boolean discard) {
    ended = true;
    if (discard) {
      queue.clear();
      buffered.set(0);
    }
    queue.add(endValue == null ? DONE : endValue);
  }

  static Object done() {
    return DONE;
  }

  @Override
  public R receive() throws IOException {
    return next(-1);
  }

  @Override
  public R receive(Duration timeout) throws IOException {
    return next(Deadline.after(timeout).remainingNanos()); // saturated, as every deadline: no overflow
  }

  @SuppressWarnings("unchecked")
  private synchronized R next(long nanos) throws IOException {
    if (end != null) {
      return endResult();
    }
    Object o;
    try {
      o = nanos < 0 ? queue.take() : queue.poll(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for an item");
    }
    if (o == null) {
      throw new ReceiveTimeoutException(Duration.ofNanos(nanos));
    }
    if (o == DONE || o instanceof RpcException) {
      end = o;
      return endResult();
    }
    buffered.decrementAndGet();
    return (R) o;
  }

  private R endResult() throws RpcException {
    if (end instanceof RpcException) {
      throw (RpcException) end;
    }
    return null;
  }

  @Override
  public void cancel() {
    client.cancelCall(call, "cancelled by the caller");
  }

  @Override
  public boolean isDone() {
    return ended;
  }

  @Override
  public long callId() {
    return call.id;
  }

  @Override
  public void close() {
    cancel();
  }

  @Override
  public Iterator<R> iterator() {
    return new Iterator<>() {
      private R next;
      private boolean finished;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        if (finished) {
          return false;
        }
        try {
          next = receive();
        } catch (IOException e) {
          finished = true;
          throw new UncheckedIOException(e);
        }
        finished = next == null;
        return next != null;
      }

      @Override
      public R next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream ended");
        }
        R r = next;
        next = null;
        return r;
      }
    };
  }

  @Override
  public String toString() {
    return "RpcStream[call " + call.id + ", " + call.operation + (ended ? ", ended" : "") + "]";
  }
}
