package fcnats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/rpc"
)

// Request/response over NATS (docs/nats.md §5), as Java's
// Nats.connector and Nats.acceptor: a client makes an inbox C and sends a
// NATS request to the service subject with the headers fc-rec: connect and
// fc-inbox: C; a responder makes an inbox S, subscribes to it and replies
// fc-rec: connect, fc-inbox: S. The client then writes its session to S
// and the responder its session to C: two ordinary sessions (§2), core
// NATS. The package rpc runs on them unchanged:
//
//	c, _ := rpc.NewClient(fcnats.Dialer(nc, "svc.prices", fcnats.Options{}), codec, rpc.Service("prices"))
//	l, _ := fcnats.Listen(nc, "svc.prices", fcnats.Options{QueueGroup: "prices"})
//	r.Serve(l)

// connectRetry is the pause between connect requests that found no
// responder.
const connectRetry = 100 * time.Millisecond

// Dialer returns the client side of request/response on the service
// subject: each Dial asks a responder for a connection, waiting for one
// until its ctx ends (either side may start first). opts: Mode must be
// ModeCore; PendingMsgs and PendingBytes apply; Heartbeat and Liveness come
// from the rpc configuration.
func Dialer(nc *nats.Conn, service string, opts Options) rpc.Dialer {
	return &dialer{nc: nc, service: service, opts: opts}
}

// Listen subscribes to the service subject (in opts.QueueGroup, if any:
// responders in one group share the clients) and returns the responder
// side of request/response: each Accept answers the next client's connect
// request. The Responder that serves it closes it (unsubscribes).
func Listen(nc *nats.Conn, service string, opts Options) (rpc.Listener, error) {
	if opts.Mode != ModeCore {
		return nil, errCoreOnly
	}
	var sub *nats.Subscription
	var err error
	if opts.QueueGroup != "" {
		sub, err = nc.QueueSubscribeSync(service, opts.QueueGroup)
	} else {
		sub, err = nc.SubscribeSync(service)
	}
	if err != nil {
		return nil, fmt.Errorf("fcnats: listening on %s: %w", service, err)
	}
	if err := nc.FlushTimeout(5 * time.Second); err != nil { // subscribed at the server when this returns
		sub.Unsubscribe()
		return nil, fmt.Errorf("fcnats: listening on %s: %w", service, err)
	}
	return &listener{nc: nc, service: service, opts: opts, sub: sub}, nil
}

var errCoreOnly = errors.New("fcnats: request/response over NATS uses core NATS (calls are at most once)")

type dialer struct {
	nc      *nats.Conn
	service string
	opts    Options
}

func (d *dialer) String() string { return "nats:" + d.service }

func (d *dialer) Dial(ctx context.Context, c rpc.ConnConfig) (rpc.Conn, error) {
	if d.opts.Mode != ModeCore {
		return nil, errCoreOnly
	}
	o := connOptions(d.opts, c)
	inbox := nats.NewInbox()
	rx, err := OpenReceiver(ctx, d.nc, inbox, frameCodec{c.Codec}, o)
	if err != nil {
		return nil, err
	}
	req := &nats.Msg{Subject: d.service, Header: nats.Header{HdrRec: {recConnect}, HdrInbox: {inbox}}}
	for {
		if d.nc.IsClosed() {
			rx.Close()
			return nil, ErrConnectionClosed
		}
		var peer string
		if d.nc.IsConnected() {
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			reply, err := d.nc.RequestMsgWithContext(rctx, req)
			cancel()
			if err == nil {
				peer, _ = first(reply.Header, HdrInbox)
			}
		}
		if peer != "" {
			tx, err := openSender(ctx, d.nc, peer, frameCodec{c.Codec}, o, "")
			if err != nil {
				rx.Close()
				return nil, err
			}
			return &conn{tx: tx, rx: rx, maxFrame: c.MaxFrameLength,
				desc: "nats:" + d.service + " (client " + inbox + " <-> responder " + peer + ")"}, nil
		}
		t := time.NewTimer(connectRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			rx.Close()
			return nil, fmt.Errorf("fcnats: no responder on %s: %w", d.service, ctx.Err())
		case <-t.C:
		}
	}
}

type listener struct {
	nc      *nats.Conn
	service string
	opts    Options
	sub     *nats.Subscription
}

