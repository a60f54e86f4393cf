package dev.fifochan.cli.demo;

import dev.fifochan.fifo.Fifo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The demo's private temporary directory (mode 0700) with its FIFOs (mode 0600): {@code requests}
 * (demo → peer) and {@code replies} (peer → demo) for the one-way bursts, and a request/response pair
 * per codec for the round trips ({@code calls-CODEC.req}, {@code calls-CODEC.rsp}: each codec's
 * responder keeps its own, so the phases never meet on a FIFO). {@link #delete()} removes all of it;
 * it is idempotent and safe to call from a shutdown hook.
 */
public final class Workspace {
  /** The demo's codecs, each with its own request/response FIFO pair. */
  static final String[] CODECS = {"json", "protobuf"};
  private final Path dir;
  private final Path requests;
  private final Path replies;
  private boolean deleted;

  private Workspace(Path dir) {
    this.dir = dir;
    this.requests = dir.resolve("requests");
    this.replies = dir.resolve("replies");
  }

  /** Creates the directory and the FIFOs under {@code java.io.tmpdir}. */
  public static Workspace create() throws IOException {
    Path dir = Files.createTempDirectory("fifochan-demo-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Workspace ws = new Workspace(dir);
    try {
      Fifo.create(ws.requests, 0600);
      Fifo.create(ws.replies, 0600);
      for (String codec : CODECS) {
        Fifo.create(ws.callRequests(codec), 0600);
        Fifo.create(ws.callResponses(codec), 0600);
      }
    } catch (IOException | RuntimeException e) {
      ws.delete();
      throw e;
    }
    return ws;
  }

  /** The workspace the demo made in {@code dir} (for its peer, which only uses it). */
  static Workspace at(Path dir) {
    return new Workspace(dir);
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** The FIFO from the demo to the peer. */
  public Path requests() {
    return requests;
  }

  /** The request FIFO of {@code codec}'s round trips. */
  public Path callRequests(String codec) {
    return dir.resolve("calls-" + codec + ".req");
  }

  /** The response FIFO of {@code codec}'s round trips. */
  public Path callResponses(String codec) {
    return dir.resolve("calls-" + codec + ".rsp");
  }

  /** The FIFO from the peer to the demo. */
  public Path replies() {
    return replies;
  }

  /** Removes the FIFOs and the directory; returns whether nothing is left. */
  public synchronized boolean delete() {
    if (!deleted) {
      try {
        Files.deleteIfExists(requests);
        Files.deleteIfExists(replies);
        for (String codec : CODECS) {
          Files.deleteIfExists(callRequests(codec));
          Files.deleteIfExists(callResponses(codec));
        }
        Files.deleteIfExists(dir);
        deleted = true;
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
