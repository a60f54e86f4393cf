package dev.fifochan.cli;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.DecodeException;
import dev.fifochan.FifochanTimeoutException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.MessageException;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.PeerClosedException;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.fifo.FifoBusyException;
import dev.fifochan.fifo.NativeUnavailableException;
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
    if (t instanceof NativeUnavailableException || environmental(t) != null) {
      return ExitCode.CANNOT_RUN;
    }
    if (t instanceof FifochanTimeoutException) {
      return ExitCode.TIMEOUT; // open, send, receive, close and liveness timeouts
    }
    if (t instanceof StreamAbortedException) {
      return ExitCode.ABORTED;
    }
    if (t instanceof TruncatedStreamException) {
      return ExitCode.TRUNCATED;
    }
    if (t instanceof IncompatibleStreamException) {
      return ExitCode.INCOMPATIBLE;
    }
    if (t instanceof MessageException) {
      return ExitCode.BAD_MESSAGE; // per message: undecodable, unknown type, malformed, not encodable, too long
    }
    if (t instanceof StreamException) {
      return ExitCode.CORRUPT; // corrupt frame, checksum mismatch, frame too long
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
    // "cannot run here" is about this JVM, not about the file: no subject before it.
    boolean cannotRun = exitCodeOf(t) == ExitCode.CANNOT_RUN;
    String message = subject == null || cannotRun || mentions(cause, subject) ? cause : subject + ": " + cause;
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
    if (t instanceof NativeUnavailableException) {
      return "cannot run here: " + t.getMessage();
    }
    if (t instanceof StreamException) {
      return describeStream((StreamException) t);
    }
    if (t instanceof MessageException) {
      return describeMessage((MessageException) t);
    }
    if (t instanceof FifoBusyException) {
      FifoBusyException b = (FifoBusyException) t;
      return "another reader has the FIFO" + (b.holderPid().isPresent() ? " (pid " + b.holderPid().getAsLong() + ")" : "")
          + "; a second reader would take part of the stream: put 'fifochan tee' in front of the reader to watch it";
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

  /** "corrupt frame at offset 12: reserved flag bits set in 04", from the exception's fields. */
  static String describeStream(StreamException e) {
    String detail;
    if (e instanceof ChecksumMismatchException) {
      ChecksumMismatchException c = (ChecksumMismatchException) e;
      return "checksum mismatch at offset " + e.position() + ": the record says " + hex(c.expected()) + ", its bytes give "
          + hex(c.actual()) + " (a torn or spliced frame, e.g. from several writers without --fan-in)";
    } else if (e instanceof CorruptFrameException) {
      CorruptFrameException c = (CorruptFrameException) e;
      long v = c.value();
      switch (c.reason()) {
        case NO_WRITER:
          detail = String.format("no preamble before it (first bytes %08x): not a fifochan stream", v);
          break;
        case AFTER_END:
          detail = String.format("a record after every writer session had ended (first bytes %08x)", v);
          break;
        case TOP_BIT_LENGTH:
          detail = String.format("frame length %08x has its top bit set", v);
          break;
        case RESERVED_FLAGS:
          detail = String.format("reserved flag bits set in %02x", v);
          break;
        case BAD_COMBINATION:
          detail = String.format("flags %02x are no record kind", v);
          break;
        case BAD_RECORD_LENGTH:
          detail = "a record of length " + v + " or with a tag, which its kind forbids";
          break;
        case CODEC_NAME_LENGTH:
          detail = "preamble codec-name length " + v + " is not 1..64";
          break;
        case CODEC_NAME_BYTES:
          detail = String.format("preamble codec name has byte %02x, outside printable ASCII", v);
          break;
        case HEADERS_TOO_LONG:
          detail = "header block of " + v + " bytes exceeds 8192";
          break;
        case VARINT_LENGTH:
          detail = "a length prefix of " + v + " bytes is no valid varint";
          break;
        default:
          detail = c.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      }
      return "corrupt frame at offset " + e.position() + ": " + detail;
    } else if (e instanceof FrameTooLongException) {
      FrameTooLongException f = (FrameTooLongException) e;
      return "frame too long at offset " + e.position() + ": " + f.length() + " payload bytes, more than the "
          + f.limit() + " of --max-frame-length";
    } else if (e instanceof TruncatedStreamException) {
      TruncatedStreamException t = (TruncatedStreamException) e;
      switch (t.reason()) {
        case IN_RECORD:
          detail = "the input ended inside a record (the writer died or was cut off while writing it)";
          break;
        case NO_END_OF_STREAM:
          detail = "the input ended while " + t.openWriters() + " writer session" + (t.openWriters() == 1 ? " had" : "s had")
              + " not ended (a writer died or closed without its end of stream)";
          break;
        default:
          detail = "the input ended before any preamble (the writer vanished before it wrote anything)";
      }
      return "truncated stream at offset " + e.position() + ": " + detail;
    } else if (e instanceof IncompatibleStreamException) {
      IncompatibleStreamException i = (IncompatibleStreamException) e;
      return "incompatible stream at offset " + e.position() + ": " + (i.reason() == IncompatibleStreamException.Reason.CODEC
          ? "the writer's codec is '" + i.writerValue() + "', this reader's is '" + i.readerValue() + "' (choose it with --codec)"
          : "the writer speaks wire format version " + i.writerValue() + ", this reader " + i.readerValue());
    } else if (e instanceof StreamAbortedException) {
      return "the writer aborted its stream at offset " + e.position() + ": " + ((StreamAbortedException) e).reason();
    }
    return "broken stream at offset " + e.position() + " (" + e.getClass().getSimpleName() + ")";
  }

  /** A per-message failure in words, from its fields. */
  static String describeMessage(MessageException e) {
    if (e instanceof UnknownTypeException) {
      return "unknown type tag '" + ((UnknownTypeException) e).tag() + "' in the frame at offset " + e.position();
    }
    if (e instanceof MalformedFrameException) {
      MalformedFrameException m = (MalformedFrameException) e;
      return (m.reason() == MalformedFrameException.Reason.BAD_TAG ? "a type tag that is not UTF-8" : "a malformed header block")
          + " in the frame at offset " + e.position();
    }
    if (e instanceof DecodeException) {
      DecodeException d = (DecodeException) e;
      Throwable cause = d.getCause();
      return "undecodable message" + (d.tag().isEmpty() ? "" : " (type '" + d.tag() + "')") + " at offset " + e.position()
          + (cause instanceof java.nio.charset.CharacterCodingException ? ": not valid UTF-8" // not "Input length = 1"
              : cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
    if (e instanceof MessageTooLongException) {
      MessageTooLongException m = (MessageTooLongException) e;
      switch (m.which()) {
        case ATOMIC_WRITE:
          return "a message of " + m.length() + " bytes on the wire does not fit in one atomic write of " + m.limit()
              + " bytes (PIPE_BUF), which --fan-in needs so that writers cannot interleave; send it without --fan-in"
              + " (one writer per FIFO) or make it smaller";
        case FRAME:
          return "a message of " + m.length() + " bytes is longer than --max-frame-length " + m.limit() + "; not sent";
        default:
          return e.getMessage();
      }
    }
    return e.getMessage();
  }

  private static String hex(int v) {
    return String.format("%08x", v);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable x = t;
    while (x instanceof UncheckedIOException && x.getCause() != null) {
      x = x.getCause();
    }
    return x;
  }
}
