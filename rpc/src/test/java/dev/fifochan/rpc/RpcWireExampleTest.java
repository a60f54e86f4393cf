package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Headers;
import dev.fifochan.Sender;
import dev.fifochan.rpc.internal.ControlCodec;
import dev.fifochan.rpc.internal.Protocol;
import dev.fifochan.rpc.internal.Protocol.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes of docs/rpc.md §13 are what the Java side writes (hello, call, reply, error). */
class RpcWireExampleTest {

  /** The hex bytes of each code block of the worked example, in order. */
  private static List<byte[]> exampleBlocks() throws Exception {
    String root = System.getenv().getOrDefault("FIFOCHAN_REPO_ROOT", "..");
    String doc = Files.readString(Path.of(root, "docs", "rpc.md"));
    String section = doc.substring(doc.indexOf("## 13. Worked example"), doc.indexOf("## 14."));
    List<byte[]> blocks = new ArrayList<>();
    String[] parts = section.split("```");
    for (int i = 1; i < parts.length; i += 2) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (String line : parts[i].split("\n")) {
        for (String token : line.trim().split("\\s+")) {
          if (!token.matches("[0-9a-f]{2}")) {
            break;
          }
          b.write(Integer.parseInt(token, 16));
        }
      }
      blocks.add(b.toByteArray());
    }
    return blocks;
  }

  private static byte[] write(boolean withPreamble, Object[][] frames) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Sender<Object> tx = Sender.over(Channels.newChannel(out), new ControlCodec(Codecs.string()),
        ChannelConfig.builder().flushDelay(java.time.Duration.ZERO).build());
    int preamble = out.size();
    for (Object[] f : frames) {
      tx.send(f[0], (Headers) f[1]);
    }
    tx.flush();
    byte[] all = out.toByteArray();
    return withPreamble ? all : Arrays.copyOfRange(all, preamble, all.length);
  }

  @Test
  void theWorkedExampleIsWhatJavaWrites() throws Exception {
    List<byte[]> blocks = exampleBlocks();
    assertEquals(3, blocks.size());
    Headers hello = Protocol.Hello.local(Protocol.ROLE_CLIENT, "quotes", "string", 1_000_000_000L, null).toHeaders();
    Headers call = Headers.builder().put(Protocol.KIND, Kind.CALL.wire()).put(Protocol.ID, "1")
        .put(Protocol.OP, "price").put(Protocol.TIMEOUT, "2000000000").build(); // RpcClient's order
    assertArrayEquals(blocks.get(0), write(true, new Object[][] {{ControlCodec.CONTROL, hello}, {"ACME", call}}));
    assertArrayEquals(blocks.get(1), write(false, new Object[][] {{"12.5", Link.idHeaders(Kind.REPLY, 1)}}));
    Headers error = Headers.builder().put(Protocol.KIND, Kind.ERROR.wire()).put(Protocol.ID, "2")
        .put(Protocol.STATUS, "5").put(Protocol.MESSAGE, "no such symbol").build(); // Link.sendError's order
    assertArrayEquals(blocks.get(2), write(false, new Object[][] {{ControlCodec.CONTROL, error}}));
  }
}
