package fifochan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"syscall"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Delimited mode reads and writes plain varint-delimited protobuf streams
// (each message preceded by its size as a varint), the format of Java's
// writeDelimitedTo/parseDelimitedFrom and of protodelim. It has no
// preamble, no type tag, no checksum and no end-of-stream marker: a
// writer that crashes exactly between two messages cannot be told from
// one that closed cleanly. Use it only to talk to peers that do not speak
// fifochan.

// DelimitedWriter writes varint-delimited protobuf messages, buffered.
// It is not safe for concurrent use.
type DelimitedWriter struct {
	w   *bufio.Writer
	cw  countWriter
	max int
	err error
}

// NewDelimitedWriter returns a DelimitedWriter on w. Options:
// MaxFrameLength (largest message accepted, default 16 MiB), BufferSize;
// the others do not apply to this format and are refused.
func NewDelimitedWriter(w io.Writer, opts ...WriterOption) (*DelimitedWriter, error) {
	cfg, err := newWriterConfig(opts)
	if err != nil {
		return nil, err
	}
	if def := defaultWriter(); cfg.checksum || cfg.fanIn || cfg.version != def.version {
		return nil, errors.New("fifochan: WithChecksum, FanIn and WireVersion10 do not apply to delimited streams")
	}
	d := &DelimitedWriter{max: cfg.maxFrame}
	d.cw.w = w
	d.w = bufio.NewWriterSize(&d.cw, cfg.bufSize)
	return d, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Write buffers m. A message larger than the maximum is refused with
// ErrFrameTooLong and the writer stays usable.
func (d *DelimitedWriter) Write(m proto.Message) error {
	if d.err != nil {
		return d.err
	}
	if n := proto.Size(m); n > d.max {
		return &MessageError{Kind: ErrFrameTooLong, Offset: -1, Detail: fmt.Sprintf("message of %d bytes > maximum %d", n, d.max)}
	}
	_, err := protodelim.MarshalTo(d.w, m)
	return d.check(err)
}

// Flush writes the buffered messages.
func (d *DelimitedWriter) Flush() error {
	if d.err != nil {
		return d.err
	}
	return d.check(d.w.Flush())
}

func (d *DelimitedWriter) check(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EPIPE):
		d.err = &SendError{Op: "write", Kind: ErrPeerClosed, Err: err}
	case d.cw.n > 0 || d.w.Buffered() > 0:
		d.err = fmt.Errorf("fifochan: delimited write at offset %d: %w", d.cw.n, err)
	default:
		return err // a marshal error: nothing was written
	}
	return d.err
}

// DelimitedReader reads varint-delimited protobuf messages.
// It is not safe for concurrent use.
type DelimitedReader struct {
	r   countReader
	max int
	err error
}

// NewDelimitedReader returns a DelimitedReader of r. Option:
// MaxFrameLength (largest message accepted, default 16 MiB); ExpectCodec
// does not apply to this format and is refused.
func NewDelimitedReader(r io.Reader, opts ...ReaderOption) (*DelimitedReader, error) {
	cfg, err := newReaderConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.expectCodec != "" {
		return nil, errors.New("fifochan: ExpectCodec does not apply to delimited streams")
	}
	return &DelimitedReader{r: countReader{r: bufio.NewReaderSize(r, readBufferSize)}, max: cfg.maxFrame}, nil
}

type countReader struct {
	r     *bufio.Reader
	n     int64
	eof   bool  // the underlying reader reported io.EOF
	ioErr error // last non-EOF error of the underlying reader
}

func (c *countReader) note(err error) {
	if err == io.EOF {
		c.eof = true
	} else if err != nil {
		c.ioErr = err
	}
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.note(err)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	c.note(err)
	return b, err
}

// Read reads the next message into m. It returns io.EOF at end of file
// between messages (which may also be a crash, see above),
// ErrTruncatedStream inside a message, ErrFrameTooLong for a size above
// the maximum, ErrCorruptFrame for a malformed size, and ErrDecode (the
// reader stays usable) when the message does not parse.
func (d *DelimitedReader) Read(m proto.Message) error {
	if d.err != nil {
		return d.err
	}
	start := d.r.n
	d.r.ioErr = nil
	err := protodelim.UnmarshalOptions{MaxSize: int64(d.max)}.UnmarshalFrom(&d.r, m)
	var tooLarge *protodelim.SizeTooLargeError
	switch {
	case err == nil:
		return nil
	case err == io.EOF && d.r.n == start:
		d.err = io.EOF
	case err == io.EOF || err == io.ErrUnexpectedEOF || (d.r.eof && isParseError(err)):
		d.err = streamErr(ErrTruncatedStream, start, "end of file inside a delimited message")
	case errors.As(err, &tooLarge):
		d.err = streamErr(ErrFrameTooLong, start, "message size %d > maximum %d", tooLarge.Size, d.max)
	case d.r.ioErr != nil && errors.Is(err, d.r.ioErr):
		d.err = fmt.Errorf("fifochan: delimited read at offset %d: %w", d.r.n, err)
	case isParseError(err) && d.r.n-start <= 10:
		d.err = streamErr(ErrCorruptFrame, start, "malformed message size")
	default:
		// The whole message was consumed; the next one is intact.
		return &MessageError{Kind: ErrDecode, Offset: start, Err: err}
	}
	return d.err
}

// isParseError reports whether err is protowire's varint parse error.
func isParseError(err error) bool {
	return err != nil && (errors.Is(err, protowire.ParseError(-1)) || errors.Is(err, protowire.ParseError(-2)) || errors.Is(err, protowire.ParseError(-3)))
}
