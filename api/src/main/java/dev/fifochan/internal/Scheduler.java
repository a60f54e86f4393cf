package dev.fifochan.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduler thread ({@code fifochan-scheduler}, a daemon) that runs every sender's idle
 * flushes and heartbeats, instead of a thread per sender. Its tasks must never wait for a sender's
 * lock (they {@code tryLock} and come back later) and never block on a transport (they write only what
 * the transport takes at once, and retry later).
 */
public final class Scheduler {
  private static final ScheduledThreadPoolExecutor EXECUTOR = create();

  private Scheduler() {}

  private static ScheduledThreadPoolExecutor create() {
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "fifochan-scheduler");
      t.setDaemon(true);
      return t;
    };
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, factory);
    e.setRemoveOnCancelPolicy(true);
    e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return e;
  }

  /** Runs {@code task} once after {@code delayNanos}. */
  public static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return EXECUTOR.schedule(guarded(task), delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * {@code task} made ready to be scheduled again and again without a wrapper per
   * {@link #schedule}: for a task that reschedules itself often (a sender's idle flush).
   */
  public static Runnable reusable(Runnable task) {
    return guarded(task);
  }

  /** Runs {@code task} every {@code periodNanos}, first after one period, until cancelled. */
  public static ScheduledFuture<?> every(Runnable task, long periodNanos) {
    return EXECUTOR.scheduleWithFixedDelay(guarded(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** Whether the calling thread is the scheduler's. */
  public static boolean isSchedulerThread() {
    return "fifochan-scheduler".equals(Thread.currentThread().getName());
  }

  /** A task whose failure never kills the thread or cancels a periodic schedule silently. */
  private static Runnable guarded(Runnable task) {
    return task instanceof Guarded ? task : new Guarded(task);
  }

  private static final class Guarded implements Runnable {
    private final Runnable task;

    Guarded(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      try {
        task.run();
      } catch (RuntimeException e) {
        System.getLogger("dev.fifochan").log(System.Logger.Level.WARNING, "fifochan scheduler task failed", e);
      }
    }
  }
}
