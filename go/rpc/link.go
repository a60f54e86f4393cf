package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"fifochan.dev/fifochan"
)

// cleanEndTimeout bounds this side's clean end after the peer ended its
// stream cleanly (Java: a second).
const cleanEndTimeout = time.Second

// errLinkLost: the connection was lost before a frame was accepted (not sent).
var errLinkLost = errors.New("rpc: the connection was lost")

// doneCtx is a context that has ended: operations given it do only what
// needs no wait.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// loss says how a link was lost.
type loss struct {
	reason        Reason
	detail        string
	cause         error
	framesWritten int64 // frames every byte of which reached the transport
	local         bool  // closed by this side
}

// link is one connection, either side: the two streams, the handshake,
// sending under one lock (frames numbered in the order the Sender accepted
// them), the read loop, and losing the connection exactly once.
type link[T any] struct {
	d     *duplex[T]
	codec fifochan.Codec[T]
	cfg   *config
	stats *counters
	local hello
	// remote is the peer's hello, set before open.
	remote    hello
	hasRemote bool
	desc      string

	open  atomic.Bool // the handshake succeeded and the link is not lost
	lost  atomic.Bool
	drain atomic.Bool // going away

	sem        chan struct{} // the send lock
	waiting    atomic.Int32  // goroutines waiting for the send lock
	framesSent int64         // frames accepted by the Sender (under the send lock)

	lossDone chan struct{} // closed once loss is set
	loss     *loss

	ctx    context.Context // ends when the link is lost
	cancel context.CancelCauseFunc

	onFrame func(k kind, e fifochan.Envelope[in])
	onLost  func(*loss)
}

func newLink[T any](d *duplex[T], codec fifochan.Codec[T], cfg *config, stats *counters, role string) *link[T] {
	l := &link[T]{d: d, codec: codec, cfg: cfg, stats: stats, desc: d.desc, sem: make(chan struct{}, 1),
		lossDone: make(chan struct{})}
	l.local = localHello(role, cfg.service, codec.Name(), int64(cfg.heartbeat),
		"fifochan-go pid "+strconv.Itoa(os.Getpid()))
	l.ctx, l.cancel = context.WithCancelCause(context.Background())
	return l
}

