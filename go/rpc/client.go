package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"fifochan.dev/fifochan"
)

// Peer is the far side of a connection, as handlers see it: notifications
// may be sent to it.
type Peer[T any] interface {
	// Notify sends a one-way notification (fc-op: op, or the message's
	// type tag if op is ""), waiting for room until ctx ends.
	Notify(ctx context.Context, op string, msg T) error
	// Open reports whether the connection is open.
	Open() bool
	// Description names the connection (for FIFOs: the paths).
	Description() string
}

// Client is the calling side of request/response (docs/rpc.md): it sends
// calls and notifications to a responder over connections it makes in the
// background, and matches every answer to its call by correlation id. It
// is safe for concurrent use.
//
// NewClient returns at once; a goroutine connects, shakes hands, reads
// answers, and after the connection is lost connects again, for as long as
// the client is open. A call made while there is no connection waits for
// one until its ctx ends (it has not been written, so waiting is safe). A
// handshake mismatch (*HandshakeError) is final: the client stops, and
// every call fails with it.
//
// Calls are at-most-once: nothing is ever retried automatically. When the
// connection is lost, every call pending on it fails at once with a
// *PeerGoneError whose RequestWritten says whether a retry is safe. An
// answer that arrives after its call ended (deadline, cancel) is dropped
// and counted (Stats().LateFramesDropped), never delivered to another
// call.
type Client[T any] struct {
	pair   Pair
	codec  fifochan.Codec[T]
	cfg    config
	notify func(op string, msg T, from Peer[T])
	stats  counters
	ids    atomic.Int64

	pmu     sync.Mutex
	pending map[int64]*pendingCall[T]

	mu              sync.Mutex
	link            *link[T] // the open link, or nil
	changed         chan struct{}
	closed          bool
	failure         *HandshakeError
	connectedBefore bool

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	done   chan struct{} // the connection goroutine ended
	events *serial
}

// pendingCall is a call from start to its one ending; ended exactly once,
// by whoever removes it from the table.
type pendingCall[T any] struct {
	id     int64
	op     string
	link   atomic.Pointer[link[T]]
	frame  atomic.Int64 // the request frame's number on its link; 0 until accepted
	done   chan struct{}
	value  T
	err    error
	stream *Stream[T]
	stop   func() bool // stops the stream's ctx watch
}

// written reports whether every byte of the request reached the transport,
// given how many frames did.
func (c *pendingCall[T]) written(framesWritten int64) bool {
	n := c.frame.Load()
	return n > 0 && n <= framesWritten
}

