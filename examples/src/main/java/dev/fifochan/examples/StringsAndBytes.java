package dev.fifochan.examples;

import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Strings and bytes, the built-in codecs: a writer and a reader of one FIFO. */
public final class StringsAndBytes {
  private StringsAndBytes() {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("strings"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("events.fifo");
    CompletableFuture<Void> reader = Examples.background(() -> receiveStrings(path));
    sendStrings(path);
    reader.get(30, TimeUnit.SECONDS);

    Path raw = dir.resolve("raw.fifo");
    reader = Examples.background(() -> receiveBytes(raw));
    sendBytes(raw);
    reader.get(30, TimeUnit.SECONDS);
  }

  static void sendStrings(Path path) throws IOException {
    // README:begin strings-send
    try (Sender<String> tx = Fifo.openSender(path, Codecs.string())) {   // creates the FIFO (0600) if missing,
      tx.send("hello");                                                  // waits for a reader (30 s at most)
      tx.send("world");
    }                                                                    // close: flush + end-of-stream
    // README:end
  }

  static void receiveStrings(Path path) throws IOException {
    // README:begin strings-receive
    try (Receiver<String> rx = Fifo.openReceiver(path, Codecs.string())) {
      for (String s : rx) {                                              // ends at a clean end of stream
        System.out.println(s);
      }
    }
    // README:end
  }

  static void sendBytes(Path path) throws IOException {
    // README:begin bytes-send
    try (Sender<byte[]> tx = Fifo.openSender(path, Codecs.bytes())) {
      tx.send(new byte[] {1, 2, 3});
    }
    // README:end
  }

  static void receiveBytes(Path path) throws IOException {
    try (Receiver<byte[]> rx = Fifo.openReceiver(path, Codecs.bytes())) {
      for (byte[] b : rx) {
        System.out.println("bytes " + Arrays.toString(b));
      }
    }
  }
}
