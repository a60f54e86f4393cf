package dev.fifochan.examples;

import com.google.protobuf.Message;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import dev.fifochan.protobuf.ProtobufCodec;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Protocol Buffers, several message types on one channel (the messages of testdata/proto/interop.proto,
 * which the Go package's tests use too, so a Go writer can take the sender's place).
 */
public final class ProtobufExample {
  private ProtobufExample() {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("protobuf"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("app.fifo");
    CompletableFuture<Void> reader = Examples.background(() -> {
      // README:begin protobuf-receive
      Codec<Message> codec = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
      try (Receiver<Message> rx = Fifo.openReceiver(path, codec)) {
        for (Message m : rx) {
          if (m instanceof Ping p) {
            System.out.println("ping " + p.getSeq() + " " + p.getText());
          } else if (m instanceof Pong p) {
            System.out.println("pong " + p.getSeq() + " " + p.getPayload().size() + " bytes");
          }
        }
      }
      // README:end
    });
    // README:begin protobuf-send
    Codec<Message> codec = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    try (Sender<Message> tx = Fifo.openSender(path, codec)) {
      tx.send(Ping.newBuilder().setSeq(1).setText("hello").build());
      tx.send(Pong.newBuilder().setSeq(1).setPayload(ByteString.copyFromUtf8("world")).build());
    }
    // README:end
    reader.get(30, TimeUnit.SECONDS);
  }
}
