package dev.fifochan.compat.v01;

import dev.fifochan.ChannelConfig;
import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.FrameReader;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.Sender;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.WireRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads and writes streams with the frozen fifochan 0.1 api (not part of the frozen copy).
 *
 * <pre>
 * read [--codec bytes|string] [--max-frame-length N] PATH
 *     one JSON object per record (kind, offset, codec or flags, tag, payload_hex), then a last line
 *     {"outcome":{...}}: status clean, or status error with error (truncated, corrupt, checksum,
 *     too_long, incompatible), offset and message. Exit 0 only at a clean end, else 1.
 * write [--codec bytes|string] [--checksum] PATH &lt; lines
 *     one message per stdin line (0.1's Sender), then a clean end.
 * </pre>
 *
 * PATH is a FIFO (opened with FileChannel, which waits for the other end) or a regular file.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      usage();
    }
    String codecName = "bytes";
    int max = 16 << 20;
    boolean checksum = false;
    List<String> rest = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--codec": codecName = args[++i]; break;
        case "--max-frame-length": max = Integer.parseInt(args[++i]); break;
        case "--checksum": checksum = true; break;
        default: rest.add(args[i]);
      }
    }
    if (rest.size() != 1) {
      usage();
    }
    Codec<?> codec = Codecs.byName(codecName, java.util.Map.of());
    Path path = Path.of(rest.get(0));
    switch (args[0]) {
      case "read": System.exit(read(path, codec, max)); break;
      case "write": write(path, codec, checksum); break;
      default: usage();
    }
  }

  private static void usage() {
    System.err.println("usage: Main read|write [--codec NAME] [--max-frame-length N] [--checksum] PATH");
    System.exit(2);
  }

  private static int read(Path path, Codec<?> codec, int max) throws IOException {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
         FrameReader reader = new FrameReader(ch, max, 1 << 16, codec::accepts)) {
      while (true) {
        WireRecord r;
        try {
          r = reader.next();
        } catch (StreamException e) {
          out.println("{\"outcome\":{\"status\":\"error\",\"error\":\"" + kind(e) + "\",\"offset\":" + e.offset()
              + ",\"message\":" + quote(e.getMessage()) + "}}");
          out.flush();
          System.err.println("fifochan-compat-v01: " + e.getMessage());
          return 1;
        }
        switch (r.kind()) {
          case END:
            out.println("{\"outcome\":{\"status\":\"clean\",\"offset\":" + r.offset() + "}}");
            out.flush();
            return 0;
          case PREAMBLE:
            out.println("{\"kind\":\"preamble\",\"offset\":" + r.offset() + ",\"codec\":" + quote(r.codecName()) + "}");
            break;
          case END_OF_STREAM:
            out.println("{\"kind\":\"end\",\"offset\":" + r.offset() + ",\"flags\":" + r.flags() + "}");
            break;
          default:
            ByteBuffer p = r.payload().duplicate();
            byte[] b = new byte[p.remaining()];
            p.get(b);
            out.println("{\"kind\":\"frame\",\"offset\":" + r.offset() + ",\"flags\":" + r.flags() + ",\"tag\":"
                + quote(r.tag()) + ",\"payload_hex\":\"" + HexFormat.of().formatHex(b) + "\"}");
        }
      }
    }
  }

  private static String kind(StreamException e) {
    if (e instanceof TruncatedStreamException) {
      return "truncated";
    }
    if (e instanceof ChecksumMismatchException) {
      return "checksum";
    }
    if (e instanceof CorruptFrameException) {
      return "corrupt";
    }
    if (e instanceof FrameTooLongException) {
      return "too_long";
    }
    if (e instanceof IncompatibleStreamException) {
      return "incompatible";
    }
    return "other";
  }

  @SuppressWarnings("unchecked")
  private static void write(Path path, Codec<?> codec, boolean checksum) throws IOException {
    boolean fifo = Files.exists(path) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
    FileChannel ch = fifo ? FileChannel.open(path, StandardOpenOption.WRITE)
        : FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    ChannelConfig config = ChannelConfig.builder().checksum(checksum).build();
    try (Sender<Object> tx = Sender.over(ch, (Codec<Object>) codec, config);
         BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        tx.send(codec.name().equals("string") ? line : line.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }
}
