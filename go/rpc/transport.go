package rpc

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fifochan.dev/fifochan"
)

// Pair is a FIFO pair, the first transport (Java's FifoPair, same file
// layout): the client writes requests into Request and reads responses
// from Response; the responder does the reverse. Either side may start
// first: each opens and locks its read end without waiting for a writer,
// then opens its write end, which waits until the peer's read end exists.
// Both create missing FIFOs (0600; see FIFOOptions). A pair carries one
// connection at a time.
type Pair struct {
	Request  string // the FIFO the client writes requests into
	Response string // the FIFO the responder writes responses into
}

// FIFOPair returns the pair of FIFOs at these paths.
func FIFOPair(request, response string) Pair { return Pair{Request: request, Response: response} }

func (p Pair) check() error {
	if p.Request == "" || p.Response == "" {
		return fmt.Errorf("rpc: a FIFO pair needs two paths")
	}
	if filepath.Clean(p.Request) == filepath.Clean(p.Response) {
		return fmt.Errorf("rpc: the request and response FIFOs must differ: %s", p.Request)
	}
	return nil
}

func (p Pair) String() string {
	return "FIFO pair (requests " + p.Request + ", responses " + p.Response + ")"
}

// Frame is one message frame of a connection's stream as request/response
// sees it: the type tag, the headers and the payload (wire format 1.1
// §4.1; an empty tag and payload make a control frame).
type Frame struct {
	Tag     string
	Headers fifochan.Headers
	Payload []byte
}

// ConnConfig is what a transport needs to open a connection's two
// sessions: this side's codec name (announced at the start of its
// session) and the settings of the Client or Responder.
type ConnConfig struct {
	Codec          string        // this side's codec name
	Heartbeat      time.Duration // this side's heartbeat interval (0: none)
	Liveness       time.Duration // the peer is silent after this long without a record (0: never)
	CloseTimeout   time.Duration // bounds a clean end
	MaxFrameLength int           // the largest payload written and accepted
	Checksum       bool          // a CRC-32C on every record (FIFO)
	FIFO           []fifochan.OpenOption
}

// Conn is one connection of a transport (Java's dev.fifochan.spi.Duplex):
// this side's writer session towards the peer and the peer's session
// towards this side. Send, Flush, CloseWrite and Abort are called by one
// goroutine at a time; Receive by one goroutine; CloseRead and Written
// from any.
type Conn interface {
	// Send accepts f for writing, waiting for room until ctx ends; it does
	// not keep f.Payload after it returns. Errors: ctx's error (not sent);
	// a *fifochan.MessageError (this frame refused, e.g. ErrFrameTooLong;
	// the connection goes on); any other error (the transport failed; not
	// sent), preferably a *fifochan.SendError.
	Send(ctx context.Context, f Frame) error
	// Flush writes what was accepted, until ctx ends (an ended ctx: what
	// can be written without waiting).
	Flush(ctx context.Context) error
	// Receive returns the peer's next frame (its Payload is the caller's).
	// Errors: io.EOF (the peer ended its session cleanly), a
	// *fifochan.AbortedError, fifochan.ErrTruncatedStream (the peer's
	// session broke off: it died), fifochan.ErrLivenessTimeout (the peer is
	// silent), a *fifochan.MessageError (a malformed frame; the next one is
	// intact), fifochan.ErrClosed after CloseRead; anything else breaks the
	// connection.
	Receive(ctx context.Context) (Frame, error)
	// CloseWrite ends this side's session cleanly, writing what was
	// accepted first, within ctx.
	CloseWrite(ctx context.Context) error
	// Abort ends this side's session with an aborted end carrying reason
	// (nothing if it has ended already).
	Abort(ctx context.Context, reason string) error
	// CloseRead stops reading: a pending Receive returns.
	CloseRead() error
	// Written is the number of frames every byte of which reached the
	// transport (written is not received).
	Written() int64
	// String names the connection, for errors and logs.
	String() string
}

// Dialer makes a client's connections (Java's Connector): Dial connects
// to a responder, waiting for one until ctx ends.
type Dialer interface {
	Dial(ctx context.Context, c ConnConfig) (Conn, error)
}

