package fifochan

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns for one of these
// conditions satisfies errors.Is with the matching sentinel; stream errors
// are *StreamError values that also carry the stream offset.
var (
	// ErrFrameTooLong: a frame's length exceeds the maximum frame length
	// (or, for a fan-in writer, a record does not fit in one atomic write).
	ErrFrameTooLong = errors.New("fifochan: frame too long")
	// ErrCorruptFrame: the bytes cannot be a valid record (reserved flag,
	// bad end-of-stream frame, top-bit length, frame with no open writer,
	// bad preamble).
	ErrCorruptFrame = errors.New("fifochan: corrupt frame")
	// ErrChecksumMismatch: a frame's CRC-32C differs. It is a kind of
	// corrupt frame: errors.Is(err, ErrCorruptFrame) also holds.
	ErrChecksumMismatch = fmt.Errorf("%w: checksum mismatch", ErrCorruptFrame)
	// ErrTruncatedStream: end of file before a clean end of stream.
	ErrTruncatedStream = errors.New("fifochan: truncated stream")
	// ErrIncompatibleStream: unknown format version or unacceptable codec.
	ErrIncompatibleStream = errors.New("fifochan: incompatible stream")
	// ErrDecode: a codec could not decode a payload. The stream is still
	// usable: the next frame can be read.
	ErrDecode = errors.New("fifochan: decode failure")
	// ErrUnknownType: the codec does not know a frame's type tag. It is a
	// kind of decode failure: errors.Is(err, ErrDecode) also holds.
	ErrUnknownType = fmt.Errorf("%w: unknown type", ErrDecode)
	// ErrPeerClosed: the reading end went away (EPIPE) while writing.
	ErrPeerClosed = errors.New("fifochan: peer closed")
	// ErrNotFIFO: the path exists but is not a named pipe.
	ErrNotFIFO = errors.New("not a FIFO")
	// ErrUnsafePath: the path is a symlink, owned by another user, in a
	// directory others may write to without the sticky bit, or was
	// replaced while it was being opened.
	ErrUnsafePath = errors.New("unsafe path")
)

// StreamError describes a failure at a known position of a stream.
// errors.Is(err, Kind) holds, and errors.Is/As also see the cause Err.
type StreamError struct {
	Kind   error  // one of the sentinel errors above
	Offset int64  // offset of the record's first byte (bytes written, for writers)
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
func (e *StreamError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func streamErr(kind error, off int64, format string, args ...any) *StreamError {
	return &StreamError{Kind: kind, Offset: off, Detail: fmt.Sprintf(format, args...)}
}
