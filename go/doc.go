// Package fifochan sends typed messages over Linux named pipes (FIFOs).
//
// It is the Go companion of the fifochan Java library and speaks the same
// wire format (docs/wire-format.md in the repository): version 1.1 by
// default — a preamble naming the codec, length-prefixed frames with an
// optional type tag, header block and CRC-32C, heartbeats, and an end of
// stream that is either clean or aborted with a reason, so a reader can
// always tell a writer that finished from one that failed or crashed. A
// writer can be pinned to format 1.0 (WireVersion10) for readers that have
// not been upgraded; readers read both.
//
// # Layers
//
//   - OpenWriter / Sender and OpenReceiver / Receiver: typed, context-aware,
//     over a FIFO path. Safe for concurrent use (Receive calls serialize).
//   - WriteChan and ReadChan: the same as Go channels.
//   - NewWriter and NewReader: the framing alone over any io.Writer or
//     io.Reader, with no goroutines.
//   - OpenWriteEnd, OpenReadEnd and Mkfifo: safe, cancellable FIFO opens.
//   - NewDelimitedWriter and NewDelimitedReader: plain varint-delimited
//     protobuf streams for peers that do not speak fifochan.
//   - Package rpc (fifochan.dev/fifochan/rpc): request/response over a
//     FIFO pair, interoperating with the Java fifochan-rpc module.
//
// # Sending: what happened to the data
//
// Send(ctx, v) returns nil once v is accepted: whole in the Sender's
// buffer (256 KiB by default), or in the pipe with FlushDelay(0). Accepted
// messages are written in order when the buffer fills, on Flush, Close and
// Abort, and when the Sender has been idle for the flush delay (50 µs by
// default). A Send waits only for room; when its ctx ends first, or Close
// is called from another goroutine, it returns a *SendError whose Message
// is NotSent: no byte of v was or will be written, and the Sender stays
// usable (unless closed). Offer never waits and returns a SendStatus. A
// *MessageError (ErrEncode, ErrFrameTooLong, ErrBadHeaders) refuses one
// message and nothing else.
//
// Close ends the stream cleanly, bounded by CloseTimeout (30 s by default)
// or CloseContext's ctx; Abort(reason) ends it with an error the reader
// receives as an *AbortedError after every complete message. When a
// Sender fails (the reader left: ErrPeerClosed; a close ran out of time:
// ErrCloseTimeout) the *SendError counts the messages Written whole into
// the pipe and the accepted ones Discarded, and says whether a frame was
// Torn (the reader then sees a truncated stream).
//
// # Receiving: the stream goes on after a bad message
//
// Receive returns the next value, io.EOF at a clean end, a *MessageError
// for one message that cannot be used (ErrBadTag, ErrBadHeaders,
// ErrUnknownType, ErrDecode: the next call goes on), and a *StreamError or
// *AbortedError when the stream (or, with Follow, the writer session)
// ended otherwise. A plain Receiver keeps returning its end; a following
// one goes on with the next writer. While it waits for a writer a Receiver
// checks its path every 100 ms: a removed FIFO ends it with
// ErrFIFORemoved, one created again at the path is re-opened. Each reader
// takes flock(LOCK_EX|LOCK_NB) on its descriptor before reading: a second
// fifochan reader of the same FIFO fails at once with a *BusyError
// (ErrFIFOBusy) naming the holder's pid. A reader that takes no lock (cat)
// cannot be kept out.
//
// # Metrics
//
// Sender.Stats and Receiver.Stats return lock-free counters (SenderStats,
// ReceiverStats) with the meanings of Java's SenderStats and ReceiverStats:
// messages, bytes, flushes, back-pressure, timeouts, refusals, writer
// sessions started, ended, aborted and truncated, heartbeats.
//
// # Options
//
// Options have one type per owner — OpenOption (the FIFO), WriterOption
// and ReaderOption (the framing), SenderOption and ReceiverOption (the
// typed ends) — so an option that does not apply does not compile. Each
// validates its value when applied; an invalid one fails the call with an
// error naming it. The defaults are the Java library's.
package fifochan
