package dev.fifochan.rpc.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads, and the one timer thread all clients and responders share for deadlines. */
public final class Threads {
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private Threads() {}

  /** A factory of daemon threads named {@code prefix-N}. */
  public static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts a daemon thread. */
  public static Thread start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** A cached pool of daemon threads (the default handler executor). */
  public static ExecutorService cachedPool(String prefix) {
    return Executors.newCachedThreadPool(daemon(prefix));
  }

  /**
   * The shared deadline timer ({@code fifochan-rpc-timer}): tasks run on its one thread and must not
   * block; cancelled tasks are removed at once.
   */
  public static ScheduledThreadPoolExecutor timer() {
    if (TIMER != null) {
      return TIMER;
    }
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("fifochan-rpc-timer"));
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
}
