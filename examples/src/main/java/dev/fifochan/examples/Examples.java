package dev.fifochan.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** What the examples share: a private directory for their FIFOs, and a way to run the other end. */
final class Examples {
  private Examples() {}

  /** A new directory (0700) for an example's FIFOs. */
  static Path newDir(String name) throws IOException {
    String base = System.getProperty("fifochan.examples.buildDir");
    Path parent = base != null ? Path.of(base, "fifos") : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, name + "-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** Work that may throw, for {@link #background}. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on another thread: the other end of the example (in real life, another process). */
  static CompletableFuture<Void> background(Work work) {
    return CompletableFuture.runAsync(() -> {
      try {
        work.run();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
  }
}