// NewClient returns a client of the responder at the other end of pair
// whose payloads use codec; it starts connecting in the background at
// once. Close it when done.
func NewClient[T any](pair Pair, codec fifochan.Codec[T], opts ...Option) (*Client[T], error) {
	if err := pair.check(); err != nil {
		return nil, err
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	c := &Client[T]{pair: pair, codec: codec, cfg: cfg, pending: map[int64]*pendingCall[T]{},
		changed: make(chan struct{}), done: make(chan struct{}), events: newSerial()}
	if cfg.notify != nil {
		fn, ok := cfg.notify.(func(string, T, Peer[T]))
		if !ok {
			return nil, optErr("OnNotification", "the handler is a %T, not a func(string, %T, rpc.Peer[%T])", cfg.notify, *new(T), *new(T))
		}
		c.notify = fn
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.run()
	return c, nil
}

// ---------------------------------------------------------------- calls

// Call calls op with req and returns the reply. op "" calls the operation
// named by the request's type tag. ctx's deadline travels as fc-timeout
// (the time remaining when the request is written); when ctx ends first
// the call fails (CANCELLED or DEADLINE_EXCEEDED, errors.Is with the
// context error) and a cancel frame is sent. Errors: an *Error (the
// responder's status, Remote; or a local one), a *PeerGoneError, a
// *HandshakeError.
func (c *Client[T]) Call(ctx context.Context, op string, req T) (T, error) {
	pc := c.start(ctx, op, req, false)
	select {
	case <-pc.done:
	case <-ctx.Done():
		c.cancelCall(pc, ctx)
		<-pc.done
	}
	return pc.value, pc.err
}

// CallStream starts a server-streaming call of op (fc-stream: 1): the
// responder sends any number of items, then done or an error. ctx covers
// the whole stream (its deadline is fc-timeout; its end cancels the call).
// It returns once the request is accepted for writing; a failure before
// that shows in the first Recv. Close the stream when done (it cancels a
// stream that has not ended).
func (c *Client[T]) CallStream(ctx context.Context, op string, req T) *Stream[T] {
	s := &Stream[T]{client: c, signal: make(chan struct{}, 1)}
	pc := c.newCall(op, req, s)
	s.call = pc
	if pc.done != nil && isClosed(pc.done) {
		return s
	}
	c.send(ctx, pc, req, true)
	stop := context.AfterFunc(ctx, func() { c.cancelCall(pc, ctx) })
	c.pmu.Lock()
	pc.stop = stop
	c.pmu.Unlock()
	if isClosed(pc.done) {
		stop()
	}
	return s
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Notify sends a one-way notification to the responder (fc-op: op, or
// the message's type tag if op is ""), waiting for a connection and for
// room until ctx ends. Nothing answers it; it is delivered at most once.
func (c *Client[T]) Notify(ctx context.Context, op string, msg T) error {
	l, err := c.awaitLink(ctx)
	if err != nil {
		return withOp(err, op, 0)
	}
	return l.Notify(ctx, op, msg)
}

func withOp(err error, op string, id int64) error {
	var e *Error
	if errors.As(err, &e) {
		cp := *e
		cp.Op, cp.CallID = op, id
		return &cp
	}
	return err
}

// start registers a call and sends its request; every failure ends the
// call here.
func (c *Client[T]) start(ctx context.Context, op string, req T, streaming bool) *pendingCall[T] {
	pc := c.newCall(op, req, nil)
	if !isClosed(pc.done) {
		c.send(ctx, pc, req, streaming)
	}
	return pc
}

func (c *Client[T]) newCall(op string, req T, s *Stream[T]) *pendingCall[T] {
	pc := &pendingCall[T]{id: c.ids.Add(1), op: op, done: make(chan struct{}), stream: s}
	if op == "" {
		pc.op = c.codec.Tag(req)
	}
	c.stats.started.Add(1)
	c.stats.inFlight.Add(1)
	c.pmu.Lock()
	c.pending[pc.id] = pc
	c.pmu.Unlock()
	if op != "" {
		if err := checkOp(op); err != nil {
			c.end(pc, *new(T), withOp(err, "", pc.id), false)
		}
	}
	return pc
}

// send waits for a connection and sends the request.
func (c *Client[T]) send(ctx context.Context, pc *pendingCall[T], req T, streaming bool) {
	l, err := c.awaitLink(ctx)
	if err != nil {
		c.end(pc, *new(T), withOp(err, pc.op, pc.id), false)
		return
	}
	pc.link.Store(l)
	dl, hasDeadline := ctx.Deadline()
	var left int64
	if hasDeadline {
		left = int64(time.Until(dl))
		if left <= 0 {
			c.end(pc, *new(T), c.local(DeadlineExceeded, "the deadline passed before the request was sent", pc, nil), false)
			return
		}
	}
	h := callHeaders(pc.id, pc.op, pc.op != c.codec.Tag(req), left, hasDeadline, streaming)
	err = l.send(ctx, out[T]{v: req}, h, func(n int64) { pc.frame.Store(n) })
	if err == nil {
		return
	}
	if l.lost.Load() {
		// The loss ends every call it finds on the link; this one it may
		// have missed (not written either way).
		<-l.lossDone
		c.end(pc, *new(T), c.lossFailure(pc, l.loss), false)
		return
	}
	var se *fifochan.SendError
	var me *fifochan.MessageError
	switch {
	case errors.As(err, &me) || ctx.Err() != nil:
		c.end(pc, *new(T), withOp(l.sendFailure(pc.op, pc.id, err, "the request"), pc.op, pc.id), false)
	case errors.As(err, &se):
		// The transport failed under this send: the link is lost, and
		// losing it ends this call (not written).
		l.lose(Exited, err.Error(), err)
		<-l.lossDone
		c.end(pc, *new(T), c.lossFailure(pc, l.loss), false)
	default:
		c.end(pc, *new(T), c.local(Internal, "the request could not be sent: "+err.Error(), pc, err), false)
	}
}

// awaitLink waits for an open link until ctx ends.
func (c *Client[T]) awaitLink(ctx context.Context) (*link[T], error) {
	for {
		c.mu.Lock()
		switch {
		case c.closed:
			c.mu.Unlock()
			return nil, &Error{Code: Canceled, Message: "the client is closed"}
		case c.failure != nil:
			f := c.failure
			c.mu.Unlock()
			return nil, f
		}
		l := c.link
		ch := c.changed
		c.mu.Unlock()
		if l != nil && l.open.Load() && !l.draining() {
			return l, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, &Error{Code: DeadlineExceeded, Message: "no connection to the responder before the deadline", Err: ctx.Err()}
			}
			return nil, &Error{Code: Canceled, Message: "cancelled while waiting for a connection", Err: ctx.Err()}
		}
	}
}

// broadcast wakes the waiters for a link. c.mu is held.
func (c *Client[T]) broadcast() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client[T]) local(code Code, text string, pc *pendingCall[T], cause error) *Error {
	return &Error{Code: code, Message: text, Op: pc.op, CallID: pc.id, Err: cause}
}

// lossFailure is what a call pending on a lost link fails with.
func (c *Client[T]) lossFailure(pc *pendingCall[T], lo *loss) error {
	if lo.local {
		return c.local(Canceled, "the client was closed", pc, nil)
	}
	var he *HandshakeError
	if errors.As(lo.cause, &he) {
		return he
	}
	desc := ""
	if l := pc.link.Load(); l != nil {
		desc = l.desc
	}
	return &PeerGoneError{Reason: lo.reason, RequestWritten: pc.written(lo.framesWritten), Peer: desc, Detail: lo.detail,
		Op: pc.op, CallID: pc.id, Err: lo.cause}
}

// end ends pc once, with value (err nil) or err; false if it had ended.
// streamDone marks a stream's done.
func (c *Client[T]) end(pc *pendingCall[T], value T, err error, streamDone bool) bool {
	c.pmu.Lock()
	if c.pending[pc.id] != pc {
		c.pmu.Unlock()
		return false
	}
	delete(c.pending, pc.id)
	stop := pc.stop
	c.pmu.Unlock()
	if stop != nil {
		stop()
	}
	c.stats.inFlight.Add(-1)
	if err == nil {
		c.stats.succeeded.Add(1)
	} else {
		c.stats.fail(StatusCode(err))
	}
	pc.value, pc.err = value, err
	if pc.stream != nil {
		pc.stream.finish(err)
	}
	close(pc.done)
	return true
}

// cancelCall ends pc because ctx ended (CANCELLED, or DEADLINE_EXCEEDED
// at the deadline) and sends a cancel.
func (c *Client[T]) cancelCall(pc *pendingCall[T], ctx context.Context) {
	code, text := Canceled, "the call was cancelled"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		code, text = DeadlineExceeded, "the deadline passed"
	}
	if c.end(pc, *new(T), c.local(code, text, pc, ctx.Err()), false) {
		c.sendCancel(pc, code)
	}
}

// sendCancel sends cancel for a call whose request was accepted: now if
// that needs no wait, else from a goroutine. Never blocks.
func (c *Client[T]) sendCancel(pc *pendingCall[T], why Code) {
	l := pc.link.Load()
	if l == nil || pc.frame.Load() == 0 || !l.open.Load() {
		return
	}
	h := fifochan.Headers(kindHeaders(kindCancel, 3).num(hID, pc.id).num(hStatus, int64(why)))
	if l.sendControl(doneCtx, h) == nil {
		c.stats.cancelsSent.Add(1)
		return
	}
	go func() {
		wait := c.cfg.liveness
		if wait == 0 {
			wait = 5 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if l.sendControl(ctx, h) == nil {
			c.stats.cancelsSent.Add(1)
		}
	}()
}

// ---------------------------------------------------------------- the connection goroutine

func (c *Client[T]) run() {
	defer close(c.done)
	for c.ctx.Err() == nil {
		actx, cancel := context.WithTimeout(c.ctx, c.cfg.connectAttempt)
		d, err := openDuplex(actx, c.pair.Response, c.pair.Request, c.codec, &c.cfg)
		timedOut := actx.Err() != nil
		cancel()
		if err != nil {
			if !timedOut {
				c.pause()
			}
			continue
		}
		if c.ctx.Err() != nil {
			d.tx.AbortContext(doneCtx, "client closed")
			d.rx.Close()
			return
		}
		l := newLink(d, c.codec, &c.cfg, &c.stats, roleClient)
		l.onFrame = func(k kind, e fifochan.Envelope[in]) { c.onFrame(l, k, e) }
		l.onLost = func(lo *loss) { c.onLost(l, lo) }
		if err := l.handshake(); err != nil {
			c.stats.connFailures.Add(1)
			var he *HandshakeError
			if errors.As(err, &he) {
				c.fail(he)
				c.cfg.listener(ConnectionEvent{Peer: l.desc, Err: he})
				return
			}
			c.pause()
			continue
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			l.closeGracefully(c.cfg.closeTimeout)
			return
		}
		c.link = l
		c.broadcast()
		if c.connectedBefore {
			c.stats.reconnects.Add(1)
		}
		c.connectedBefore = true
		c.mu.Unlock()
		c.stats.connections.Add(1)
		c.cfg.listener(ConnectionEvent{Connected: true, Peer: l.desc})
		l.readLoop()
		c.mu.Lock()
		if c.link == l {
			c.link = nil
			c.broadcast()
		}
		failed := c.failure != nil
		c.mu.Unlock()
		if failed {
			return
		}
		c.pause()
	}
}

func (c *Client[T]) pause() {
	if c.cfg.reconnectDelay <= 0 {
		return
	}
	t := time.NewTimer(c.cfg.reconnectDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
}

// fail stops the client after a handshake mismatch.
func (c *Client[T]) fail(e *HandshakeError) {
	c.mu.Lock()
	c.failure = e
	c.broadcast()
	c.mu.Unlock()
	for _, pc := range c.pendingCalls(nil) {
		c.end(pc, *new(T), e, false)
	}
}

// pendingCalls returns the calls pending on l (all if l is nil).
func (c *Client[T]) pendingCalls(l *link[T]) []*pendingCall[T] {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	out := make([]*pendingCall[T], 0, len(c.pending))
	for _, pc := range c.pending {
		if l == nil || pc.link.Load() == l {
			out = append(out, pc)
		}
	}
	return out
}

func (c *Client[T]) onFrame(l *link[T], k kind, e fifochan.Envelope[in]) {
	switch k {
	case kindReply, kindItem, kindDone, kindError:
		c.onAnswer(l, k, e)
	case kindNotify:
		c.onNotify(l, e)
	default:
		c.stats.ignored.Add(1) // hello again, call, cancel: not for a client
	}
}

func (c *Client[T]) onAnswer(l *link[T], k kind, e fifochan.Envelope[in]) {
	h := e.Headers
	id := idOf(h)
	if id == 0 {
		if k == kindError {
			c.onConnectionError(l, h)
		} else {
			c.stats.ignored.Add(1)
		}
		return
	}
	c.pmu.Lock()
	pc := c.pending[id]
	c.pmu.Unlock()
	if pc == nil || pc.link.Load() != l {
		c.stats.late.Add(1)
		return
	}
	streaming := pc.stream != nil
	switch k {
	case kindError:
		sv, _ := h.Get(hStatus)
		n, ok := parseDecimal(sv)
		code := Code(n)
		if !ok || n == 0 || n > 1<<32-1 {
			code = Unknown
		}
		msg, _ := h.Get(hMessage)
		c.end(pc, *new(T), &Error{Code: code, Message: string(msg), Op: pc.op, CallID: pc.id, Remote: true}, false)
	case kindReply:
		if streaming {
			c.end(pc, *new(T), c.local(Internal, "a reply to a streaming call", pc, nil), false)
			return
		}
		if v, ok := c.decode(pc, e); ok {
			c.end(pc, v, nil, false)
		}
	case kindItem:
		if !streaming {
			c.end(pc, *new(T), c.local(Internal, "an item for a unary call", pc, nil), false)
			return
		}
		v, ok := c.decode(pc, e)
		if ok && !pc.stream.offer(v, c.cfg.maxStreamBuffer) {
			if c.end(pc, *new(T), c.local(ResourceExhausted, fmt.Sprintf("more than %d items buffered; the call was cancelled", c.cfg.maxStreamBuffer), pc, nil), false) {
				c.sendCancel(pc, Canceled)
			}
		}
	case kindDone:
		if !streaming {
			c.end(pc, *new(T), c.local(Internal, "done for a unary call", pc, nil), false)
			return
		}
		c.end(pc, *new(T), nil, true)
	}
}

// decode decodes a reply or item; on failure it ends the call (INTERNAL).
func (c *Client[T]) decode(pc *pendingCall[T], e fifochan.Envelope[in]) (T, bool) {
	v, err := c.codec.Decode(e.Value.tag, e.Value.payload)
	if err != nil {
		text := "the reply cannot be decoded: " + err.Error()
		if errors.Is(err, fifochan.ErrUnknownType) {
			text = fmt.Sprintf("the reply has an unknown type tag '%s'", e.Value.tag)
		}
		c.end(pc, *new(T), c.local(Internal, text, pc, err), false)
		return v, false
	}
	return v, true
}

func (c *Client[T]) onConnectionError(l *link[T], h fifochan.Headers) {
	sv, _ := h.Get(hStatus)
	code, _ := parseDecimal(sv)
	msg, _ := h.Get(hMessage)
	switch Code(code) {
	case FailedPrecondition:
		e := l.fromPeer(h)
		c.fail(e)
		l.lose(Ended, e.text(), e)
	case Unavailable:
		l.setDraining() // going away: no new calls here; those in flight finish
	default:
		l.lose(Broken, fmt.Sprintf("the responder reported %d: %s", code, msg), nil)
	}
}

func (c *Client[T]) onNotify(l *link[T], e fifochan.Envelope[in]) {
	op := e.Value.tag
	if v, ok := e.Headers.Get(hOp); ok {
		op = string(v)
	}
	v, err := c.codec.Decode(e.Value.tag, e.Value.payload)
	if err != nil || c.notify == nil {
		c.stats.notifDropped.Add(1)
		return
	}
	c.stats.notifReceived.Add(1)
	fn := c.notify
	c.events.run(func() { fn(op, v, l) })
}

func (c *Client[T]) onLost(l *link[T], lo *loss) {
	if !lo.local {
		c.stats.connFailures.Add(1)
	}
	for _, pc := range c.pendingCalls(l) {
		c.end(pc, *new(T), c.lossFailure(pc, lo), false)
	}
	var err error
	if !lo.local {
		var he *HandshakeError
		if errors.As(lo.cause, &he) {
			err = he
		} else {
			err = &PeerGoneError{Reason: lo.reason, Peer: l.desc, Detail: lo.detail, Err: lo.cause}
		}
	}
	c.cfg.listener(ConnectionEvent{Peer: l.desc, Err: err})
}

// ---------------------------------------------------------------- the rest

// Stats returns the client's counters.
func (c *Client[T]) Stats() Stats { return c.stats.snapshot() }

// Connected reports whether a connection is open now.
func (c *Client[T]) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.link != nil && c.link.open.Load()
}

// AwaitConnected waits until a connection is open or ctx ends. It returns
// the *HandshakeError that stopped the client, an *Error (CANCELLED) if it
// is closed, or the context's error wrapped in an *Error.
func (c *Client[T]) AwaitConnected(ctx context.Context) error {
	_, err := c.awaitLink(ctx)
	return err
}

// Err returns the *HandshakeError that stopped the client, or nil.
func (c *Client[T]) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failure != nil {
		return c.failure
	}
	return nil
}

// Close closes the client: pending calls fail with CANCELLED (a cancel is
// sent for each), the connection ends with a clean end of stream (bounded
// by CloseTimeout), reconnecting stops. Idempotent.
func (c *Client[T]) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.done
		return nil
	}
	c.closed = true
	l := c.link
	c.link = nil
	c.broadcast()
	c.mu.Unlock()
	for _, pc := range c.pendingCalls(nil) {
		if c.end(pc, *new(T), c.local(Canceled, "the client was closed", pc, nil), false) {
			c.sendCancel(pc, Canceled)
		}
	}
	if l != nil {
		l.closeGracefully(c.cfg.closeTimeout)
	}
	c.cancel()
	<-c.done
	c.events.close()
	return nil
}

