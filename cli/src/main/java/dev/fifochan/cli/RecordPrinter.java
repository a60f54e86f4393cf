package dev.fifochan.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.WireFormat;
import dev.fifochan.WireRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** How {@code inspect} prints records: an aligned table for people, or JSON lines for programs. */
abstract class RecordPrinter {
  final PrintStream out;
  long frames;
  long payloadBytes;
  long writers;

  RecordPrinter(PrintStream out) {
    this.out = out;
  }

  void header() {}

  /** Prints one preamble, frame or end-of-stream frame. */
  final void record(WireRecord r) {
    if (r.kind() == WireRecord.Kind.PREAMBLE) {
      writers++;
    } else if (r.kind() == WireRecord.Kind.FRAME) {
      frames++;
      payloadBytes += r.length();
    }
    print(r);
  }

  abstract void print(WireRecord r);

  /** The clean end of the stream at {@code offset}. */
  abstract void end(long offset);

  /** The failure that ended the dump (also reported on stderr by the command). */
  abstract void failure(StreamException e, ExitCode code);

  /** The vectors' name for an error: truncated, corrupt, checksum, too_long, incompatible, decode. */
  static String errorName(StreamException e) {
    if (e instanceof TruncatedStreamException) {
      return "truncated";
    }
    if (e instanceof ChecksumMismatchException) {
      return "checksum";
    }
    if (e instanceof FrameTooLongException) {
      return "too_long";
    }
    if (e instanceof IncompatibleStreamException) {
      return "incompatible";
    }
    return e.isRecoverable() ? "decode" : "corrupt";
  }

  /** An aligned table with a payload preview: text in quotes, anything else as hex. */
  static final class Table extends RecordPrinter {
    private static final String FORMAT = "%10s  %-8s  %-7s  %8s  %-24s  %s%n";
    private final int preview;

    Table(PrintStream out, int preview) {
      super(out);
      this.preview = preview;
    }

    @Override
    void header() {
      out.printf(FORMAT, "OFFSET", "RECORD", "FLAGS", "LENGTH", "TAG", "PAYLOAD");
    }

    @Override
    void print(WireRecord r) {
      switch (r.kind()) {
        case PREAMBLE:
          out.printf(FORMAT, r.offset(), "preamble", "", "", "", "codec=" + r.codecName() + " version=" + WireFormat.VERSION);
          break;
        case END_OF_STREAM:
          out.printf(FORMAT, r.offset(), "end", flags(r.flags()), 0, "", "");
          break;
        default:
          out.printf(FORMAT, r.offset(), "frame", flags(r.flags()), r.length(),
              r.tag().isEmpty() ? "-" : quoted(r.tag(), 24), preview(r.payload()));
      }
    }

    @Override
    void end(long offset) {
      out.printf("%10d  clean end of stream: %d writer session%s, %d frame%s, %d payload bytes%n", offset,
          writers, writers == 1 ? "" : "s", frames, frames == 1 ? "" : "s", payloadBytes);
    }

    @Override
    void failure(StreamException e, ExitCode code) {
      out.printf("%10d  %s%n", e.offset(), Failures.describeStream(e));
    }

    private static String flags(int flags) {
      if (flags == 0) {
        return "-";
      }
      StringBuilder s = new StringBuilder();
      if ((flags & WireFormat.FLAG_END_OF_STREAM) != 0) {
        s.append("EOS");
      }
      if ((flags & WireFormat.FLAG_CHECKSUM) != 0) {
        s.append(s.length() > 0 ? "|" : "").append("CRC");
      }
      return s.toString();
    }

    private String preview(ByteBuffer payload) {
      ByteBuffer p = payload.duplicate();
      if (!p.hasRemaining()) {
        return "(empty)";
      }
      try {
        String text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(p.duplicate()).toString();
        if (text.chars().noneMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')) {
          return quoted(text, preview);
        }
      } catch (CharacterCodingException e) {
        // binary: hex below
      }
      int n = Math.min(p.remaining(), Math.max(1, preview / 2));
      byte[] head = new byte[n];
      p.get(head);
      return "0x" + HexFormat.of().formatHex(head) + (p.hasRemaining() ? "…" : "");
    }

    private static String quoted(String text, int max) {
      String shown = text.length() > max ? text.substring(0, max) : text;
      String escaped = shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
          .replace("\r", "\\r").replace("\t", "\\t");
      return "\"" + escaped + "\"" + (shown.length() < text.length() ? "…" : "");
    }
  }

  /** One JSON object per record with the test vectors' field names, then an outcome object. */
  static final class Json extends RecordPrinter {
    private static final JsonFactory FACTORY = new JsonFactory();

    Json(PrintStream out) {
      super(out);
    }

    @Override
    void print(WireRecord r) {
      write(g -> {
        switch (r.kind()) {
          case PREAMBLE:
            g.writeStringField("kind", "preamble");
            g.writeNumberField("offset", r.offset());
            g.writeStringField("codec", r.codecName());
            break;
          case END_OF_STREAM:
            g.writeStringField("kind", "end");
            g.writeNumberField("offset", r.offset());
            g.writeNumberField("flags", r.flags());
            break;
          default:
            g.writeStringField("kind", "frame");
            g.writeNumberField("offset", r.offset());
            g.writeNumberField("flags", r.flags());
            g.writeStringField("tag", r.tag());
            g.writeNumberField("length", r.length());
            ByteBuffer p = r.payload().duplicate();
            byte[] bytes = new byte[p.remaining()];
            p.get(bytes);
            g.writeStringField("payload_hex", HexFormat.of().formatHex(bytes));
        }
      });
    }

    @Override
    void end(long offset) {
      write(g -> {
        g.writeStringField("outcome", "clean");
        g.writeNumberField("offset", offset);
      });
    }

    @Override
    void failure(StreamException e, ExitCode code) {
      write(g -> {
        g.writeStringField("outcome", "error");
        g.writeStringField("error", errorName(e));
        g.writeNumberField("offset", e.offset());
        g.writeStringField("message", Failures.describeStream(e));
        g.writeNumberField("exit_code", code.code());
      });
    }

    private interface Fields {
      void write(JsonGenerator g) throws IOException;
    }

    private void write(Fields fields) {
      try {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.writeStartObject();
        fields.write(g);
        g.writeEndObject();
        g.flush();
        out.println();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
