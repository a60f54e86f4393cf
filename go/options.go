package fifochan

import (
	"fmt"
	"os"
	"time"
)

// Defaults, equal to the Java library's (ChannelConfig and FifoOptions).
const (
	// DefaultMaxFrameLength is the default maximum payload length (16 MiB).
	DefaultMaxFrameLength = 16 << 20
	// MaxFrameLengthLimit is the format's absolute cap (2^31 - 1).
	MaxFrameLengthLimit = 1<<31 - 1
	// DefaultBufferSize is the default writer buffer (256 KiB).
	DefaultBufferSize = 256 << 10
	// MinBufferSize is the smallest writer buffer accepted (64 KiB, the
	// default capacity of a Linux pipe).
	MinBufferSize = 64 << 10
	// DefaultFlushDelay is how long a Sender lets accepted messages wait
	// for more before it writes them when idle (50 µs).
	DefaultFlushDelay = 50 * time.Microsecond
	// DefaultCloseTimeout bounds a Sender's Close and Abort (30 s).
	DefaultCloseTimeout = 30 * time.Second
	// DefaultMode is the permission bits of a FIFO created by an open (0600).
	DefaultMode os.FileMode = 0o600
	// DefaultPipeSize is the pipe capacity an open asks for with
	// F_SETPIPE_SZ (1 MiB; best effort).
	DefaultPipeSize = 1 << 20
	// PipeBuf is the largest atomic pipe write on Linux; a fan-in
	// writer writes whole records in writes of at most this size.
	PipeBuf = 4096
)

// Options come in five kinds, one per owner (design-1.0 §5), so that an
// option a call cannot use does not compile there:
//
//   - OpenOption: how a FIFO path is opened (Mode, CreateIfMissing,
//     AllowOtherOwner, PipeSize, ExclusiveReader). Accepted by
//     OpenWriteEnd, OpenReadEnd and everything that opens a path.
//   - WriterOption: the framing of a writer (WithChecksum, BufferSize,
//     FanIn, WireVersion10, MaxFrameLength). Accepted by NewWriter,
//     OpenWriter and WriteChan.
//   - ReaderOption: the framing of a reader (ExpectCodec, MaxFrameLength).
//     Accepted by NewReader, OpenReceiver and ReadChan.
//   - SenderOption: a Sender's policy (FlushDelay, CloseTimeout,
//     Heartbeat) plus every OpenOption and WriterOption. Accepted by
//     OpenWriter and WriteChan.
//   - ReceiverOption: a Receiver's policy (Follow, LivenessTimeout,
//     OnError) plus every OpenOption and ReaderOption. Accepted by
//     OpenReceiver and ReadChan.
//
// Every option validates its value when the call applies it: an invalid
// value fails the call with an error that names the option; nothing is
// silently ignored.

// SenderOption configures OpenWriter and WriteChan.
type SenderOption interface{ applySender(*senderConfig) error }

// ReceiverOption configures OpenReceiver and ReadChan.
type ReceiverOption interface{ applyReceiver(*receiverConfig) error }

// OpenOption configures how a FIFO path is opened.
type OpenOption interface {
	SenderOption
	ReceiverOption
	applyOpen(*openConfig) error
}

// WriterOption configures the framing of a writer.
type WriterOption interface {
	SenderOption
	applyWriter(*writerConfig) error
}

// ReaderOption configures the framing of a reader.
type ReaderOption interface {
	ReceiverOption
	applyReader(*readerConfig) error
}

// FrameOption configures the framing of writers and readers alike.
type FrameOption interface {
	WriterOption
	ReaderOption
}

type openConfig struct {
	create    bool
	mode      os.FileMode
	anyOwner  bool
	pipeSize  int
	exclusive bool // readers: take the exclusive lock
}

type writerConfig struct {
	checksum bool
	maxFrame int
	bufSize  int
	fanIn    bool
	version  byte
}

type readerConfig struct {
	maxFrame    int
	expectCodec string
}

