/**
 * The FIFO (named pipe) transport of fifochan, for Linux.
 *
 * <p>{@link dev.fifochan.fifo.Fifo} creates FIFOs and opens their ends as typed
 * {@link dev.fifochan.Sender}s and {@link dev.fifochan.Receiver}s, or as raw non-blocking
 * {@link dev.fifochan.fifo.FifoWriteChannel}s and {@link dev.fifochan.fifo.FifoReadChannel}s.
 *
 * <p>Guarantees: no thread ever blocks in {@code open(2)} (both ends are opened with
 * {@code O_NONBLOCK} and wait in {@code ppoll}); every wait ends at its deadline, at
 * {@code close()} from another thread and at {@link Thread#interrupt()}; no descriptor is closed
 * while another thread may still use it, and none is leaked; paths are checked before and after
 * opening ({@link dev.fifochan.fifo.UnsafeFifoException}). Descriptors carry {@code O_CLOEXEC}, so
 * child processes do not inherit them.
 */
package dev.fifochan.fifo;
