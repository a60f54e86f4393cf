/**
 * The FIFO (named pipe) transport of fifochan, for Linux.
 *
 * <p>{@link dev.fifochan.fifo.Fifo} creates FIFOs and opens their ends as typed
 * {@link dev.fifochan.Sender}s and {@link dev.fifochan.Receiver}s, as transport
 * {@link dev.fifochan.spi.FrameSink}s and {@link dev.fifochan.spi.FrameSource}s, or as raw
 * non-blocking {@link dev.fifochan.fifo.FifoWriteChannel}s and
 * {@link dev.fifochan.fifo.FifoReadChannel}s; {@link dev.fifochan.fifo.FifoPair} connects two FIFOs
 * for request/response. {@link dev.fifochan.fifo.FifoOptions} holds what concerns the FIFO itself.
 *
 * <p>Guarantees: no thread ever blocks in {@code open(2)} (both ends are opened with
 * {@code O_NONBLOCK} and wait in {@code ppoll}); every wait ends at its deadline, at
 * {@code close()} from another thread and at {@link Thread#interrupt()}; every wait for a peer
 * re-checks the path at least every 250 ms ({@link dev.fifochan.fifo.FifoRemovedException}); a FIFO
 * has one fifochan reader ({@link dev.fifochan.fifo.FifoBusyException}); no descriptor is closed
 * while another thread may still use it, and none is leaked; paths are checked before and after
 * opening ({@link dev.fifochan.fifo.UnsafeFifoException}). Descriptors carry {@code O_CLOEXEC}, so
 * child processes do not inherit them.
 *
 * <p><b>Platforms.</b> Linux with glibc (2.28 or later) on x86-64 (tested) and aarch64 (by
 * construction). Anywhere else, and wherever the native stub cannot be loaded (a {@code noexec}
 * temporary directory), every call that needs native code throws
 * {@link dev.fifochan.fifo.NativeUnavailableException}, which names the remedy. The transport's
 * {@code README.md} has the details.
 */
package dev.fifochan.fifo;
