package dev.fifochan.fifo;

import java.util.ArrayList;
import java.util.List;

/**
 * One daemon thread ({@code fifochan-fifo-watch}) that checks the path of every open
 * {@link FollowOpener} every 250 ms, so that a FIFO removed or created anew is noticed between
 * writer sessions also while the application is not asking for the next one (a writer of a new
 * FIFO would otherwise find no reader). It runs only while some opener is registered.
 */
final class FollowWatch implements Runnable {
  private static final Object LOCK = new Object();
  private static final List<FollowOpener> WATCHED = new ArrayList<>();
  private static Thread thread;

  private FollowWatch() {}

  static void add(FollowOpener opener) {
    synchronized (LOCK) {
      WATCHED.add(opener);
      if (thread == null) {
        thread = new Thread(new FollowWatch(), "fifochan-fifo-watch");
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  static void remove(FollowOpener opener) {
    synchronized (LOCK) {
      WATCHED.remove(opener);
    }
  }

  @Override
  public void run() {
    while (true) {
      FollowOpener[] snapshot;
      synchronized (LOCK) {
        if (WATCHED.isEmpty()) {
          thread = null;
          return;
        }
        snapshot = WATCHED.toArray(new FollowOpener[0]);
      }
      for (FollowOpener f : snapshot) {
        f.watch();
      }
      try {
        Thread.sleep(FifoEnd.RECHECK_NANOS / 1_000_000);
      } catch (InterruptedException e) {
        // nobody interrupts this thread; go on
      }
    }
  }
}
