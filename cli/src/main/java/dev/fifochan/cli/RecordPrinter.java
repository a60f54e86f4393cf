package dev.fifochan.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fifochan.Headers;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.MessageException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.spi.InspectedRecord;
import dev.fifochan.spi.StreamOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * How {@code inspect} prints records: an aligned table for people, or JSON lines for programs (the
 * test vectors' records, then the outcome: docs/wire-format.md, decision 13).
 *
 * @param <T> the message type of the reader's codec, whose values are shown
 */
abstract class RecordPrinter<T> {
  static final int FLAG_END_OF_STREAM = 0x01;
  static final int FLAG_CHECKSUM = 0x02;
  static final int FLAG_HEADERS = 0x04;
  static final int FLAG_ABORTED = 0x08;
  static final int FLAG_HEARTBEAT = 0x10;

  final PrintStream out;
  final MessageFormat<T> format;
  long frames;
  long payloadBytes;
  long writers;

  RecordPrinter(PrintStream out, MessageFormat<T> format) {
    this.out = out;
    this.format = format;
  }

  void header() {}

  /** Prints one record. */
  final void record(InspectedRecord r) {
    if (r.kind() == InspectedRecord.Kind.PREAMBLE) {
      writers++;
    } else if (r.kind() == InspectedRecord.Kind.FRAME) {
      frames++;
      payloadBytes += r.payloadLength();
    }
    print(r);
  }

  abstract void print(InspectedRecord r);

  /** How the stream ended; {@code failure} is the command's error for a broken one (null when clean). */
  abstract void outcome(StreamOutcome outcome, CliException failure);

  /** A frame decoded by the reader's codec: its value as JSON, or the vectors' error name. */
  static final class Decoded {
    final String valueJson;
    final String error;

    Decoded(String valueJson, String error) {
      this.valueJson = valueJson;
      this.error = error;
    }
  }

  /** The frame's value (null for bytes) or per-message error, as a reader with this codec would get it. */
  Decoded decode(InspectedRecord r) {
    MessageException e = r.error();
    if (e instanceof MalformedFrameException) {
      return new Decoded(null, ((MalformedFrameException) e).reason() == MalformedFrameException.Reason.BAD_TAG
          ? "bad_tag" : "bad_headers");
    }
    if (e != null) {
      return new Decoded(null, e instanceof UnknownTypeException ? "unknown_type" : "undecodable");
    }
    T value;
    try {
      value = format.codec().decode(r.tag(), r.payload());
    } catch (UnknownTypeException x) {
      return new Decoded(null, "unknown_type");
    } catch (Exception x) {
      return new Decoded(null, "undecodable");
    }
    try {
      return new Decoded(format.valueJson(value), null);
    } catch (IOException x) {
      return new Decoded(null, "undecodable");
    }
  }

  static byte[] bytes(ByteBuffer b) {
    ByteBuffer p = b.duplicate();
    byte[] bytes = new byte[p.remaining()];
    p.get(bytes);
    return bytes;
  }

  /** An aligned table with a payload preview: the decoded value, text in quotes, anything else as hex. */
  static final class Table<T> extends RecordPrinter<T> {
    private static final String FORMAT = "%10s  %-8s  %-7s  %8s  %-24s  %s%n";
    private final int preview;

    Table(PrintStream out, int preview, MessageFormat<T> format) {
      super(out, format);
      this.preview = preview;
    }

    @Override
    void header() {
      out.printf(FORMAT, "OFFSET", "RECORD", "FLAGS", "LENGTH", "TAG", "PAYLOAD");
    }

    @Override
    void print(InspectedRecord r) {
      switch (r.kind()) {
        case PREAMBLE:
          out.printf(FORMAT, r.position(), "preamble", "", "", "", "codec=" + r.codec() + " version="
              + (r.version() == 1 ? "1.0" : r.version() == 2 ? "1.1" : String.valueOf(r.version())));
          break;
        case END:
          out.printf(FORMAT, r.position(), "end", flags(r.flags()), 0, "", "");
          break;
        case ABORTED:
          out.printf(FORMAT, r.position(), "aborted", flags(r.flags()), r.payloadLength(), "", "reason " + quoted(r.reason(), preview));
          break;
        case HEARTBEAT:
          out.printf(FORMAT, r.position(), "heartbeat", flags(r.flags()), 0, "", "");
          break;
        default:
          String shown;
          if (format.codec().name().equals("bytes")) {
            shown = preview(r.payload());
          } else {
            Decoded d = decode(r);
            shown = d.error != null ? "(" + d.error.replace('_', ' ') + ") " + preview(r.payload()) : abbreviated(d.valueJson);
          }
          String tag = r.error() instanceof MalformedFrameException
              && ((MalformedFrameException) r.error()).reason() == MalformedFrameException.Reason.BAD_TAG
              ? "0x" + HexFormat.of().formatHex(r.rawTag()) : r.tag().isEmpty() ? "-" : quoted(r.tag(), 24);
          String headers = (r.flags() & FLAG_HEADERS) != 0 ? headers(r) : "";
          out.printf(FORMAT, r.position(), "frame", flags(r.flags()), r.payloadLength(), tag, headers + shown);
      }
    }

    private String headers(InspectedRecord r) {
      if (r.error() instanceof MalformedFrameException) {
        return "[headers 0x" + HexFormat.of().formatHex(r.rawHeaderBlock()) + "] ";
      }
      StringBuilder b = new StringBuilder("[");
      r.headers().forEach((k, v) -> b.append(b.length() > 1 ? " " : "").append(k).append('=').append(text(v)));
      return b.append("] ").toString();
    }

    private static String text(byte[] v) {
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(v)).toString();
      } catch (CharacterCodingException e) {
        return "0x" + HexFormat.of().formatHex(v);
      }
    }

    @Override
    void outcome(StreamOutcome outcome, CliException failure) {
      if (failure == null) {
        out.printf("%10d  clean end of stream: %d writer session%s, %d frame%s, %d payload bytes%n", outcome.position(),
            writers, writers == 1 ? "" : "s", frames, frames == 1 ? "" : "s", payloadBytes);
      } else {
        out.printf("%10d  %s%n", outcome.position(), Failures.describeStream(outcome.error()));
      }
    }

    private static String flags(int flags) {
      if (flags == 0) {
        return "-";
      }
      StringBuilder s = new StringBuilder();
      String[] names = {"EOS", "CRC", "HDR", "ABORT", "HB"};
      for (int i = 0; i < names.length; i++) {
        if ((flags & (1 << i)) != 0) {
          s.append(s.length() > 0 ? "|" : "").append(names[i]);
        }
      }
      if ((flags & ~0x1f) != 0) {
        s.append(s.length() > 0 ? "|" : "").append(String.format("0x%02x", flags & ~0x1f));
      }
      return s.toString();
    }

    private String abbreviated(String json) {
      return json.length() > preview ? json.substring(0, preview) + "…" : json;
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

  /** One JSON object per record in the test vectors' form, then {@code {"outcome": {...}}}. */
  static final class Json<T> extends RecordPrinter<T> {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final HexFormat HEX = HexFormat.of();

    Json(PrintStream out, MessageFormat<T> format) {
      super(out, format);
    }

    @Override
    void print(InspectedRecord r) {
      write(g -> {
        g.writeStringField("kind", r.kind().vectorName());
        g.writeNumberField("offset", r.position());
        switch (r.kind()) {
          case PREAMBLE:
            g.writeNumberField("version", r.version());
            g.writeStringField("codec", r.codec());
            break;
          case FRAME:
            frame(g, r);
            break;
          case ABORTED:
            g.writeNumberField("flags", r.flags());
            g.writeStringField("reason", r.reason());
            g.writeStringField("payload_hex", HEX.formatHex(bytes(r.payload())));
            break;
          default: // end, heartbeat
            g.writeNumberField("flags", r.flags());
        }
      });
    }

    private void frame(JsonGenerator g, InspectedRecord r) throws IOException {
      g.writeNumberField("flags", r.flags());
      MessageException error = r.error();
      boolean malformed = error instanceof MalformedFrameException;
      if (malformed && ((MalformedFrameException) error).reason() == MalformedFrameException.Reason.BAD_TAG) {
        g.writeStringField("tag_hex", HEX.formatHex(r.rawTag()));
      } else {
        g.writeStringField("tag", r.tag());
      }
      if ((r.flags() & FLAG_HEADERS) != 0) {
        if (malformed) {
          byte[] block = r.rawHeaderBlock();
          g.writeStringField("headers_hex", block == null ? "" : HEX.formatHex(block));
        } else {
          g.writeArrayFieldStart("headers");
          Headers h = r.headers();
          IOException[] failed = new IOException[1];
          h.forEach((k, v) -> {
            try {
              g.writeStartObject();
              g.writeStringField("key", k);
              g.writeStringField("value_hex", HEX.formatHex(v));
              g.writeEndObject();
            } catch (IOException e) {
              failed[0] = e;
            }
          });
          if (failed[0] != null) {
            throw failed[0];
          }
          g.writeEndArray();
        }
      }
      g.writeStringField("payload_hex", HEX.formatHex(bytes(r.payload())));
      if (malformed || error != null || !format.codec().name().equals("bytes")) {
        Decoded d = decode(r);
        if (d.error != null) {
          g.writeStringField("error", d.error);
        } else if (d.valueJson != null) {
          g.writeFieldName("value");
          g.writeRawValue(oneLine(d.valueJson));
        }
      }
    }

    /** A JSON value on one line: a payload written over several lines is compacted (one record per line). */
    private static String oneLine(String json) throws IOException {
      if (json.indexOf('\n') < 0 && json.indexOf('\r') < 0) {
        return json;
      }
      java.io.StringWriter w = new java.io.StringWriter();
      try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(json);
           JsonGenerator g = FACTORY.createGenerator(w)) {
        p.nextToken();
        g.copyCurrentStructure(p);
      }
      return w.toString();
    }

    @Override
    void outcome(StreamOutcome outcome, CliException failure) {
      write(g -> {
        g.writeObjectFieldStart("outcome");
        g.writeStringField("status", outcome.status());
        if (!outcome.isClean()) {
          g.writeStringField("error", outcome.errorName());
        }
        g.writeNumberField("offset", outcome.position());
        if (outcome.cause() != null) {
          g.writeStringField("cause", outcome.cause());
        }
        if (outcome.abortReason() != null) {
          g.writeStringField("reason", outcome.abortReason());
        }
        if (failure != null) {
          g.writeStringField("message", failure.getMessage());
          g.writeNumberField("exit_code", failure.code());
        }
        g.writeEndObject();
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
