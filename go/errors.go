package fifochan

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error this package returns for one of these
// conditions satisfies errors.Is with the matching sentinel. The typed
// errors below carry the data: *StreamError (fatal for a stream),
// *MessageError (one message; the stream goes on), *AbortedError (the
// writer ended its session with an error), *SendError (what happened to
// sent data) and *BusyError (another reader holds the FIFO).
var (
	// ErrTruncatedStream: end of file before a clean end of stream.
	ErrTruncatedStream = errors.New("fifochan: truncated stream")
	// ErrCorruptFrame: the bytes cannot be a valid record (reserved flag,
	// forbidden flag combination, bad end-of-stream frame, top-bit
	// length, frame with no open writer, bad preamble, header block
	// longer than 8192 bytes).
	ErrCorruptFrame = errors.New("fifochan: corrupt frame")
	// ErrChecksumMismatch: a frame's CRC-32C differs. It is a kind of
	// corrupt frame: errors.Is(err, ErrCorruptFrame) also holds.
	ErrChecksumMismatch = fmt.Errorf("%w: checksum mismatch", ErrCorruptFrame)
	// ErrFrameTooLong: a frame's length exceeds the reader's maximum
	// (stream error), or a writer refuses a message that is too long for
	// the maximum frame length, for one atomic fan-in write, or whose
	// header block breaks a size limit (message error: not sent).
	ErrFrameTooLong = errors.New("fifochan: frame too long")
	// ErrIncompatibleStream: a preamble with an unknown format version or
	// a codec this reader cannot read; the error's kind says which.
	ErrIncompatibleStream = errors.New("fifochan: incompatible stream")
	// ErrIncompatibleVersion: a preamble's format version is not 1 or 2.
	// A kind of ErrIncompatibleStream.
	ErrIncompatibleVersion = fmt.Errorf("%w: format version", ErrIncompatibleStream)
	// ErrIncompatibleCodec: the reader cannot read the codec a preamble
	// names (see Accepts). A kind of ErrIncompatibleStream.
	ErrIncompatibleCodec = fmt.Errorf("%w: codec", ErrIncompatibleStream)
	// ErrAborted: the writer ended its session with an error (an aborted
	// end). Returned as an *AbortedError carrying the writer's reason.
	ErrAborted = errors.New("fifochan: stream aborted by the writer")

	// ErrDecode: a message could not be decoded. The stream is still
	// usable: the next frame can be read.
	ErrDecode = errors.New("fifochan: decode failure")
	// ErrUnknownType: the codec does not know a frame's type tag. It is a
	// kind of decode failure: errors.Is(err, ErrDecode) also holds.
	ErrUnknownType = fmt.Errorf("%w: unknown type", ErrDecode)
	// ErrMalformedFrame: a frame's tag or header block breaks the wire
	// format's content rules; the frame itself was intact (its lengths
	// and checksum were right), so the stream goes on. A kind of decode
	// failure.
	ErrMalformedFrame = fmt.Errorf("%w: malformed frame", ErrDecode)
	// ErrBadTag: a frame's type tag is not UTF-8 (wire outcome bad_tag).
	ErrBadTag = fmt.Errorf("%w: tag is not UTF-8", ErrMalformedFrame)
	// ErrBadHeaders: a header block breaks a rule of the wire format
	// (wire outcome bad_headers); writers refuse such header sets too.
	ErrBadHeaders = fmt.Errorf("%w: bad headers", ErrMalformedFrame)
	// ErrEncode: a codec could not encode a value; nothing was sent.
	ErrEncode = errors.New("fifochan: encode failure")

	// ErrClosed: the Sender or Receiver was closed (by this call's
	// goroutine or another one) before the operation could complete.
	ErrClosed = errors.New("fifochan: closed")
	// ErrPeerClosed: the reading end went away (EPIPE) while writing.
	ErrPeerClosed = errors.New("fifochan: peer closed")
	// ErrCloseTimeout: a graceful close or an abort ran out of time
	// before every accepted message was in the pipe; the reader will see
	// a truncated stream.
	ErrCloseTimeout = errors.New("fifochan: close timed out")
	// ErrLivenessTimeout: a writer session is open and no byte (not even
	// a heartbeat) arrived for the reader's liveness timeout.
	ErrLivenessTimeout = errors.New("fifochan: no sign of life from the writer")

	// ErrNotFIFO: the path exists but is not a named pipe.
	ErrNotFIFO = errors.New("not a FIFO")
	// ErrUnsafePath: the path is a symlink, owned by another user, in a
	// directory others may write to without the sticky bit, or was
	// replaced while it was being opened.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrFIFOBusy: another reader holds the FIFO's exclusive lock.
	// Returned as a *BusyError naming the holder's pid when known.
	ErrFIFOBusy = errors.New("FIFO already has a reader")
	// ErrFIFORemoved: the FIFO a Receiver waits on was removed (or, for a
	// receiver that does not follow, replaced by another file).
	ErrFIFORemoved = errors.New("FIFO removed")
)

// StreamError is a failure that ends a stream (or, for a following
// Receiver, the current writer session) at a known position.
// errors.Is(err, Kind) holds, and errors.Is/As also see the cause Err.
type StreamError struct {
	Kind   error  // ErrTruncatedStream, ErrCorruptFrame, ErrChecksumMismatch, ErrFrameTooLong, ErrIncompatibleVersion, ErrIncompatibleCodec (or, from a Receiver, ErrLivenessTimeout)
	Offset int64  // offset of the record's first byte, counted from the first byte this reader read
	Detail string // human-readable specifics, may be empty
	Err    error  // underlying cause, may be nil
}

