package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"fifochan.dev/fifochan"
)

// Handler answers a unary call: it returns the reply, or an error — an
// *Error for an error answer with its status (see Errorf), anything else
// for UNKNOWN. ctx ends when the caller cancels, the deadline (fc-timeout)
// passes, or the connection is lost; context.Cause(ctx) is then an *Error
// saying which (CANCELLED, DEADLINE_EXCEEDED or UNAVAILABLE), and nothing
// more is sent for the call. CallInfoFrom(ctx) and PeerFrom[T](ctx) give
// the call's id, operation, headers and connection.
type Handler[T any] func(ctx context.Context, req T) (T, error)

// StreamHandler answers a server-streaming call: it sends items with send
// (which returns an *Error once the call was cancelled or the connection
// lost) and returns nil for done or an error as a Handler does.
type StreamHandler[T any] func(ctx context.Context, req T, send func(item T) error) error

// NotificationHandler handles a notification. A connection's notification
// handlers run one at a time, in order.
type NotificationHandler[T any] func(ctx context.Context, op string, msg T, from Peer[T])

// CallInfo describes the call a handler runs for.
type CallInfo struct {
	ID        int64            // fc-id
	Operation string           // fc-op, or the request's type tag
	Streaming bool             // fc-stream: 1
	Headers   fifochan.Headers // every header of the call frame (the application's included)
	Arrived   time.Time        // when the call frame was read (the deadline is this plus fc-timeout)
}

type callKey struct{}

type callValue struct {
	info *CallInfo
	peer any // Peer[T]
}

// CallInfoFrom returns the call a handler's ctx belongs to, or nil.
func CallInfoFrom(ctx context.Context) *CallInfo {
	if v, ok := ctx.Value(callKey{}).(*callValue); ok {
		return v.info
	}
	return nil
}

// PeerFrom returns the connection of the call a handler's ctx belongs to
// (nil if none, or if T is not the responder's codec type), to send
// notifications to the client.
func PeerFrom[T any](ctx context.Context) Peer[T] {
	if v, ok := ctx.Value(callKey{}).(*callValue); ok {
		if p, ok := v.peer.(Peer[T]); ok {
			return p
		}
	}
	return nil
}

type route[T any] struct {
	unary  Handler[T]
	stream StreamHandler[T]
}

// Responder is the answering side of request/response (docs/rpc.md): it
// runs a handler per operation for the calls that arrive on the
// connections it serves. Register handlers (Handle, HandleStream,
// HandleNotification) before Serve.
//
// Each connection has a reading goroutine that decodes calls and runs each
// handler on its own goroutine, so a slow handler never holds up the
// others. Without running a handler the responder answers with an error:
// an unknown operation or a unary/streaming mismatch (UNIMPLEMENTED), a
// request that cannot be decoded or a malformed fc-timeout
// (INVALID_ARGUMENT), too many calls in flight (RESOURCE_EXHAUSTED), a
// shutdown in progress (UNAVAILABLE: not run). A handler that returns a
// non-*Error error gets UNKNOWN, and so does one that panics. None of
// these ends the connection.
type Responder[T any] struct {
	codec fifochan.Codec[T]
	cfg   config
	stats counters

	rmu    sync.RWMutex
	routes map[string]route[T]
	notifs map[string]NotificationHandler[T]

	mu       sync.Mutex
	links    map[*serverLink[T]]struct{}
	stopping atomic.Bool
	ctx      context.Context // ends when shutting down: stops accepting
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	drained  chan struct{} // signalled when a call ends while stopping
}

