package dev.fifochan.fifo.internal;

import dev.fifochan.fifo.NativeUnavailableException;
import dev.fifochan.fifo.NativeUnavailableException.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Loads jffi's native stub and binds {@link LibC}, once per JVM, so that failing to do so is a
 * typed, repeatable {@link NativeUnavailableException} instead of an {@link Error}.
 *
 * <p>Where the stub goes. jffi (1.4) loads its stub from {@code jffi.boot.library.path} or
 * {@code java.library.path} if it finds it there; otherwise it extracts it from its jar into
 * {@code jffi.extract.dir}, or, when that is unset, into {@code java.io.tmpdir} and, if that fails,
 * into the <em>working directory</em>. This class never lets it reach the last step:
 * <ul>
 *   <li>if the user set {@code jffi.extract.dir}, that directory is used (created if missing), as
 *       jffi would;
 *   <li>otherwise a private directory (mode 0700, random name {@code fifochan-jffi-*}) is created
 *       under {@code java.io.tmpdir} and named to jffi for the load alone (the property is restored
 *       afterwards); jffi deletes the stub right after loading it, and this class deletes the
 *       directory.
 * </ul>
 * Before anything is written, {@code /proc/self/mountinfo} is checked: a directory on a
 * {@code noexec} mount fails at once ({@link Reason#NOEXEC_DIRECTORY}) instead of after a write and
 * a failed {@code dlopen}.
 *
 * <p>Every public entry point of the transport that needs native calls calls {@link #require()}
 * first; {@link LibC} is touched only after it returned.
 */
public final class NativeLoader {
  static final String EXTRACT_DIR = "jffi.extract.dir";
  static final String EXTRACT_NAME = "jffi.extract.name";
  /** The stub's file name in the private directory. */
  static final String STUB_NAME = "libjffi-fifochan.so";

  private NativeLoader() {}

  /** The outcome, computed once, when first asked for. */
  private static final class Outcome {
    static final Failure FAILURE = load();
  }

  /** What went wrong, kept to make a fresh exception (with the caller's stack) on every call. */
  private static final class Failure {
    final Reason reason;
    final Path directory;
    final Throwable cause;
    final String platform;

    Failure(Reason reason, Path directory, Throwable cause) {
      this.reason = reason;
      this.directory = directory;
      this.cause = cause;
      this.platform = platform();
    }
  }

  /**
   * Returns if the native calls are available; otherwise throws, on the first and every later
   * call, a new {@link NativeUnavailableException} with the same reason and cause.
   */
  public static void require() throws NativeUnavailableException {
    Failure f = Outcome.FAILURE;
    if (f != null) {
      throw new NativeUnavailableException(f.reason, f.platform, f.directory, f.cause);
    }
  }

  /** Whether {@link #require()} would return. */
  public static boolean isAvailable() {
    return Outcome.FAILURE == null;
  }

  private static Failure load() {
    try {
      String os = System.getProperty("os.name", "");
      if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !Linux.KNOWN_ARCH) {
        return new Failure(Reason.UNSUPPORTED_PLATFORM, null, null);
      }
      String explicit = System.getProperty(EXTRACT_DIR);
      if (explicit != null && !explicit.isBlank()) {
        Path dir = Path.of(explicit);
        try {
          Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
          return new Failure(Reason.DIRECTORY_NOT_WRITABLE, dir, e);
        }
        if (MountTable.isNoexec(dir)) {
          return new Failure(Reason.NOEXEC_DIRECTORY, dir, null);
        }
        return bind(dir);
      }
      Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
      if (MountTable.isNoexec(tmp)) {
        return new Failure(Reason.NOEXEC_DIRECTORY, tmp, null);
      }
      Path dir;
      try {
        dir = privateDirectory(tmp);
      } catch (IOException | RuntimeException e) {
        return new Failure(Reason.DIRECTORY_NOT_WRITABLE, tmp, e);
      }
      // A fixed name in a fresh private directory: jffi then writes it directly instead of through
      // File.createTempFile, whose SecureRandom costs the first open tens of milliseconds.
      String name = System.getProperty(EXTRACT_NAME);
      System.setProperty(EXTRACT_DIR, dir.toString());
      System.setProperty(EXTRACT_NAME, STUB_NAME);
      try {
        return bind(dir);
      } finally {
        System.clearProperty(EXTRACT_DIR);
        if (name == null) {
          System.clearProperty(EXTRACT_NAME);
        } else {
          System.setProperty(EXTRACT_NAME, name);
        }
        deleteQuietly(dir);
      }
    } catch (Throwable t) { // nothing may escape a class initializer: it would become NoClassDefFoundError later
      return new Failure(Reason.LOAD_FAILED, null, t);
    }
  }

  /** Loads the stub (jffi's class initializers) and binds the C functions ({@link LibC}'s). */
  private static Failure bind(Path dir) {
    try {
      Class.forName(LibC.class.getName(), true, NativeLoader.class.getClassLoader());
      return null;
    } catch (ExceptionInInitializerError e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof LibC.MissingFunction) {
        return new Failure(Reason.MISSING_FUNCTION, null, cause);
      }
      return new Failure(Reason.LOAD_FAILED, dir, cause);
    } catch (Throwable t) {
      return new Failure(Reason.LOAD_FAILED, dir, t);
    }
  }

  /**
   * Creates {@code fifochan-jffi-N} (mode 0700) under {@code tmp}: {@code mkdir} fails if the
   * name exists, so the directory is this process's own; another name is tried then.
   */
  private static Path privateDirectory(Path tmp) throws IOException {
    long n = System.nanoTime() ^ ((long) System.identityHashCode(tmp) << 32); // not ProcessHandle: slow to set up
    for (int attempt = 0; ; attempt++) {
      Path dir = tmp.resolve("fifochan-jffi-" + Long.toHexString(n + attempt));
      try {
        return Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }

  /** Deletes the stub (jffi keeps a file it was given a name for) and the private directory. */
  private static void deleteQuietly(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(STUB_NAME));
      Files.deleteIfExists(dir);
    } catch (IOException | RuntimeException e) {
      // best effort: a directory that is not empty was not ours to empty
    }
  }

  /** "Linux amd64 glibc", from system properties and the C library mapped into this process. */
  static String platform() {
    return System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", "?") + " " + libcFlavour();
  }

  private static String libcFlavour() {
    try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.endsWith("/libc.so.6")) {
          return "glibc";
        }
        if (line.contains("/ld-musl-")) {
          return "musl";
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no procfs
    }
    return "(C library unknown)";
  }
}
