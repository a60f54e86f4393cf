package dev.fifochan.cli;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.DecodeException;
import dev.fifochan.EncodeException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.PeerClosedException;
import dev.fifochan.SendTimeoutException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.UnknownTypeException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Translates library and JDK exceptions into a {@link CliException}: an exit code and one line. */
public final class Failures {
  private Failures() {}

  /**
   * The exit code for {@code failure}, looking through {@link UncheckedIOException} wrappers.
   */
  public static ExitCode exitCodeOf(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof CliException) {
      return ((CliException) t).exitCode();
    }
    if (environmental(t) != null) {
      return ExitCode.CANNOT_RUN;
    }
    if (t instanceof OpenTimeoutException || t instanceof SendTimeoutException) {
      return ExitCode.TIMEOUT;
    }
    if (t instanceof TruncatedStreamException) {
      return ExitCode.TRUNCATED;
    }
    if (t instanceof IncompatibleStreamException) {
      return ExitCode.INCOMPATIBLE;
    }
    if (t instanceof DecodeException || t instanceof EncodeException) {
      return ExitCode.BAD_MESSAGE;
    }
    if (t instanceof CorruptFrameException || t instanceof FrameTooLongException || t instanceof StreamException) {
      return ExitCode.CORRUPT;
    }
    if (t instanceof PeerClosedException) {
      return ExitCode.PEER_GONE;
    }
    if (t instanceof ClosedByInterruptException) {
      return ExitCode.INTERRUPTED;
    }
    return ExitCode.ERROR;
  }

  /**
   * A {@link CliException} for {@code failure} that happened while working on {@code subject} (a
   * file name, or "stdin"); the subject is prefixed unless the message already names it.
   */
  public static CliException of(String subject, Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof CliException) {
      CliException c = (CliException) t;
      String line = oneLine(String.valueOf(c.getMessage()));
      return line.equals(c.getMessage()) ? c : new CliException(c.exitCode(), line, c.getCause());
    }
    String cause = describe(t);
    String message = subject == null || mentions(cause, subject) ? cause : subject + ": " + cause;
    return new CliException(exitCodeOf(t), oneLine(message), t);
  }

  /** {@code message} on one line: line breaks (some libraries' messages have them) become "; ". */
  static String oneLine(String message) {
    return message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
  }

  /** Whether {@code message} names {@code subject} as a word of its own (a path, not a part of one). */
  static boolean mentions(String message, String subject) {
    return java.util.regex.Pattern.compile("(^|[\\s'\"(])" + java.util.regex.Pattern.quote(subject) + "($|[\\s'\"):,])")
        .matcher(message).find();
  }

  /** The cause in words, without the exception's class name unless there is nothing else. */
  static String describe(Throwable t) {
    Throwable environmental = environmental(t);
    if (environmental != null) {
      return "cannot run here: " + describeEnvironmental(environmental);
    }
    if (t instanceof StreamException) {
      return describeStream((StreamException) t);
    }
    if (t instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (t instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (t instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (t instanceof FileSystemException && ((FileSystemException) t).getReason() != null) {
      return ((FileSystemException) t).getReason();
    }
    String message = t.getMessage();
    if (t instanceof Error || t instanceof RuntimeException && !(t instanceof IllegalArgumentException)) {
      return "internal error: " + t + " (run with --verbose for the stack trace)";
    }
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }

  /**
   * The failure in {@code t}'s cause chain that says this JVM cannot run the command here, or null:
   * a native library that cannot load (also when a library wrapped it, e.g. in an
   * {@code ExceptionInInitializerError} or an {@code IOException}), the JVM out of memory or stack, a
   * class that cannot load, or another error of the JVM. An {@link AssertionError} is a bug, not
   * the environment's fault.
   */
  static Throwable environmental(Throwable t) {
    Throwable first = null;
    int depth = 0;
    for (Throwable x = t; x != null && depth < 32; x = x.getCause(), depth++) {
      if (x instanceof VirtualMachineError) {
        return x; // the most telling: the resource that ran out
      }
      if (x instanceof UnsatisfiedLinkError) {
        Throwable inner = x;
        for (Throwable y = x.getCause(); y != null && y != inner && depth < 32; y = y.getCause(), depth++) {
          if (y instanceof UnsatisfiedLinkError) {
            inner = y; // the innermost says why the library did not load
          }
        }
        return inner;
      }
      if (first == null && x instanceof Error && !(x instanceof AssertionError)) {
        first = x;
      }
      if (x.getCause() == x) {
        break;
      }
    }
    return first;
  }

  /** One line for an {@link #environmental} failure, with what the user can do about it. */
  static String describeEnvironmental(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
      return "out of memory (" + e.getMessage() + "); give the JVM more through FIFOCHAN_JAVA_OPTS, e.g. -Xmx"
          + Math.max(64, 2 * maxMiB) + "m (now " + maxMiB + " MiB of heap)";
    }
    if (e instanceof StackOverflowError) {
      return "stack overflow; give threads more stack through FIFOCHAN_JAVA_OPTS, e.g. -Xss8m";
    }
    if (e instanceof UnsatisfiedLinkError) {
      // jnr-ffi wraps jffi's reason as "... original error message follows: java.lang.UnsatisfiedLinkError: why"
      String why = String.valueOf(e.getMessage());
      int i = why.indexOf("original error message follows: ");
      if (i >= 0) {
        why = why.substring(i + "original error message follows: ".length());
      }
      why = why.replace("java.lang.UnsatisfiedLinkError: ", "");
      return "cannot load a native library: " + why + " (the native stub is extracted into java.io.tmpdir;"
          + " if it is mounted noexec, put -Djffi.extract.dir=DIR with an executable DIR into FIFOCHAN_JAVA_OPTS)";
    }
    if (e instanceof ExceptionInInitializerError && e.getCause() != null) {
      return "a class failed to initialize: " + e.getCause();
    }
    if (e instanceof LinkageError) {
      return "cannot load a class (" + e + "); the installation may be broken or mix versions";
    }
    return "the JVM failed: " + e;
  }

  /** "corrupt frame at offset 12: reserved flag bits set in 04". */
  static String describeStream(StreamException e) {
    String kind;
    if (e instanceof ChecksumMismatchException) {
      kind = "checksum mismatch";
    } else if (e instanceof FrameTooLongException) {
      kind = "frame too long";
    } else if (e instanceof TruncatedStreamException) {
      kind = "truncated stream";
    } else if (e instanceof IncompatibleStreamException) {
      kind = "incompatible stream";
    } else if (e instanceof UnknownTypeException) {
      return "unknown type tag '" + ((UnknownTypeException) e).tag() + "' in the frame at offset " + e.offset();
    } else if (e instanceof DecodeException) {
      String tag = ((DecodeException) e).tag();
      kind = "undecodable message" + (tag.isEmpty() ? "" : " (type '" + tag + "')");
    } else {
      kind = "corrupt frame";
    }
    return kind + " at offset " + e.offset() + ": " + stripOffset(e.getMessage());
  }

  private static String stripOffset(String message) {
    int i = message == null ? -1 : message.lastIndexOf(" (at stream offset ");
    return i < 0 ? String.valueOf(message) : message.substring(0, i);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable x = t;
    while (x instanceof UncheckedIOException && x.getCause() != null) {
      x = x.getCause();
    }
    return x;
  }
}