// NewResponder returns a responder whose payloads use codec.
func NewResponder[T any](codec fifochan.Codec[T], opts ...Option) (*Responder[T], error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	r := &Responder[T]{codec: codec, cfg: cfg, routes: map[string]route[T]{}, notifs: map[string]NotificationHandler[T]{},
		links: map[*serverLink[T]]struct{}{}, drained: make(chan struct{}, 1)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// Handle registers the handler of unary calls of op (the caller's fc-op,
// or the request's type tag when it named none; "" is the empty tag of a
// single-type codec). It panics if op already has a handler.
func (r *Responder[T]) Handle(op string, h Handler[T]) {
	r.put(op, route[T]{unary: h})
}

// HandleStream registers the handler of server-streaming calls of op.
func (r *Responder[T]) HandleStream(op string, h StreamHandler[T]) {
	r.put(op, route[T]{stream: h})
}

func (r *Responder[T]) put(op string, rt route[T]) {
	if rt.unary == nil && rt.stream == nil {
		panic("rpc: nil handler for operation '" + op + "'")
	}
	r.rmu.Lock()
	defer r.rmu.Unlock()
	if _, ok := r.routes[op]; ok {
		panic("rpc: operation '" + op + "' already has a handler")
	}
	r.routes[op] = rt
}

// HandleNotification registers the handler of notifications of op; others
// are dropped and counted.
func (r *Responder[T]) HandleNotification(op string, h NotificationHandler[T]) {
	if h == nil {
		panic("rpc: nil notification handler for '" + op + "'")
	}
	r.rmu.Lock()
	defer r.rmu.Unlock()
	if _, ok := r.notifs[op]; ok {
		panic("rpc: notification '" + op + "' already has a handler")
	}
	r.notifs[op] = h
}

// Serve serves the connections made on pair, one at a time, on a new
// goroutine, until Shutdown or Close. It may be called for several pairs.
func (r *Responder[T]) Serve(pair Pair) error {
	if err := pair.check(); err != nil {
		return err
	}
	if r.stopping.Load() {
		return errors.New("rpc: the responder is shut down")
	}
	r.wg.Add(1)
	go r.acceptLoop(pair)
	return nil
}

func (r *Responder[T]) acceptLoop(pair Pair) {
	defer r.wg.Done()
	for !r.stopping.Load() {
		actx, cancel := context.WithTimeout(r.ctx, r.cfg.connectAttempt)
		d, err := openDuplex(actx, pair.Request, pair.Response, r.codec, &r.cfg)
		timedOut := actx.Err() != nil
		cancel()
		if err != nil {
			if r.stopping.Load() {
				return
			}
			if !timedOut {
				sleep(r.ctx, r.cfg.reconnectDelay)
			}
			continue
		}
		l := &serverLink[T]{r: r, calls: map[int64]*serverCall[T]{}, notifs: newSerial()}
		l.link = newLink(d, r.codec, &r.cfg, &r.stats, roleResponder)
		l.onFrame = l.frame
		l.onLost = l.linkLost
		r.mu.Lock()
		r.links[l] = struct{}{}
		r.mu.Unlock()
		if r.stopping.Load() {
			l.abandon()
			r.removeLink(l)
			return
		}
		if err := l.handshake(); err != nil {
			r.stats.connFailures.Add(1)
			r.removeLink(l)
			r.cfg.listener(ConnectionEvent{Peer: l.desc, Err: err})
			continue
		}
		r.stats.connections.Add(1)
		r.cfg.listener(ConnectionEvent{Connected: true, Peer: l.desc})
		l.readLoop()
		r.removeLink(l)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(max(d, time.Millisecond))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (r *Responder[T]) removeLink(l *serverLink[T]) {
	r.mu.Lock()
	delete(r.links, l)
	r.mu.Unlock()
}

func (r *Responder[T]) allLinks() []*serverLink[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*serverLink[T], 0, len(r.links))
	for l := range r.links {
		out = append(out, l)
	}
	return out
}

// Peers returns the connections open now.
func (r *Responder[T]) Peers() []Peer[T] {
	var out []Peer[T]
	for _, l := range r.allLinks() {
		if l.open.Load() {
			out = append(out, l.link)
		}
	}
	return out
}

// Stats returns the responder's counters.
func (r *Responder[T]) Stats() Stats { return r.stats.snapshot() }

// Shutdown shuts down gracefully: it stops accepting; tells each client it
// is going away (a connection error with status UNAVAILABLE), after which
// new calls get UNAVAILABLE without running; waits until ctx ends for the
// calls in flight to finish and their answers to be written; then cancels
// the rest (UNAVAILABLE) and ends every connection with a clean end of
// stream. It reports whether every call in flight finished in time.
// Idempotent.
func (r *Responder[T]) Shutdown(ctx context.Context) bool {
	r.stopping.Store(true)
	r.cancel()
	for _, l := range r.allLinks() {
		l.goAway()
	}
	done := r.inFlight() == 0
	for !done && ctx.Err() == nil {
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-r.drained:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		done = r.inFlight() == 0
	}
	closeWithin := 100 * time.Millisecond
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) > closeWithin {
		closeWithin = time.Until(dl)
	}
	for _, l := range r.allLinks() {
		l.cancelAll(Unavailable, "the responder shut down")
		l.closeGracefully(closeWithin)
	}
	r.wg.Wait()
	return done
}

// Close is Shutdown bounded by DrainTimeout.
func (r *Responder[T]) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.drainTimeout)
	defer cancel()
	r.Shutdown(ctx)
	return nil
}