func (l *listener) Accept(ctx context.Context, c rpc.ConnConfig) (rpc.Conn, error) {
	o := connOptions(l.opts, c)
	for {
		m, err := l.sub.NextMsgWithContext(ctx)
		if err != nil {
			if l.nc.IsClosed() {
				return nil, ErrConnectionClosed
			}
			return nil, err
		}
		rec, _ := first(m.Header, HdrRec)
		client, _ := first(m.Header, HdrInbox)
		if rec != recConnect || client == "" || m.Reply == "" {
			continue // not a connect request
		}
		inbox := nats.NewInbox()
		rx, err := OpenReceiver(ctx, l.nc, inbox, frameCodec{c.Codec}, o)
		if err != nil {
			return nil, err
		}
		tx, err := openSender(ctx, l.nc, client, frameCodec{c.Codec}, o, "")
		if err == nil {
			err = flush(ctx, l.nc) // the inbox is subscribed at the server before the client may publish to it
		}
		if err == nil {
			err = l.nc.PublishMsg(&nats.Msg{Subject: m.Reply, Header: nats.Header{HdrRec: {recConnect}, HdrInbox: {inbox}}})
		}
		if err != nil {
			rx.Close()
			if tx != nil {
				tx.AbortContext(doneCtx, "the connection could not be set up")
			}
			if ctx.Err() != nil || l.nc.IsClosed() {
				return nil, err
			}
			continue // the client is gone or the connection dropped: wait for the next one
		}
		return &conn{tx: tx, rx: rx, maxFrame: c.MaxFrameLength,
			desc: "nats:" + l.service + " (responder " + inbox + " <-> client " + client + ")"}, nil
	}
}

func (l *listener) Close() error { return l.sub.Unsubscribe() }

func flush(ctx context.Context, nc *nats.Conn) error {
	if _, ok := ctx.Deadline(); ok {
		return nc.FlushWithContext(ctx)
	}
	return nc.FlushTimeout(5 * time.Second)
}

// doneCtx is a context that has ended: a call given it waits for nothing.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// connOptions are a connection's sessions' options: core NATS, not
// following (the peer's end ends the connection), the rpc side's
// heartbeat and liveness.
func connOptions(o Options, c rpc.ConnConfig) Options {
	o.Mode = ModeCore
	o.Follow = false
	o.Heartbeat = c.Heartbeat
	o.Liveness = c.Liveness
	o.AssumedCodec = c.Codec
	return o
}

// frameCodec carries rpc frames under a codec name: the tag and payload as
// they are; as a reader it accepts any codec (the handshake compares
// codecs, docs/rpc.md §1).
type frameCodec struct{ name string }

func (c frameCodec) Name() string         { return c.name }
func (frameCodec) Accepts(string) bool    { return true }
func (frameCodec) Tag(f rpc.Frame) string { return f.Tag }
func (frameCodec) Append(dst []byte, f rpc.Frame) ([]byte, error) {
	return append(dst, f.Payload...), nil
}
func (frameCodec) Decode(tag string, p []byte) (rpc.Frame, error) {
	return rpc.Frame{Tag: tag, Payload: p}, nil // p is the NATS message's own
}

// conn is one request/response connection: this side's session on the
// peer's inbox and the peer's session on this side's.
type conn struct {
	tx       *Sender[rpc.Frame]
	rx       *Receiver[rpc.Frame]
	desc     string
	maxFrame int
}

func (c *conn) Send(ctx context.Context, f rpc.Frame) error {
	if c.maxFrame > 0 && len(f.Payload) > c.maxFrame {
		return &fifochan.MessageError{Kind: fifochan.ErrFrameTooLong, Offset: -1,
			Detail: fmt.Sprintf("payload of %d bytes, the maximum frame length is %d", len(f.Payload), c.maxFrame)}
	}
	err := c.tx.SendHeaders(ctx, f, f.Headers)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%w (%v)", ctx.Err(), err) // not sent
	case errors.Is(err, fifochan.ErrFrameTooLong), errors.Is(err, fifochan.ErrBadHeaders), errors.Is(err, fifochan.ErrEncode):
		kind := fifochan.ErrFrameTooLong
		if errors.Is(err, fifochan.ErrBadHeaders) {
			kind = fifochan.ErrBadHeaders
		} else if errors.Is(err, fifochan.ErrEncode) {
			kind = fifochan.ErrEncode
		}
		return &fifochan.MessageError{Kind: kind, Offset: -1, Err: err} // this frame refused; the connection goes on
	}
	return &fifochan.SendError{Op: "send", Kind: err, Message: fifochan.NotSent, Written: c.tx.Written(), Err: err}
}

// Flush: nats.go writes what was published promptly by itself; with a
// live ctx this waits for a server round trip.
func (c *conn) Flush(ctx context.Context) error {
	if ctx.Err() != nil {
		return nil
	}
	return flush(ctx, c.tx.nc)
}

func (c *conn) Receive(ctx context.Context) (rpc.Frame, error) {
	e, err := c.rx.ReceiveEnvelope(ctx)
	if err != nil {
		if errors.Is(err, errSilent) {
			// over NATS a dead peer shows only as silence
			return rpc.Frame{}, fmt.Errorf("%w: %w", fifochan.ErrLivenessTimeout, err)
		}
		return rpc.Frame{}, err
	}
	return rpc.Frame{Tag: e.Tag, Headers: e.Headers, Payload: e.Value.Payload}, nil
}

func (c *conn) CloseWrite(ctx context.Context) error { return c.tx.CloseContext(ctx) }
func (c *conn) Abort(ctx context.Context, reason string) error {
	return c.tx.AbortContext(ctx, reason)
}
func (c *conn) CloseRead() error { return c.rx.Close() }
func (c *conn) Written() int64   { return c.tx.Written() }
func (c *conn) String() string   { return c.desc }
