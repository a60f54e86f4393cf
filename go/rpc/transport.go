package rpc

import (
	"context"
	"fmt"
	"path/filepath"

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

// out is a frame to send: a control frame (no tag, empty payload) or a
// value of the connection's codec.
type out[T any] struct {
	control bool
	v       T
}

// outCodec encodes out frames with the user's codec.
type outCodec[T any] struct{ c fifochan.Codec[T] }

func (o outCodec[T]) Name() string { return o.c.Name() }
func (o outCodec[T]) Tag(f out[T]) string {
	if f.control {
		return ""
	}
	return o.c.Tag(f.v)
}
func (o outCodec[T]) Append(dst []byte, f out[T]) ([]byte, error) {
	if f.control {
		return dst, nil
	}
	return o.c.Append(dst, f.v)
}
func (outCodec[T]) Decode(string, []byte) (out[T], error) {
	return out[T]{}, fmt.Errorf("rpc: outCodec does not decode")
}

// in is a frame as read: its tag and a copy of its payload (the headers
// come with the envelope); decoding waits until the headers were seen.
type in struct {
	tag     string
	payload []byte
}

// inCodec keeps frames undecoded and accepts any codec in the preamble:
// the handshake compares codecs (docs/rpc.md §1).
type inCodec struct{ name string }

func (c inCodec) Name() string      { return c.name }
func (inCodec) Accepts(string) bool { return true }
func (inCodec) Tag(in) string       { return "" }
func (inCodec) Append(dst []byte, _ in) ([]byte, error) {
	return dst, fmt.Errorf("rpc: inCodec does not encode")
}
func (inCodec) Decode(tag string, p []byte) (in, error) {
	return in{tag: tag, payload: append([]byte(nil), p...)}, nil
}

// duplex is one connection's two streams.
type duplex[T any] struct {
	rx   *fifochan.Receiver[in]
	tx   *fifochan.Sender[out[T]]
	desc string
}

// openDuplex opens readPath's read end (locked, not waiting), then
// writePath's write end, waiting for the peer's read end until ctx ends.
func openDuplex[T any](ctx context.Context, readPath, writePath string, codec fifochan.Codec[T], cfg *config) (*duplex[T], error) {
	ropts := []fifochan.ReceiverOption{fifochan.MaxFrameLength(cfg.maxFrame)}
	sopts := []fifochan.SenderOption{fifochan.MaxFrameLength(cfg.maxFrame), fifochan.CloseTimeout(cfg.closeTimeout)}
	for _, o := range cfg.open {
		ropts = append(ropts, o)
		sopts = append(sopts, o)
	}
	if cfg.liveness > 0 {
		ropts = append(ropts, fifochan.LivenessTimeout(cfg.liveness))
	}
	if cfg.heartbeat > 0 {
		sopts = append(sopts, fifochan.Heartbeat(cfg.heartbeat))
	}
	if cfg.checksum {
		sopts = append(sopts, fifochan.WithChecksum())
	}
	rx, err := fifochan.OpenReceiver(ctx, readPath, inCodec{codec.Name()}, ropts...)
	if err != nil {
		return nil, err
	}
	tx, err := fifochan.OpenWriter(ctx, writePath, outCodec[T]{codec}, sopts...)
	if err != nil {
		rx.Close()
		return nil, err
	}
	return &duplex[T]{rx: rx, tx: tx, desc: readPath + " and " + writePath}, nil
}