type senderConfig struct {
	open         openConfig
	writer       writerConfig
	flushDelay   time.Duration
	closeTimeout time.Duration
	heartbeat    time.Duration
}

type receiverConfig struct {
	open     openConfig
	reader   readerConfig
	follow   bool
	liveness time.Duration
	onError  func(error)
}

func defaultOpen() openConfig {
	return openConfig{create: true, mode: DefaultMode, pipeSize: DefaultPipeSize, exclusive: true}
}

func defaultWriter() writerConfig {
	return writerConfig{maxFrame: DefaultMaxFrameLength, bufSize: DefaultBufferSize, version: version11}
}

func defaultReader() readerConfig { return readerConfig{maxFrame: DefaultMaxFrameLength} }

func newOpenConfig(opts []OpenOption) (openConfig, error) {
	c := defaultOpen()
	for _, o := range opts {
		if err := o.applyOpen(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

func newWriterConfig(opts []WriterOption) (writerConfig, error) {
	c := defaultWriter()
	for _, o := range opts {
		if err := o.applyWriter(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

func newReaderConfig(opts []ReaderOption) (readerConfig, error) {
	c := defaultReader()
	for _, o := range opts {
		if err := o.applyReader(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

func newSenderConfig(opts []SenderOption) (senderConfig, error) {
	c := senderConfig{open: defaultOpen(), writer: defaultWriter(), flushDelay: DefaultFlushDelay, closeTimeout: DefaultCloseTimeout}
	for _, o := range opts {
		if err := o.applySender(&c); err != nil {
			return c, err
		}
	}
	if c.heartbeat > 0 && c.writer.version == version10 {
		return c, fmt.Errorf("fifochan: option Heartbeat: wire format 1.0 has no heartbeats (drop WireVersion10 or Heartbeat)")
	}
	return c, nil
}

func newReceiverConfig(opts []ReceiverOption) (receiverConfig, error) {
	c := receiverConfig{open: defaultOpen(), reader: defaultReader()}
	for _, o := range opts {
		if err := o.applyReceiver(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

func optErr(name string, format string, args ...any) error {
	return fmt.Errorf("fifochan: option %s: %s", name, fmt.Sprintf(format, args...))
}

// openOpt is an OpenOption.
type openOpt struct{ f func(*openConfig) error }

func (o openOpt) applyOpen(c *openConfig) error         { return o.f(c) }
func (o openOpt) applySender(c *senderConfig) error     { return o.f(&c.open) }
func (o openOpt) applyReceiver(c *receiverConfig) error { return o.f(&c.open) }

// writerOpt is a WriterOption.
type writerOpt struct{ f func(*writerConfig) error }

func (o writerOpt) applyWriter(c *writerConfig) error { return o.f(c) }
func (o writerOpt) applySender(c *senderConfig) error { return o.f(&c.writer) }

// readerOpt is a ReaderOption.
type readerOpt struct{ f func(*readerConfig) error }

func (o readerOpt) applyReader(c *readerConfig) error     { return o.f(c) }
func (o readerOpt) applyReceiver(c *receiverConfig) error { return o.f(&c.reader) }

// frameOpt is a FrameOption.
type frameOpt struct {
	w func(*writerConfig) error
	r func(*readerConfig) error
}

func (o frameOpt) applyWriter(c *writerConfig) error     { return o.w(c) }
func (o frameOpt) applySender(c *senderConfig) error     { return o.w(&c.writer) }
func (o frameOpt) applyReader(c *readerConfig) error     { return o.r(c) }
func (o frameOpt) applyReceiver(c *receiverConfig) error { return o.r(&c.reader) }

// senderOpt is a SenderOption only.
type senderOpt func(*senderConfig) error

func (o senderOpt) applySender(c *senderConfig) error { return o(c) }

// receiverOpt is a ReceiverOption only.
type receiverOpt func(*receiverConfig) error

func (o receiverOpt) applyReceiver(c *receiverConfig) error { return o(c) }

// --- Open options ---

// Mode sets the permission bits of a FIFO that an open creates (default
// 0600), applied exactly, whatever the umask. Only permission bits
// (0..0777) are accepted.
func Mode(perm os.FileMode) OpenOption {
	return openOpt{func(c *openConfig) error {
		if perm&^os.ModePerm != 0 {
			return optErr("Mode", "%#o is not permission bits (0 to 0777)", uint32(perm))
		}
		c.mode = perm
		return nil
	}}
}

// CreateIfMissing says whether an open creates a missing FIFO (default
// true; the mode is Mode's). A follower never re-creates a FIFO that was
// removed while it ran.
func CreateIfMissing(on bool) OpenOption {
	return openOpt{func(c *openConfig) error { c.create = on; return nil }}
}

// AllowOtherOwner accepts a FIFO owned by another user (default: refused
// with ErrUnsafePath).
func AllowOtherOwner() OpenOption {
	return openOpt{func(c *openConfig) error { c.anyOwner = true; return nil }}
}

// PipeSize sets the pipe capacity an open asks for with F_SETPIPE_SZ
// (default 1 MiB; best effort: the kernel caps it at
// /proc/sys/fs/pipe-max-size; 0 leaves the pipe as it is). Bytes, >= 0.
func PipeSize(bytes int) OpenOption {
	return openOpt{func(c *openConfig) error {
		if bytes < 0 {
			return optErr("PipeSize", "%d is negative", bytes)
		}
		c.pipeSize = bytes
		return nil
	}}
}

// ExclusiveReader says whether a reader takes the FIFO's exclusive lock
// (default true: a second fifochan reader fails with ErrFIFOBusy). Turn it
// off only to test the lock itself. Writers ignore it.
func ExclusiveReader(on bool) OpenOption {
	return openOpt{func(c *openConfig) error { c.exclusive = on; return nil }}
}

// --- Writer options ---

// WithChecksum makes a writer append a CRC-32C to every record it writes.
func WithChecksum() WriterOption {
	return writerOpt{func(c *writerConfig) error { c.checksum = true; return nil }}
}

// BufferSize sets a writer's coalescing buffer in bytes (default 256 KiB,
// at least MinBufferSize = 64 KiB). Records are written when the buffer
// fills; a Send waits (back-pressure) while it is full.
func BufferSize(bytes int) WriterOption {
	return writerOpt{func(c *writerConfig) error {
		if bytes < MinBufferSize {
			return optErr("BufferSize", "%d bytes is below the minimum %d", bytes, MinBufferSize)
		}
		c.bufSize = bytes
		return nil
	}}
}

// FanIn makes a writer safe to share a FIFO with other writers: every
// write holds whole records and at most PipeBuf (4096) bytes, and a larger
// record is refused with ErrFrameTooLong.
func FanIn() WriterOption {
	return writerOpt{func(c *writerConfig) error { c.fanIn = true; return nil }}
}

// WireVersion10 makes a writer emit wire format 1.0, byte for byte what
// fifochan 0.1 emitted, for readers that have not been upgraded. Such a
// writer refuses headers, sends no heartbeats, and an Abort closes the
// stream without an end-of-stream frame (the reader reports a truncated
// stream, an error). The default is wire format 1.1; upgrade readers
// first.
func WireVersion10() WriterOption {
	return writerOpt{func(c *writerConfig) error { c.version = version10; return nil }}
}

// --- Frame options (writers and readers) ---

// MaxFrameLength sets the largest payload a writer sends and a reader
// accepts, in bytes (default 16 MiB; 0 to 2^31-1). It also bounds
// delimited messages.
func MaxFrameLength(bytes int) FrameOption {
	check := func() error {
		if bytes < 0 || bytes > MaxFrameLengthLimit {
			return optErr("MaxFrameLength", "%d not in 0..%d", bytes, MaxFrameLengthLimit)
		}
		return nil
	}
	return frameOpt{
		w: func(c *writerConfig) error { c.maxFrame = bytes; return check() },
		r: func(c *readerConfig) error { c.maxFrame = bytes; return check() },
	}
}

// --- Reader options ---

// ExpectCodec makes a Reader accept only preambles whose codec it can read
// as name (see Accepts); without it a Reader accepts any codec. Receivers
// use their codec's name and do not need it.
func ExpectCodec(name string) ReaderOption {
	return readerOpt{func(c *readerConfig) error {
		if name == "" || len(name) > maxCodecLen || !printable(name) {
			return optErr("ExpectCodec", "codec name %q: want 1..%d printable ASCII characters", name, maxCodecLen)
		}
		c.expectCodec = name
		return nil
	}}
}

// --- Sender options ---

// FlushDelay sets how long a Sender lets accepted messages wait for more
// before it writes them when idle (default 50 µs; >= 0). Zero means
// write-through: Send returns once the message is in the pipe.
// Delays below 2 ms are slept precisely (nanosleep(2) on a goroutine of
// the Sender), not with Go timers, whose resolution is about 1 ms.
func FlushDelay(d time.Duration) SenderOption {
	return senderOpt(func(c *senderConfig) error {
		if d < 0 {
			return optErr("FlushDelay", "%v is negative", d)
		}
		c.flushDelay = d
		return nil
	})
}

// CloseTimeout bounds a Sender's Close and Abort (default 30 s; > 0):
// when the reader does not take the remaining bytes in time, the stream
// ends truncated and Close returns ErrCloseTimeout. CloseContext gives a
// bound per call.
func CloseTimeout(d time.Duration) SenderOption {
	return senderOpt(func(c *senderConfig) error {
		if d <= 0 {
			return optErr("CloseTimeout", "%v is not positive", d)
		}
		c.closeTimeout = d
		return nil
	})
}

// Heartbeat makes a Sender write a heartbeat record after it has written
// nothing for interval (default off; >= 1 ms). A reader never delivers a
// heartbeat; it proves that the writing process is alive, not that the
// application makes progress. Needs wire format 1.1.
func Heartbeat(interval time.Duration) SenderOption {
	return senderOpt(func(c *senderConfig) error {
		if interval < time.Millisecond {
			return optErr("Heartbeat", "interval %v is below 1ms", interval)
		}
		c.heartbeat = interval
		return nil
	})
}

// --- Receiver options ---

// Follow makes a Receiver keep reading across writer sessions: after each
// session (clean, aborted or broken) it reads the next writer's, and it
// re-opens a FIFO that was removed and created again at its path. A
// stream failure or an aborted end is returned once; then the Receiver
// goes on. Offsets restart at 0 on each descriptor.
func Follow() ReceiverOption {
	return receiverOpt(func(c *receiverConfig) error { c.follow = true; return nil })
}

// LivenessTimeout makes a Receiver report ErrLivenessTimeout when a writer
// session is open and no byte (message or heartbeat) has arrived for d
// (default off; >= 1 ms). The Receiver stays usable: the next call waits
// again.
func LivenessTimeout(d time.Duration) ReceiverOption {
	return receiverOpt(func(c *receiverConfig) error {
		if d < time.Millisecond {
			return optErr("LivenessTimeout", "%v is below 1ms", d)
		}
		c.liveness = d
		return nil
	})
}

// OnError passes the errors after which receiving goes on to fn instead
// of returning them: per-message failures (*MessageError: undecodable
// payloads, unknown types, bad tags, bad headers) and, for a following
// Receiver, the end of a broken or aborted writer session (*StreamError,
// *AbortedError). fn runs on the receiving goroutine. Without it Receive
// returns them (and goes on at the next call), and ReadChan reports them
// in its result.
func OnError(fn func(error)) ReceiverOption {
	return receiverOpt(func(c *receiverConfig) error {
		if fn == nil {
			return optErr("OnError", "nil function")
		}
		c.onError = fn
		return nil
	})
}