func (r *Responder[T]) inFlight() int64 {
	var n int64
	for _, l := range r.allLinks() {
		n += l.active.Load()
	}
	return n
}

// ---------------------------------------------------------------- the responder's link

type serverLink[T any] struct {
	*link[T]
	r      *Responder[T]
	cmu    sync.Mutex
	calls  map[int64]*serverCall[T]
	active atomic.Int64 // calls taken in and not yet ended (for the drain)
	notifs *serial
}

func (l *serverLink[T]) goAway() {
	l.setDraining()
	if !l.open.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.sendError(ctx, 0, Unavailable, "the responder is shutting down", "")
}

func (l *serverLink[T]) cancelAll(code Code, why string) {
	l.cmu.Lock()
	calls := make([]*serverCall[T], 0, len(l.calls))
	for _, c := range l.calls {
		calls = append(calls, c)
	}
	l.cmu.Unlock()
	for _, c := range calls {
		c.cancel(code, why)
	}
}

func (l *serverLink[T]) frame(k kind, e fifochan.Envelope[in]) {
	switch k {
	case kindCall:
		l.onCall(e)
	case kindCancel:
		l.onCancel(e.Headers)
	case kindNotify:
		l.onNotify(e)
	case kindError:
		l.onConnectionError(e.Headers)
	default:
		l.stats.ignored.Add(1) // hello again, reply, item, done: not for a responder
	}
}

func (l *serverLink[T]) onCall(e fifochan.Envelope[in]) {
	h := e.Headers
	arrived := time.Now()
	id := idOf(h)
	l.cmu.Lock()
	_, dup := l.calls[id]
	n := len(l.calls)
	l.cmu.Unlock()
	if id == 0 || dup {
		l.stats.ignored.Add(1) // no usable id, or one in flight: nothing can be answered
		return
	}
	r := l.r
	l.stats.started.Add(1)
	op := e.Value.tag
	if v, ok := h.Get(hOp); ok {
		op = string(v)
	}
	tv, hasTimeout := h.Get(hTimeout)
	timeout, ok := parseDecimal(tv)
	if hasTimeout && !ok {
		l.refuse(id, InvalidArgument, "fc-timeout is not a decimal number of nanoseconds")
		return
	}
	sv, _ := h.Get(hStream)
	streaming := string(sv) == "1"
	if l.draining() || r.stopping.Load() {
		l.refuse(id, Unavailable, "the responder is shutting down; the call was not run")
		return
	}
	if hasTimeout && timeout == 0 {
		l.stats.expired.Add(1)
		return
	}
	if n >= r.cfg.maxCallsInFlight {
		l.refuse(id, ResourceExhausted, fmt.Sprintf("more than %d calls in flight on this connection; the call was not run", r.cfg.maxCallsInFlight))
		return
	}
	r.rmu.RLock()
	rt, found := r.routes[op]
	r.rmu.RUnlock()
	if !found {
		l.refuse(id, Unimplemented, "no operation '"+op+"'")
		return
	}
	if (rt.stream != nil) != streaming {
		is, called := "unary", "streaming"
		if !streaming {
			is, called = "streaming", "unary"
		}
		l.refuse(id, Unimplemented, fmt.Sprintf("operation '%s' is %s; it was called as %s", op, is, called))
		return
	}
	req, err := r.codec.Decode(e.Value.tag, e.Value.payload)
	if err != nil {
		if errors.Is(err, fifochan.ErrUnknownType) {
			l.refuse(id, InvalidArgument, fmt.Sprintf("the request has an unknown type tag '%s'", e.Value.tag))
		} else {
			l.refuse(id, InvalidArgument, "the request cannot be decoded: "+err.Error())
		}
		return
	}
	c := &serverCall[T]{l: l, id: id, op: op, rt: rt, req: req}
	info := &CallInfo{ID: id, Operation: op, Streaming: streaming, Headers: h, Arrived: arrived}
	ctx := context.WithValue(l.ctx, callKey{}, &callValue{info: info, peer: Peer[T](l.link)})
	ctx, c.cancelCtx = context.WithCancelCause(ctx)
	if hasTimeout {
		c.deadline = arrived.Add(time.Duration(timeout))
		var cancelDl context.CancelFunc
		ctx, cancelDl = context.WithDeadlineCause(ctx, c.deadline,
			&Error{Code: DeadlineExceeded, Message: "the call's deadline passed", Op: op, CallID: id})
		prev := c.cancelCtx
		c.cancelCtx = func(cause error) { prev(cause); cancelDl() }
	}
	c.ctx = ctx
	l.active.Add(1)
	l.stats.inFlight.Add(1)
	l.cmu.Lock()
	l.calls[id] = c
	// The deadline, an incoming cancel and the connection's loss all end
	// ctx; the call then leaves the table and nothing more is sent for it.
	// (Registered under cmu: leave reads stopWatch under it.)
	c.stopWatch = context.AfterFunc(ctx, func() {
		code, why := Canceled, "cancelled"
		var e *Error
		if errors.As(context.Cause(ctx), &e) {
			code, why = e.Code, e.Message
		} else if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			code = DeadlineExceeded
		} else if l.ctx.Err() != nil {
			code, why = Unavailable, "the connection was lost"
		}
		c.cancel(code, why)
	})
	l.cmu.Unlock()
	go c.run()
}

