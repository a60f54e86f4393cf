package dev.fifochan.fifo.modcheck;

import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Run by {@code ModulePathTest} in a JVM where transport-fifo, the api and jffi are on the module
 * path (and this class on the class path, in a package of its own): sends one message through a FIFO
 * and prints what the module system says.
 */
public final class ModuleProbe {
  private ModuleProbe() {}

  public static void main(String[] args) throws Exception {
    Module m = Fifo.class.getModule();
    Path fifo = Fifo.create(Files.createTempDirectory("modcheck").resolve("f"));
    CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
      try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string())) {
        return r.receive(Duration.ofSeconds(20));
      } catch (Exception e) {
        return e.toString();
      }
    });
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string())) {
      s.send("over the module path");
    }
    System.out.println("module=" + m.getName() + " exported=" + m.isExported("dev.fifochan.fifo")
        + " internalExported=" + m.isExported("dev.fifochan.fifo.internal") + " received=" + got.get());
    Files.delete(fifo);
  }
}
