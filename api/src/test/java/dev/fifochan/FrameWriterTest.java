package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The frame writer's buffering decisions. */
class FrameWriterTest {

  @Test
  void makingRoomBeforeEachFrameMeansEquallySizedLargeFramesNeverSpill() throws IOException {
    assertEquals(0, spillsFor(true));
    assertTrue(spillsFor(false) > 0, "without making room, every fourth 64 KiB frame spills");
  }

  private static int spillsFor(boolean makeRoom) throws IOException {
    FrameWriter w = new FrameWriter(new TestChannels.Sink(Integer.MAX_VALUE), ChannelConfig.defaults());
    w.writePreamble("bytes");
    byte[] payload = new byte[65_536];
    for (int i = 0; i < 40; i++) {
      if (makeRoom) {
        assertTrue(w.makeRoom(-1));
      }
      w.beginFrame(new byte[0]).write(payload);
      assertTrue(w.endFrame(-1));
    }
    w.drain(-1);
    assertEquals(40, w.messagesWritten());
    return w.spills();
  }
}