// refuse answers a call with an error without running it; it waits for
// room at most a second, else drops the answer.
func (l *serverLink[T]) refuse(id int64, code Code, text string) {
	l.stats.fail(code)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.sendError(ctx, id, code, text, "")
}

// onConnectionError handles an error without fc-id from the client: a
// handshake mismatch (9), going away (14), or fatal (others).
func (l *serverLink[T]) onConnectionError(h fifochan.Headers) {
	if idOf(h) != 0 {
		l.stats.ignored.Add(1)
		return
	}
	sv, _ := h.Get(hStatus)
	code, _ := parseDecimal(sv)
	msg, _ := h.Get(hMessage)
	switch Code(code) {
	case FailedPrecondition:
		e := l.fromPeer(h)
		l.lose(Ended, e.text(), e)
	case Unavailable:
		// the client is going away; its end of stream follows
	default:
		l.lose(Broken, fmt.Sprintf("the client reported %d: %s", code, msg), nil)
	}
}

func (l *serverLink[T]) onCancel(h fifochan.Headers) {
	id := idOf(h)
	var c *serverCall[T]
	if id != 0 {
		l.cmu.Lock()
		c = l.calls[id]
		l.cmu.Unlock()
	}
	if c == nil {
		l.stats.late.Add(1)
		return
	}
	l.stats.cancelsReceived.Add(1)
	sv, _ := h.Get(hStatus)
	code := Canceled
	if n, _ := parseDecimal(sv); Code(n) == DeadlineExceeded {
		code = DeadlineExceeded
	}
	c.cancel(code, "cancelled by the caller")
}

func (l *serverLink[T]) onNotify(e fifochan.Envelope[in]) {
	op := e.Value.tag
	if v, ok := e.Headers.Get(hOp); ok {
		op = string(v)
	}
	l.r.rmu.RLock()
	h := l.r.notifs[op]
	l.r.rmu.RUnlock()
	if h == nil {
		l.stats.notifDropped.Add(1)
		return
	}
	msg, err := l.r.codec.Decode(e.Value.tag, e.Value.payload)
	if err != nil {
		l.stats.notifDropped.Add(1)
		return
	}
	l.stats.notifReceived.Add(1)
	ctx := l.ctx
	l.notifs.run(func() { h(ctx, op, msg, l.link) })
}

func (l *serverLink[T]) linkLost(lo *loss) {
	if !lo.local {
		l.stats.connFailures.Add(1)
	}
	l.cancelAll(Unavailable, "the connection was lost")
	l.notifs.close()
	l.r.removeLink(l)
	var err error
	if !lo.local {
		var he *HandshakeError
		if errors.As(lo.cause, &he) {
			err = he
		} else {
			err = &PeerGoneError{Reason: lo.reason, Peer: l.desc, Detail: lo.detail, Err: lo.cause}
		}
	}
	l.r.cfg.listener(ConnectionEvent{Peer: l.desc, Err: err})
}

// ended is told when a call left the table.
func (l *serverLink[T]) ended() {
	l.active.Add(-1)
	l.stats.inFlight.Add(-1)
	if l.r.stopping.Load() {
		select {
		case l.r.drained <- struct{}{}:
		default:
		}
	}
}

// ---------------------------------------------------------------- one call

type serverCall[T any] struct {
	l         *serverLink[T]
	id        int64
	op        string
	rt        route[T]
	req       T
	deadline  time.Time // zero: none
	ctx       context.Context
	cancelCtx context.CancelCauseFunc
	stopWatch func() bool
	cancelled atomic.Pointer[Error]
}