// Listener takes a responder's connections (Java's Acceptor): Accept
// waits until ctx ends for the next client. A Responder serves each
// connection on its own goroutine (a FIFO pair: one at a time) and closes
// the Listener when it shuts down.
type Listener interface {
	Accept(ctx context.Context, c ConnConfig) (Conn, error)
	Close() error
}

// Dial opens the client's end of the pair: its read end of Response
// (locked, not waiting for a writer), then its write end of Request,
// waiting for the responder's read end until ctx ends.
func (p Pair) Dial(ctx context.Context, c ConnConfig) (Conn, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return openFIFOConn(ctx, p.Response, p.Request, c)
}

// Accept opens the responder's end of the pair (Request to read, Response
// to write), waiting for a client until ctx ends. A pair carries one
// connection at a time: a Responder accepts the next one after the last
// one ended.
func (p Pair) Accept(ctx context.Context, c ConnConfig) (Conn, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return openFIFOConn(ctx, p.Request, p.Response, c)
}

// Close does nothing: a pair has nothing open between connections.
func (Pair) Close() error { return nil }

// frameCodec writes and reads Frames under a codec name: the tag and
// payload as they are. As a reader it accepts any codec in the preamble:
// the handshake compares codecs (docs/rpc.md §1).
type frameCodec struct{ name string }

func (c frameCodec) Name() string                             { return c.name }
func (frameCodec) Accepts(string) bool                        { return true }
func (frameCodec) Tag(f Frame) string                         { return f.Tag }
func (frameCodec) Append(dst []byte, f Frame) ([]byte, error) { return append(dst, f.Payload...), nil }
func (frameCodec) Decode(tag string, p []byte) (Frame, error) {
	return Frame{Tag: tag, Payload: append([]byte(nil), p...)}, nil
}

// fifoConn is a connection over two FIFOs.
type fifoConn struct {
	rx   *fifochan.Receiver[Frame]
	tx   *fifochan.Sender[Frame]
	desc string
}

// openFIFOConn opens readPath's read end (locked, not waiting), then
// writePath's write end, waiting for the peer's read end until ctx ends.
func openFIFOConn(ctx context.Context, readPath, writePath string, c ConnConfig) (*fifoConn, error) {
	ropts := []fifochan.ReceiverOption{fifochan.MaxFrameLength(c.MaxFrameLength)}
	sopts := []fifochan.SenderOption{fifochan.MaxFrameLength(c.MaxFrameLength), fifochan.CloseTimeout(c.CloseTimeout)}
	for _, o := range c.FIFO {
		ropts = append(ropts, o)
		sopts = append(sopts, o)
	}
	if c.Liveness > 0 {
		ropts = append(ropts, fifochan.LivenessTimeout(c.Liveness))
	}
	if c.Heartbeat > 0 {
		sopts = append(sopts, fifochan.Heartbeat(c.Heartbeat))
	}
	if c.Checksum {
		sopts = append(sopts, fifochan.WithChecksum())
	}
	rx, err := fifochan.OpenReceiver(ctx, readPath, frameCodec{c.Codec}, ropts...)
	if err != nil {
		return nil, err
	}
	tx, err := fifochan.OpenWriter(ctx, writePath, frameCodec{c.Codec}, sopts...)
	if err != nil {
		rx.Close()
		return nil, err
	}
	return &fifoConn{rx: rx, tx: tx, desc: readPath + " and " + writePath}, nil
}

func (f *fifoConn) Send(ctx context.Context, fr Frame) error {
	return f.tx.SendHeaders(ctx, fr, fr.Headers)
}
func (f *fifoConn) Flush(ctx context.Context) error { return f.tx.Flush(ctx) }
func (f *fifoConn) Receive(ctx context.Context) (Frame, error) {
	e, err := f.rx.ReceiveEnvelope(ctx)
	if err != nil {
		return Frame{}, err
	}
	return Frame{Tag: e.Tag, Headers: e.Headers, Payload: e.Value.Payload}, nil
}
func (f *fifoConn) CloseWrite(ctx context.Context) error { return f.tx.CloseContext(ctx) }
func (f *fifoConn) Abort(ctx context.Context, reason string) error {
	return f.tx.AbortContext(ctx, reason)
}
func (f *fifoConn) CloseRead() error { return f.rx.Close() }
func (f *fifoConn) Written() int64   { return f.tx.Stats().Written }
func (f *fifoConn) String() string   { return f.desc }