// Error implements error.
func (e *StreamError) Error() string {
	s := fmt.Sprintf("%v at offset %d", e.Kind, e.Offset)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel kind and the cause, for errors.Is and errors.As.
func (e *StreamError) Unwrap() []error { return unwrap2(e.Kind, e.Err) }

func streamErr(kind error, off int64, format string, args ...any) *StreamError {
	return &StreamError{Kind: kind, Offset: off, Detail: fmt.Sprintf(format, args...)}
}

// MessageError is a failure of one message; the stream is still usable.
// On a reader: ErrBadTag, ErrBadHeaders, ErrUnknownType or ErrDecode, at
// the frame's offset. On a writer: ErrEncode, ErrFrameTooLong or
// ErrBadHeaders, and the message was not sent (Offset is -1).
type MessageError struct {
	Kind   error  // one of the sentinels above
	Offset int64  // offset of the frame's first byte; -1 on a writer
	Tag    string // the frame's type tag (raw bytes for ErrBadTag)
	Detail string // specifics, may be empty
	Err    error  // the codec's error, may be nil
}

// Error implements error.
func (e *MessageError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " at offset %d", e.Offset)
	}
	if e.Tag != "" {
		fmt.Fprintf(&b, " (tag %q)", e.Tag)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel kind and the cause.
func (e *MessageError) Unwrap() []error { return unwrap2(e.Kind, e.Err) }

// AbortedError reports an aborted end: the writer ended its session with
// an error. Every complete message before it was delivered.
// errors.Is(err, ErrAborted) holds.
type AbortedError struct {
	Reason string // the writer's reason (invalid UTF-8 replaced by U+FFFD)
	Offset int64  // offset of the aborted end record; -1 on the writer's side
}

// Error implements error.
func (e *AbortedError) Error() string {
	s := ErrAborted.Error()
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Offset)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is reports whether target is ErrAborted.
func (e *AbortedError) Is(target error) bool { return target == ErrAborted }

// Outcome says what happened to the message of a failed Send.
type Outcome uint8

// Outcomes of a failed Send. A Send that returns nil has been accepted:
// the message is whole in the Sender's buffer or in the pipe and is
// written in order unless the Sender later fails.
const (
	// NoMessage: the operation carried no message (Flush, Close, Abort).
	NoMessage Outcome = iota
	// NotSent: no byte of the message was or will be written. The Sender
	// is still usable unless Kind says it failed or was closed.
	NotSent
	// Torn: part of the message's frame is in the pipe and the rest never
	// will be; the Sender failed and the reader sees a truncated stream.
	Torn
)

// String implements fmt.Stringer.
func (o Outcome) String() string {
	switch o {
	case NotSent:
		return "not sent"
	case Torn:
		return "torn"
	}
	return "no message"
}

// SendError says what happened to the data when a Sender operation fails.
// errors.Is(err, Kind) holds, and errors.Is/As also see Err.
type SendError struct {
	Op      string  // "send", "offer", "flush", "close" or "abort"
	Kind    error   // ErrClosed, ErrPeerClosed, ErrCloseTimeout, context.Canceled, context.DeadlineExceeded, or a write error
	Message Outcome // this call's message: NotSent or Torn (NoMessage for flush, close, abort)
	// The Sender's totals when the error happened.
	Written   int64 // messages whose every byte is in the pipe
	Discarded int64 // accepted messages that will never be written (the Sender failed)
	Torn      bool  // a frame is partly in the pipe: the reader will see a truncated stream
	Err       error // underlying cause, may be nil
}

// Error implements error.
func (e *SendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fifochan: %s: %v", e.Op, e.Kind)
	if e.Message != NoMessage {
		fmt.Fprintf(&b, " (message %v)", e.Message)
	}
	fmt.Fprintf(&b, "; %d messages written", e.Written)
	if e.Discarded > 0 {
		fmt.Fprintf(&b, ", %d discarded", e.Discarded)
	}
	if e.Torn {
		b.WriteString(", a frame torn")
	}
	if e.Err != nil && e.Err != e.Kind {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause.
func (e *SendError) Unwrap() []error { return unwrap2(e.Kind, e.Err) }

// BusyError reports that another reader holds a FIFO's exclusive lock.
// errors.Is(err, ErrFIFOBusy) holds.
type BusyError struct {
	Path string
	PID  int // the lock holder's process id (from /proc/locks), 0 if unknown
}

// Error implements error.
func (e *BusyError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%s: %v (locked by pid %d)", e.Path, ErrFIFOBusy, e.PID)
	}
	return fmt.Sprintf("%s: %v", e.Path, ErrFIFOBusy)
}

// Is reports whether target is ErrFIFOBusy.
func (e *BusyError) Is(target error) bool { return target == ErrFIFOBusy }

func unwrap2(kind, cause error) []error {
	if cause == nil || cause == kind {
		return []error{kind}
	}
	return []error{kind, cause}
}

// isStreamFailure reports whether err ends a stream (as opposed to a
// per-message failure or a wait that was interrupted).
func isStreamFailure(err error) bool {
	var se *StreamError
	var ae *AbortedError
	return errors.As(err, &se) || errors.As(err, &ae)
}