func (c *serverCall[T]) run() {
	defer func() {
		if p := recover(); p != nil {
			c.finishError(Unknown, fmt.Sprintf("the handler panicked: %v", p))
		}
	}()
	if c.cancelled.Load() != nil {
		return
	}
	if c.rt.unary != nil {
		reply, err := c.rt.unary(c.ctx, c.req)
		if err != nil {
			c.finishHandlerError(err)
			return
		}
		c.finish(out[T]{v: reply}, kindReply)
		return
	}
	if err := c.rt.stream(c.ctx, c.req, c.sendItem); err != nil {
		c.finishHandlerError(err)
		return
	}
	c.finish(out[T]{control: true}, kindDone)
}

func (c *serverCall[T]) finishHandlerError(err error) {
	var e *Error
	if errors.As(err, &e) && e.Code != OK {
		c.finishError(e.Code, e.Message)
		return
	}
	if code := StatusCode(err); code != Unknown && code != OK {
		c.finishError(code, err.Error())
		return
	}
	c.finishError(Unknown, "the handler failed: "+err.Error())
}

// leave takes the call out of the table; false if it had ended (then
// nothing is sent).
func (c *serverCall[T]) leave() bool {
	l := c.l
	l.cmu.Lock()
	if l.calls[c.id] != c {
		l.cmu.Unlock()
		return false
	}
	delete(l.calls, c.id)
	stop := c.stopWatch
	l.cmu.Unlock()
	stop()
	return true
}

// sendCtx bounds an answer's write by the call's deadline.
func (c *serverCall[T]) sendCtx() (context.Context, context.CancelFunc) {
	if c.deadline.IsZero() {
		return context.WithCancel(context.Background())
	}
	return context.WithDeadline(context.Background(), c.deadline)
}

func (c *serverCall[T]) finish(f out[T], k kind) {
	if !c.leave() {
		return
	}
	defer c.done()
	ctx, cancel := c.sendCtx()
	defer cancel()
	err := c.l.send(ctx, f, idHeaders(k, c.id), nil)
	switch {
	case err == nil:
		c.l.stats.succeeded.Add(1)
	case errors.Is(err, fifochan.ErrFrameTooLong):
		c.sendErrorNow(ResourceExhausted, "the reply is too long: "+err.Error())
	case errors.Is(err, fifochan.ErrEncode), errors.Is(err, fifochan.ErrMalformedFrame):
		c.sendErrorNow(Internal, "the reply cannot be encoded: "+err.Error())
	default:
		c.l.stats.fail(Unavailable) // the deadline passed while waiting for room, or the link is lost
	}
}

func (c *serverCall[T]) finishError(code Code, text string) {
	if !c.leave() {
		return
	}
	defer c.done()
	c.sendErrorNow(code, text)
}

func (c *serverCall[T]) sendErrorNow(code Code, text string) {
	c.l.stats.fail(code)
	ctx, cancel := c.sendCtx()
	defer cancel()
	c.l.sendError(ctx, c.id, code, text, "") // the caller gave up or is gone if this fails
}

func (c *serverCall[T]) done() {
	c.l.ended()
	c.cancelCtx(errCallEnded)
}

var errCallEnded = errors.New("rpc: the call ended")

// cancel cancels the call once: no more frames for it; the handler's ctx
// ends with an *Error saying why.
func (c *serverCall[T]) cancel(code Code, why string) {
	e := &Error{Code: code, Message: why, Op: c.op, CallID: c.id}
	if !c.cancelled.CompareAndSwap(nil, e) {
		return
	}
	if c.leave() {
		c.l.stats.fail(code)
		c.l.ended()
	}
	c.cancelCtx(e)
}

func (c *serverCall[T]) sendItem(item T) error {
	if e := c.cancelled.Load(); e != nil {
		return e
	}
	ctx, cancel := c.sendCtx()
	defer cancel()
	err := c.l.send(ctx, out[T]{v: item}, idHeaders(kindItem, c.id), nil)
	if err == nil {
		return nil
	}
	if e := c.cancelled.Load(); e != nil {
		return e
	}
	var me *fifochan.MessageError
	if errors.As(err, &me) {
		return &Error{Code: InvalidArgument, Message: "the item cannot be sent: " + err.Error(), Op: c.op, CallID: c.id, Err: err}
	}
	if c.l.lost.Load() || c.deadline.IsZero() {
		return &Error{Code: Unavailable, Message: "the connection was lost", Op: c.op, CallID: c.id, Err: err}
	}
	return &Error{Code: DeadlineExceeded, Message: "no room for the item before the deadline", Op: c.op, CallID: c.id, Err: err}
}
