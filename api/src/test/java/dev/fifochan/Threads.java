package dev.fifochan;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Threads a test can watch: started by name, with a way to wait until one is inside a given method. */
final class Threads {
  private Threads() {}

  /** A running thread and what its task returned or threw. */
  static final class Task<T> {
    final Thread thread;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Task(String name, Callable<T> body) {
      thread = new Thread(() -> {
        try {
          result.complete(body.call());
        } catch (Throwable e) {
          result.completeExceptionally(e);
        }
      }, name);
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits (at most 20 s) until the thread's stack shows it inside a method named {@code method}. */
    Task<T> awaitInside(String method) throws InterruptedException {
      long end = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() - end < 0) {
        if (result.isDone()) {
          fail(thread.getName() + " ended before it was inside " + method + ": " + result);
        }
        if (Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method))) {
          return this;
        }
        Thread.sleep(5);
      }
      fail(thread.getName() + " never got inside " + method + ": " + Arrays.toString(thread.getStackTrace()));
      return this;
    }

    /** What the task threw (waiting at most 20 s), failing if it returned instead. */
    Throwable failure() throws InterruptedException {
      try {
        T value = result.get(20, java.util.concurrent.TimeUnit.SECONDS);
        fail(thread.getName() + " returned " + value + " instead of throwing");
        return null;
      } catch (java.util.concurrent.ExecutionException e) {
        return e.getCause();
      } catch (java.util.concurrent.TimeoutException e) {
        fail(thread.getName() + " still running: " + Arrays.toString(thread.getStackTrace()));
        return null;
      }
    }
  }

  static <T> Task<T> start(String name, Callable<T> body) {
    return new Task<>(name, body);
  }
}