// ---------------------------------------------------------------- streams

// Stream is the client's side of a server-streaming call: the items in
// the order the handler sent them, then the end.
type Stream[T any] struct {
	client *Client[T]
	call   *pendingCall[T]

	mu     sync.Mutex
	items  []T
	ended  bool
	err    error // nil: done (io.EOF for Recv)
	signal chan struct{}
}

// offer buffers an item; false if the buffer is full.
func (s *Stream[T]) offer(v T, limit int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) >= limit {
		return false
	}
	s.items = append(s.items, v)
	s.wake()
	return true
}

func (s *Stream[T]) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

func (s *Stream[T]) finish(err error) {
	s.mu.Lock()
	s.ended, s.err = true, err
	s.wake()
	s.mu.Unlock()
}

// Recv returns the next item; io.EOF after the last one when the stream
// ended with done; the call's error (an *Error, *PeerGoneError, ...) when
// it failed. Items that arrived before the end are returned first.
func (s *Stream[T]) Recv() (T, error) {
	for {
		s.mu.Lock()
		if len(s.items) > 0 {
			v := s.items[0]
			var zero T
			s.items[0] = zero
			s.items = s.items[1:]
			s.mu.Unlock()
			return v, nil
		}
		if s.ended {
			err := s.err
			s.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return *new(T), err
		}
		s.mu.Unlock()
		<-s.signal
	}
}

