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
      return (CliException) t;
    }
    String cause = describe(t);
    String message = subject == null || mentions(cause, subject) ? cause : subject + ": " + cause;
    return new CliException(exitCodeOf(t), message, t);
  }

  /** Whether {@code message} names {@code subject} as a word of its own (a path, not a part of one). */
  static boolean mentions(String message, String subject) {
    return java.util.regex.Pattern.compile("(^|[\\s'\"(])" + java.util.regex.Pattern.quote(subject) + "($|[\\s'\"):,])")
        .matcher(message).find();
  }

  /** The cause in words, without the exception's class name unless there is nothing else. */
  static String describe(Throwable t) {
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
    if (t instanceof RuntimeException && !(t instanceof IllegalArgumentException)) {
      return "internal error: " + t + " (run with --verbose for the stack trace)";
    }
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
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