// lockSend takes the send lock, waiting until ctx ends.
func (l *link[T]) lockSend(ctx context.Context) bool {
	select {
	case l.sem <- struct{}{}:
		return true
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	select {
	case l.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *link[T]) unlockSend() { <-l.sem }

// send sends one frame, waiting for the send lock and for room until ctx
// ends; writes it at once unless another sender waits behind (who then
// writes both: group commit). accepted, if not nil, is told the frame's
// number while the lock is held. Errors: errLinkLost (not sent), ctx's
// error (not sent), the Sender's errors (*fifochan.MessageError: this
// frame refused; *fifochan.SendError: not sent).
func (l *link[T]) send(ctx context.Context, f out[T], h fifochan.Headers, accepted func(int64)) error {
	if !l.lockSend(ctx) {
		return ctx.Err()
	}
	defer l.unlockSend()
	if l.lost.Load() {
		return errLinkLost
	}
	if err := l.d.tx.SendHeaders(ctx, f, h); err != nil {
		return err
	}
	l.framesSent++
	if accepted != nil {
		accepted(l.framesSent)
	}
	if l.waiting.Load() == 0 {
		// Write now what fits; what does not, the Sender's idle flush writes.
		l.d.tx.Flush(doneCtx)
	}
	return nil
}

// sendControl sends a control frame (no tag, empty payload).
func (l *link[T]) sendControl(ctx context.Context, h fifochan.Headers) error {
	return l.send(ctx, out[T]{control: true}, h, nil)
}

// sendError sends an error frame; id 0 is a connection error.
func (l *link[T]) sendError(ctx context.Context, id int64, code Code, message, field string) error {
	return l.sendControl(ctx, errorHeaders(id, code, message, field))
}

// Notify sends a one-way notification to the peer.
func (l *link[T]) Notify(ctx context.Context, op string, msg T) error {
	if err := checkOp(op); err != nil {
		return err
	}
	if !l.open.Load() {
		return &Error{Code: Unavailable, Message: "the connection is not open", Op: op}
	}
	h := kindHeaders(kindNotify, 2)
	if op != "" && op != l.codec.Tag(msg) {
		h = h.str(hOp, op)
	}
	if err := l.send(ctx, out[T]{v: msg}, fifochan.Headers(h), nil); err != nil {
		return l.sendFailure(op, 0, err, "the notification")
	}
	l.stats.notifSent.Add(1)
	return nil
}

// sendFailure maps an error of send to a local status error.
func (l *link[T]) sendFailure(op string, id int64, err error, what string) error {
	switch {
	case errors.Is(err, errLinkLost) || l.lost.Load():
		return &Error{Code: Unavailable, Message: "the connection was lost; " + what + " was not sent", Op: op, CallID: id, Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: DeadlineExceeded, Message: "no room in the transport before the deadline; " + what + " was not sent", Op: op, CallID: id, Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Code: Canceled, Message: "cancelled before " + what + " was sent", Op: op, CallID: id, Err: err}
	case errors.Is(err, fifochan.ErrFrameTooLong):
		return &Error{Code: ResourceExhausted, Message: what + " is too long: " + err.Error(), Op: op, CallID: id, Err: err}
	case errors.Is(err, fifochan.ErrEncode), errors.Is(err, fifochan.ErrDecode):
		return &Error{Code: InvalidArgument, Message: what + " cannot be encoded: " + err.Error(), Op: op, CallID: id, Err: err}
	}
	return &Error{Code: Unavailable, Message: what + " could not be sent: " + err.Error(), Op: op, CallID: id, Err: err}
}

// Open reports whether the connection is open.
func (l *link[T]) Open() bool { return l.open.Load() }

// Description names the connection (for FIFOs: the paths).
func (l *link[T]) Description() string { return l.desc }

// ---------------------------------------------------------------- the handshake

// handshake sends this side's hello, reads the peer's first frame and
// checks it (docs/rpc.md §4). On a mismatch it tells the peer, closes the
// connection and returns the *HandshakeError; on any other failure it
// closes the connection and returns the error.
func (l *link[T]) handshake() error {
	ctx, cancel := context.WithTimeout(l.ctx, l.cfg.handshakeTimeout)
	defer cancel()
	if err := l.sendControl(ctx, l.local.headers()); err != nil {
		l.abandon()
		return err
	}
	if err := l.d.tx.Flush(ctx); err != nil {
		l.abandon()
		return err
	}
	env, err := l.d.rx.ReceiveEnvelope(ctx)
	if err != nil {
		var me *fifochan.MessageError
		if errors.As(err, &me) {
			return l.reject(l.mismatch(FieldHello, "hello", false, "a malformed frame", false, err.Error()))
		}
		l.abandon()
		switch {
		case ctx.Err() != nil && l.ctx.Err() == nil:
			return &Error{Code: Unavailable, Message: fmt.Sprintf("no hello from the peer within %v", l.cfg.handshakeTimeout), Err: err}
		case err == io.EOF:
			return &Error{Code: Unavailable, Message: "the peer ended its stream before its hello"}
		}
		return &Error{Code: Unavailable, Message: "no hello from the peer: " + err.Error(), Err: err}
	}
	h := env.Headers
	kv, ok := h.Get(hKind)
	k := kindOf(kv, ok)
	if k == kindError && idOf(h) == 0 {
		l.abandon()
		return l.fromPeer(h)
	}
	if k != kindHello {
		return l.reject(l.mismatch(FieldHello, "hello", false, string(kv), !ok, "the first frame must be a hello"))
	}
	r := parseHello(h)
	if mm := l.check(r); mm != nil {
		return l.reject(mm)
	}
	l.remote, l.hasRemote = r, true
	l.open.Store(true)
	return nil
}

func (l *link[T]) mismatch(field, local string, localAbsent bool, remote string, remoteAbsent bool, detail string) *HandshakeError {
	return &HandshakeError{Field: field, Local: local, LocalAbsent: localAbsent, Remote: remote, RemoteAbsent: remoteAbsent,
		Peer: l.desc, Detail: detail}
}

// check returns the first mismatch of r against this side's hello, in the
// order of docs/rpc.md §4, or nil.
func (l *link[T]) check(r hello) *HandshakeError {
	lh := l.local
	if !r.has[0] || r.version != lh.version {
		return l.mismatch(FieldVersion, lh.version, false, r.version, !r.has[0], "")
	}
	peerRole := roleClient
	if lh.role == roleClient {
		peerRole = roleResponder
	}
	if !r.has[1] || r.role != peerRole {
		return l.mismatch(FieldRole, lh.role, false, r.role, !r.has[1], "a client connects to a responder")
	}
	if !r.has[2] || r.service != lh.service {
		return l.mismatch(FieldService, lh.service, false, r.service, !r.has[2], "")
	}
	if !r.has[3] || r.codec != lh.codec {
		return l.mismatch(FieldCodec, lh.codec, false, r.codec, !r.has[3], "")
	}
	if lv := int64(l.cfg.liveness); lv > 0 && (!r.heartbeatOK || r.heartbeatNanos == 0 || r.heartbeatNanos > lv/2) {
		return l.mismatch(FieldHeartbeat, strconv.FormatInt(lv, 10), false, r.heartbeat, !r.has[4],
			"this side's liveness timeout in ns needs the peer's heartbeat interval to be at most half of it")
	}
	return nil
}

// reject tells the peer about a mismatch this side found (a connection
// error with status 9, then an aborted end with the same text), closes the
// connection, and returns e.
func (l *link[T]) reject(e *HandshakeError) error {
	text := e.text()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.sendError(ctx, 0, FailedPrecondition, text, e.Field)
	l.lost.Store(true)
	l.open.Store(false)
	l.d.tx.AbortContext(ctx, text) // the reason is cut to 1024 bytes by the Sender
	l.d.rx.Close()
	l.cancel(e)
	return e
}

// fromPeer is the *HandshakeError a peer's connection error (status 9)
// reports, with both values taken from the two hellos.
func (l *link[T]) fromPeer(h fifochan.Headers) *HandshakeError {
	fv, _ := h.Get(hField)
	msg, _ := h.Get(hMessage)
	e := &HandshakeError{Field: FieldHello, LocalAbsent: true, RemoteAbsent: true, DetectedByPeer: true, Peer: l.desc,
		Detail: string(msg)}
	lh, r := l.local, l.remote
	pick := func(field, local, remote string, i int) {
		e.Field, e.Local, e.LocalAbsent = field, local, false
		if l.hasRemote && r.has[i] {
			e.Remote, e.RemoteAbsent = remote, false
		}
	}
	switch string(fv) {
	case FieldVersion:
		pick(FieldVersion, lh.version, r.version, 0)
	case FieldRole:
		pick(FieldRole, lh.role, r.role, 1)
	case FieldService:
		pick(FieldService, lh.service, r.service, 2)
	case FieldCodec:
		pick(FieldCodec, lh.codec, r.codec, 3)
	case FieldHeartbeat:
		e.Field, e.Local, e.LocalAbsent = FieldHeartbeat, lh.heartbeat, false
	}
	return e
}

// ---------------------------------------------------------------- reading

// readLoop reads and dispatches frames until the link is lost.
func (l *link[T]) readLoop() {
	for !l.lost.Load() {
		env, err := l.d.rx.ReceiveEnvelope(l.ctx)
		if err == nil {
			kv, ok := env.Headers.Get(hKind)
			k := kindOf(kv, ok)
			if k == kindUnknown {
				l.stats.ignored.Add(1)
				continue
			}
			l.onFrame(k, env)
			continue
		}
		var me *fifochan.MessageError
		var ae *fifochan.AbortedError
		switch {
		case errors.As(err, &me):
			l.stats.ignored.Add(1) // a malformed frame (bad tag or headers); the next one is intact
		case err == io.EOF:
			l.lose(Ended, "it ended its stream", nil)
		case errors.As(err, &ae):
			l.lose(Ended, "it aborted its stream: "+ae.Reason, err)
		case errors.Is(err, fifochan.ErrLivenessTimeout):
			l.lose(Silent, err.Error(), err)
		case errors.Is(err, fifochan.ErrTruncatedStream):
			l.lose(Exited, err.Error(), err)
		case errors.Is(err, fifochan.ErrClosed), l.ctx.Err() != nil:
			l.lose(Broken, "the connection was closed", err)
		default:
			l.lose(Broken, err.Error(), err)
		}
	}
}

// ---------------------------------------------------------------- losing the link

// lose loses the link once: after a clean end from the peer it ends this
// side's stream cleanly too (within a second); it stops the Sender at
// once, waits for sends in progress to settle, records how many frames
// reached the transport, and tells onLost. Later calls do nothing.
func (l *link[T]) lose(reason Reason, detail string, cause error) bool {
	if !l.lost.CompareAndSwap(false, true) {
		return false
	}
	l.open.Store(false)
	if reason == Ended && cause == nil {
		ctx, cancel := context.WithTimeout(context.Background(), cleanEndTimeout)
		l.d.tx.CloseContext(ctx)
		cancel()
	}
	l.d.tx.AbortContext(doneCtx, "connection lost: "+reason.String())
	l.d.rx.Close()
	l.cancel(&PeerGoneError{Reason: reason, Peer: l.desc, Detail: detail, Err: cause})
	l.sem <- struct{}{} // sends in progress have settled
	written := l.d.tx.Stats().Written
	<-l.sem
	l.record(&loss{reason: reason, detail: detail, cause: cause, framesWritten: written})
	return true
}

// closeGracefully ends the link from this side: the Sender writes what
// was accepted and a clean end within timeout, the connection closes, and
// onLost is told of a local close. Does nothing if already lost.
func (l *link[T]) closeGracefully(timeout time.Duration) {
	if !l.lost.CompareAndSwap(false, true) {
		return
	}
	l.open.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	l.d.tx.CloseContext(ctx)
	cancel()
	l.d.rx.Close()
	l.cancel(errClosedHere)
	l.sem <- struct{}{}
	written := l.d.tx.Stats().Written
	<-l.sem
	l.record(&loss{reason: Ended, detail: "closed by this side", framesWritten: written, local: true})
}

var errClosedHere = errors.New("rpc: closed by this side")

func (l *link[T]) record(lo *loss) {
	l.loss = lo
	close(l.lossDone)
	if l.onLost != nil {
		l.onLost(lo)
	}
}

// abandon closes a link that never opened.
func (l *link[T]) abandon() {
	l.lost.Store(true)
	l.open.Store(false)
	l.d.tx.AbortContext(doneCtx, "handshake failed")
	l.d.rx.Close()
	l.cancel(errClosedHere)
}

// draining reports whether the peer said it is going away (a client
// sends no new calls on this link).
func (l *link[T]) draining() bool { return l.drain.Load() }

func (l *link[T]) setDraining() { l.drain.Store(true) }
