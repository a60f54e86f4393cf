package fifochan

import (
	"os"
	"time"
)

// Default limits.
const (
	// DefaultMaxFrameLength is the default maximum payload length (16 MiB).
	DefaultMaxFrameLength = 16 << 20
	// MaxFrameLengthLimit is the format's absolute cap (2^31 - 1).
	MaxFrameLengthLimit = 1<<31 - 1
	// DefaultBufferSize is the default writer buffer size (64 KiB).
	DefaultBufferSize = 64 << 10
	// DefaultFlushDelay is how long a Sender lets unflushed frames wait.
	DefaultFlushDelay = time.Millisecond
	// PipeBuf is the largest atomic pipe write on Linux; a fan-in
	// writer writes whole records in writes of at most this size.
	PipeBuf = 4096
	// pipeSize is the pipe capacity asked for with F_SETPIPE_SZ.
	pipeSize = 1 << 20
)

// Option configures writers, readers and FIFO opens. Options that do not
// apply to a call are ignored.
type Option func(*config)

type config struct {
	checksum     bool
	maxFrame     int
	bufSize      int
	flushDelay   time.Duration
	fanIn        bool
	follow       bool
	create       bool
	mode         os.FileMode
	anyOwner     bool
	expectCodec  string
	onError      func(error)
	maxDelimited int
}

func newConfig(opts []Option) config {
	c := config{
		maxFrame:     DefaultMaxFrameLength,
		bufSize:      DefaultBufferSize,
		flushDelay:   DefaultFlushDelay,
		mode:         0o600,
		maxDelimited: DefaultMaxFrameLength,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithChecksum makes a writer append a CRC-32C to every frame.
func WithChecksum() Option { return func(c *config) { c.checksum = true } }

// MaxFrameLength sets the largest payload a reader accepts and a writer
// sends (default 16 MiB, at most 2^31-1). It also bounds delimited messages.
func MaxFrameLength(n int) Option {
	return func(c *config) {
		if n > 0 && n <= MaxFrameLengthLimit {
			c.maxFrame, c.maxDelimited = n, n
		}
	}
}

// BufferSize sets a writer's coalescing buffer (at least 64 KiB, the default).
func BufferSize(n int) Option {
	return func(c *config) {
		if n > DefaultBufferSize {
			c.bufSize = n
		}
	}
}

// FlushDelay sets how long a Sender may hold sent frames before it writes
// them when no more arrive (default 1 ms). Zero means write-through: every
// Send is written before it returns.
func FlushDelay(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.flushDelay = d
		}
	}
}

// FanIn makes a writer safe to share a FIFO with other writers: every
// write holds whole records and at most PipeBuf (4096) bytes, and larger
// records are refused with ErrFrameTooLong.
func FanIn() Option { return func(c *config) { c.fanIn = true } }

// Follow makes Receive keep reading across writer restarts: after each
// writer session (clean or not) it reopens the FIFO and waits for the next.
func Follow() Option { return func(c *config) { c.follow = true } }

// Create makes an open create the FIFO with the given mode (0 means 0600)
// if it does not exist.
func Create(mode os.FileMode) Option {
	return func(c *config) {
		c.create = true
		if mode != 0 {
			c.mode = mode
		}
	}
}

// AllowOtherOwner accepts a FIFO owned by another user.
func AllowOtherOwner() Option { return func(c *config) { c.anyOwner = true } }

// ExpectCodec makes a Reader accept only preambles whose codec it can
// read as name (see Accepts); without it a Reader accepts any codec.
func ExpectCodec(name string) Option { return func(c *config) { c.expectCodec = name } }

// OnError makes Receive report recoverable errors to fn and continue:
// decode failures, and in Follow mode the unclean end of a writer session.
// Without it, the first such error ends Receive.
func OnError(fn func(error)) Option { return func(c *config) { c.onError = fn } }