// Cancel cancels the call if it has not ended (a cancel frame is sent;
// Recv then returns CANCELLED after the buffered items).
func (s *Stream[T]) Cancel() {
	c := s.client
	if c.end(s.call, *new(T), c.local(Canceled, "the stream was cancelled", s.call, nil), false) {
		c.sendCancel(s.call, Canceled)
	}
}

// Close cancels the stream if it has not ended.
func (s *Stream[T]) Close() error {
	s.Cancel()
	return nil
}

// Done reports whether the stream has ended (its items may still be buffered).
func (s *Stream[T]) Done() bool { return isClosed(s.call.done) }

// CallID returns the call's fc-id.
func (s *Stream[T]) CallID() int64 { return s.call.id }

// ---------------------------------------------------------------- serial

// serial runs functions one at a time, in order, on one goroutine.
type serial struct {
	mu      sync.Mutex
	queue   []func()
	running bool
	closed  bool
}

func newSerial() *serial { return &serial{} }

func (s *serial) run(fn func()) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.queue = append(s.queue, fn)
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running = true
	s.mu.Unlock()
	go s.loop()
}

func (s *serial) loop() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			s.running = false
			s.mu.Unlock()
			return
		}
		fn := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		func() {
			defer func() { recover() }()
			fn()
		}()
	}
}

func (s *serial) close() {
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.mu.Unlock()
}
