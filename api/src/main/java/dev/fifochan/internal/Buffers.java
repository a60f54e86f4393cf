package dev.fifochan.internal;

import java.nio.ByteBuffer;

/** Allocation of the frame buffers. */
public final class Buffers {
  /** The page size the buffers are aligned to. */
  public static final int PAGE = 4096;

  private Buffers() {}

  /**
   * A direct buffer of at least {@code size} bytes (rounded up to whole pages) that starts on a page
   * boundary: reads from a pipe into an unaligned buffer ran at half speed on the machines measured
   * (docs/benchmarks.md).
   */
  public static ByteBuffer pageAlignedDirect(int size) {
    int pages = (int) ((Math.max(size, 1) + (long) PAGE - 1) / PAGE);
    int bytes = pages * PAGE;
    ByteBuffer raw = ByteBuffer.allocateDirect(bytes + PAGE);
    ByteBuffer aligned = raw.alignedSlice(PAGE);
    aligned.limit(bytes);
    return aligned.slice();
  }
}
