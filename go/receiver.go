package fifochan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pathCheckInterval is how often a Receiver waiting for a writer checks
// that its FIFO is still at its path. A FIFO missing at two checks in a
// row is reported removed (one miss may be a restart script's rm+mkfifo).
const pathCheckInterval = 100 * time.Millisecond

// Envelope is a received message with its frame's metadata.
type Envelope[T any] struct {
	Value   T
	Tag     string  // the frame's type tag
	Headers Headers // the frame's headers (a copy the caller may keep); nil without
	Offset  int64   // offset of the frame's first byte on its descriptor
}

// ReceiverStats are a Receiver's counters (Java's ReceiverStats, same
// meanings), read without taking its lock: each value is recent, not a
// snapshot across counters. Counts are since the Receiver was opened.
type ReceiverStats struct {
	Messages          int64 // messages delivered (returned by Receive or ReceiveEnvelope)
	PayloadBytes      int64 // payload bytes of the delivered messages
	Frames            int64 // message frames read, delivered or not (undecodable, malformed)
	Failed            int64 // per-message failures (*MessageError): Undecodable + UnknownTypes + Malformed
	Undecodable       int64 // frames whose payload the codec could not decode (unknown types excluded)
	UnknownTypes      int64 // frames with a type tag the codec does not know
	Malformed         int64 // frames with a malformed tag or header block
	DeadLettered      int64 // failures handed to OnError (the rest were returned)
	Timeouts          int64 // receives whose ctx ended first
	LivenessTimeouts  int64 // liveness timeouts reported
	Sessions          int64 // writer sessions started (preambles read)
	SessionsEnded     int64 // writer sessions that ended cleanly
	SessionsAborted   int64 // writer sessions that ended with an aborted end
	SessionsTruncated int64 // streams (or, following, writer sessions) found truncated
	StreamFailures    int64 // stream failures of every kind (truncated, corrupt, too long, incompatible)
	Heartbeats        int64 // heartbeats read
	Bytes             int64 // bytes read
}

// Receiver receives typed messages from a FIFO. Receive and
// ReceiveEnvelope may be called from one goroutine at a time (they
// serialize); Close and Stats from any goroutine at any time.
//
// The rule for errors is the Java library's: a failure of one message
// (*MessageError: undecodable payload, unknown type, bad tag, bad headers)
// is returned and the next call goes on with the next message. A stream
// failure (*StreamError) or an aborted end (*AbortedError) ends a plain
// Receiver: every later call returns it again; a following Receiver
// returns it once and goes on with the next writer session. A call whose
// ctx ends returns the context's error and loses nothing. The reader
// takes the FIFO's exclusive lock (ErrFIFOBusy for a second reader) and,
// while it waits for a writer, checks the path every 100 ms: a removed
// FIFO ends it with ErrFIFORemoved; a FIFO created again at the path is
// re-opened (by a following Receiver, or by any Receiver that has not yet
// seen a writer).
type Receiver[T any] struct {
	path    string
	codec   Codec[T]
	pd      payloadDecoder[T] // the codec, if its value is the payload (Bytes)
	blk     block             // small payloads' copies (pd), data path only
	cfg     receiverConfig
	accepts func(string) bool

	mu       sync.Mutex // the data path: one Receive at a time
	rd       *Reader
	f        *os.File // the descriptor being read (owned by the data path)
	rc       syscall.RawConn
	st       *unix.Stat_t // the FIFO's identity
	fresh    bool         // f must be polled before its first read
	skip     bool         // follow: skip to end of file, then the next session
	gone     bool         // follow: the path was missing at the last reopen
	sticky   error
	missing  int               // consecutive path checks that found the FIFO missing
	lastByte time.Time         // liveness clock
	frameFn  func(Frame) error // ReceiveFunc's fn while it runs
	frameErr error             // what it returned
	eofWait  time.Duration

	rdl readWake

	fmu    sync.Mutex // descriptors, for Close
	lockF  *os.File   // holds the exclusive lock on the FIFO's inode
	files  []*os.File // every open descriptor (lockF, f)
	closed atomic.Bool
	closeC chan struct{}

	messages, failed, sessions, bytes                        atomic.Int64
	payloadBytes, undecodable, unknownTypes, malformed       atomic.Int64
	deadLettered, timeouts, liveness, sessEnded, sessAborted atomic.Int64
	sessTruncated, streamFailures, heartbeats                atomic.Int64
}

// OpenReceiver opens the read end of the FIFO at path (creating it if
// missing), takes its exclusive reader lock, and returns a Receiver
// decoding messages with codec. It does not wait for a writer: Receive
// does. ctx bounds only the open.
func OpenReceiver[T any](ctx context.Context, path string, codec Codec[T], opts ...ReceiverOption) (*Receiver[T], error) {
	cfg, err := newReceiverConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f, st, err := openRead(path, &cfg.open, cfg.open.create)
	if err != nil {
		return nil, err
	}
	r := &Receiver[T]{path: path, codec: codec, cfg: cfg, st: st, lockF: f, closeC: make(chan struct{})}
	if a, ok := any(codec).(interface{ Accepts(writer string) bool }); ok {
		r.accepts = a.Accepts
	}
	if pd, ok := any(codec).(payloadDecoder[T]); ok {
		r.pd = pd
	}
	r.files = []*os.File{f}
	if err := r.use(f); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// use makes f the descriptor being read, with a new Reader (offsets
// restart at 0).
func (r *Receiver[T]) use(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	r.f, r.rc, r.fresh = f, rc, true
	r.rdl.mu.Lock()
	r.rdl.f, r.rdl.set = f, time.Time{}
	r.rdl.mu.Unlock()
	rd := &Reader{src: readFunc(r.read)}
	rd.dec.maxFrame = r.cfg.reader.maxFrame
	name := r.codec.Name()
	if r.cfg.reader.expectCodec != "" {
		name = r.cfg.reader.expectCodec
	}
	rd.setCodec(name, r.accepts)
	if r.rd != nil {
		rd.buf = r.rd.buf[:cap(r.rd.buf)] // reuse the read buffer
	}
	r.rd = rd
	r.eofWait = 0
	return nil
}

type readFunc func([]byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

// Receive returns the next message. It returns io.EOF at a clean end of
// stream (never for a following Receiver), ErrClosed after Close, and the
// errors described on Receiver.
func (r *Receiver[T]) Receive(ctx context.Context) (T, error) {
	if r.pd != nil {
		if v, err, done := r.receiveBuffered(ctx); done {
			return v, err
		}
	}
	e, err := r.ReceiveEnvelope(ctx)
	return e.Value, err
}

// mayTakeBuffered reports whether a record already in the read buffer may
// be taken without any wait or session change (the fast paths' loop
// condition; r.mu held).
func (r *Receiver[T]) mayTakeBuffered(ctx context.Context) bool {
	return !r.closed.Load() && r.sticky == nil && !r.gone && !r.skip && !r.fresh && ctx.Err() == nil
}

// receiveBuffered is ReceiveEnvelope's first loop for a codec whose value
// is the payload (Bytes), without an Envelope: a plain frame already in
// the read buffer is copied out at once. done is false when nothing whole
// is buffered (ReceiveEnvelope then reads).
func (r *Receiver[T]) receiveBuffered(ctx context.Context) (v T, err error, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var rec Record
	for r.mayTakeBuffered(ctx) {
		err, ok := r.rd.buffered(&rec)
		if !ok {
			return v, nil, false
		}
		if err == nil && rec.Kind == KindFrame {
			r.messages.Add(1)
			r.payloadBytes.Add(int64(len(rec.Payload)))
			return r.pd.decodePayload(rec.Payload, &r.blk), nil, true
		}
		e, err, again := r.handle(ctx, &rec, err)
		if !again {
			return e.Value, err, true
		}
	}
	return v, nil, false
}

// ReceiveEnvelope is Receive with the frame's tag, headers and offset.
func (r *Receiver[T]) ReceiveEnvelope(ctx context.Context) (Envelope[T], error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Fast path: a whole record is buffered, so nothing can wait (no
	// deadline to arrange).
	var rec Record
	for r.mayTakeBuffered(ctx) {
		err, ok := r.rd.buffered(&rec)
		if !ok {
			break
		}
		e, err, again := r.handle(ctx, &rec, err)
		if !again {
			return e, err
		}
	}
	r.rdl.begin(ctx)
	defer r.rdl.end()
	for {
		e, err, again := r.step(ctx)
		if !again {
			return e, err
		}
	}
}

// step does one step of receiving; again says to go on.
func (r *Receiver[T]) step(ctx context.Context) (e Envelope[T], err error, again bool) {
	switch {
	case r.closed.Load():
		return e, ErrClosed, false
	case r.sticky != nil:
		return e, r.sticky, false
	case ctx.Err() != nil:
		r.timeouts.Add(1)
		return e, &fs.PathError{Op: "receive", Path: r.path, Err: ctx.Err()}, false
	case r.gone:
		return e, nil, r.waitForPath(ctx)
	case r.skip:
		if err := r.skipToEOF(); err != nil {
			return r.woken(ctx, err)
		}
		r.skip = false
		return e, nil, r.nextSession()
	case r.fresh:
		if err := r.pollFirst(); err != nil {
			return r.woken(ctx, err)
		}
		r.fresh = false
		r.lastByte = time.Now()
	}
	rec, err := r.rd.ReadRecord()
	return r.handle(ctx, &rec, err)
}

// handle handles what ReadRecord returned.
func (r *Receiver[T]) handle(ctx context.Context, rec *Record, err error) (e Envelope[T], _ error, again bool) {
	if err == nil {
		switch rec.Kind {
		case KindFrame:
			if r.frameFn != nil {
				return r.deliverFrame(rec)
			}
			return r.decode(rec)
		case KindPreamble:
			r.sessions.Add(1)
		case KindEnd:
			r.sessEnded.Add(1)
		case KindHeartbeat:
			r.heartbeats.Add(1)
		case KindAborted:
			r.sessAborted.Add(1)
			ae := &AbortedError{Reason: rec.Reason, Offset: rec.Offset}
			if !r.cfg.follow {
				r.sticky = ae
			} else if r.cfg.onError != nil {
				r.deadLettered.Add(1)
				r.cfg.onError(ae)
				return e, nil, true
			}
			return e, ae, false
		}
		return e, nil, true
	}
	var me *MessageError
	switch {
	case errors.As(err, &me):
		r.failed.Add(1)
		r.malformed.Add(1)
		if r.cfg.onError != nil {
			r.deadLettered.Add(1)
			r.cfg.onError(err)
			return e, nil, true
		}
		return e, err, false
	case isReadError(err):
		return r.woken(ctx, err)
	}
	if !errors.Is(err, ErrAborted) && err != io.EOF {
		r.streamFailures.Add(1)
		if errors.Is(err, ErrTruncatedStream) {
			r.sessTruncated.Add(1)
		}
	}
	switch {
	case !r.cfg.follow:
		r.sticky = err
		return e, err, false
	case err == io.EOF:
		return e, nil, r.nextSession()
	case errors.Is(err, ErrAborted):
		return e, nil, r.nextSession() // reported when it was read
	}
	// A broken session: skip to end of file (the rest of it cannot be
	// trusted), then read the next one.
	r.skip = true
	if r.cfg.onError != nil {
		r.deadLettered.Add(1)
		r.cfg.onError(err)
		return e, nil, true
	}
	return e, err, false
}

// Frame is a message as ReceiveFunc hands it over: its bytes undecoded,
// valid only during the call (they alias the Receiver's read buffer).
type Frame struct {
	Tag     string
	Headers Headers // nil without a header block
	Payload []byte
	Offset  int64 // offset of the frame's first byte on its descriptor
}

// ReceiveFunc hands the next message to fn as a Frame, without decoding it
// and without copying: the Frame is valid only during fn, so receiving
// allocates nothing per message (Aeron's poll(handler) shape; keep what
// you need by copying it). The codec is not used, so no decode failure
// can happen; tag and header failures, stream ends and ctx are reported
// as by ReceiveEnvelope, and fn's error is returned as it is.
func (r *Receiver[T]) ReceiveFunc(ctx context.Context, fn func(Frame) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frameFn = fn
	defer func() { r.frameFn, r.frameErr = nil, nil }()
	var rec Record
	for r.mayTakeBuffered(ctx) {
		err, ok := r.rd.buffered(&rec)
		if !ok {
			break
		}
		_, err, again := r.handle(ctx, &rec, err)
		if !again {
			return r.frameResult(err)
		}
	}
	r.rdl.begin(ctx)
	defer r.rdl.end()
	for {
		_, err, again := r.step(ctx)
		if !again {
			return r.frameResult(err)
		}
	}
}

func (r *Receiver[T]) frameResult(err error) error {
	if err == nil {
		return r.frameErr
	}
	return err
}

// deliverFrame hands rec to ReceiveFunc's fn.
func (r *Receiver[T]) deliverFrame(rec *Record) (e Envelope[T], err error, again bool) {
	r.messages.Add(1)
	r.payloadBytes.Add(int64(len(rec.Payload)))
	f := Frame{Tag: rec.Tag, Payload: rec.Payload, Offset: rec.Offset}
	if len(rec.Headers) > 0 {
		f.Headers = rec.Headers
	}
	r.frameErr = r.frameFn(f)
	return e, nil, false
}

func (r *Receiver[T]) decode(rec *Record) (e Envelope[T], err error, again bool) {
	var v T
	var derr error
	if r.pd != nil {
		// The payload is the value: a copy carved from a block (no
		// allocation per small message).
		v = r.pd.decodePayload(rec.Payload, &r.blk)
	} else {
		v, derr = r.codec.Decode(rec.Tag, rec.Payload)
	}
	if derr != nil {
		kind := ErrDecode
		if errors.Is(derr, ErrUnknownType) {
			kind = ErrUnknownType
			r.unknownTypes.Add(1)
		} else {
			r.undecodable.Add(1)
		}
		r.failed.Add(1)
		me := &MessageError{Kind: kind, Offset: rec.Offset, Tag: rec.Tag, Err: derr}
		if r.cfg.onError != nil {
			r.deadLettered.Add(1)
			r.cfg.onError(me)
			return e, nil, true
		}
		return e, me, false
	}
	r.messages.Add(1)
	r.payloadBytes.Add(int64(len(rec.Payload)))
	e = Envelope[T]{Value: v, Tag: rec.Tag, Offset: rec.Offset}
	if len(rec.Headers) > 0 {
		e.Headers = rec.Headers.Clone()
	}
	return e, nil, false
}

// woken handles a wait that ended without data: ctx ended, Close, a
// liveness timeout, or time to check the path. err is the read error.
func (r *Receiver[T]) woken(ctx context.Context, err error) (e Envelope[T], _ error, again bool) {
	if r.closed.Load() {
		return e, ErrClosed, false
	}
	if ctx.Err() != nil {
		r.timeouts.Add(1)
		return e, &fs.PathError{Op: "receive", Path: r.path, Err: ctx.Err()}, false
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		r.sticky = &fs.PathError{Op: "read", Path: r.path, Err: err}
		return e, r.sticky, false
	}
	writers := r.rd.dec.writers
	if r.fresh {
		writers = 0
	}
	if writers > 0 {
		if r.cfg.liveness > 0 && time.Since(r.lastByte) >= r.cfg.liveness {
			r.lastByte = time.Now()
			r.liveness.Add(1)
			return e, &StreamError{Kind: ErrLivenessTimeout, Offset: r.rd.dec.off, Detail: fmt.Sprintf("nothing from the writer for %v", r.cfg.liveness)}, false
		}
		return e, nil, true
	}
	if err := r.checkPath(); err != nil {
		r.sticky = err
		return e, err, false
	}
	return e, nil, true
}

// checkPath checks, while no writer session is open, that the FIFO is
// still at the path; a FIFO created again there is switched to when that
// loses nothing.
func (r *Receiver[T]) checkPath() error {
	var st unix.Stat_t
	err := unix.Lstat(r.path, &st)
	if err == unix.ENOENT {
		r.missing++
		if r.missing >= 2 {
			return &fs.PathError{Op: "receive", Path: r.path, Err: ErrFIFORemoved}
		}
		return nil
	}
	r.missing = 0
	if err != nil || sameFile(&st, r.st) {
		return nil
	}
	if !r.cfg.follow && r.rd.dec.preambles > 0 {
		return &fs.PathError{Op: "receive", Path: r.path, Err: fmt.Errorf("%w: replaced by another file", ErrFIFORemoved)}
	}
	return r.switchFIFO()
}

// switchFIFO opens the FIFO now at the path (a new inode), takes its
// lock, and reads it from now on.
func (r *Receiver[T]) switchFIFO() error {
	f, st, err := openRead(r.path, &r.cfg.open, false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // gone again: the next check sees it
		}
		return err
	}
	r.fmu.Lock()
	if r.closed.Load() {
		r.fmu.Unlock()
		f.Close()
		return ErrClosed
	}
	old := r.files
	r.files, r.lockF, r.st = []*os.File{f}, f, st
	r.fmu.Unlock()
	for _, o := range old {
		o.Close()
	}
	r.skip, r.gone = false, false
	return r.use(f)
}

// nextSession opens the next descriptor for a following Receiver, before
// closing the current one, so nothing in the pipe is lost. It reports
// whether to go on.
func (r *Receiver[T]) nextSession() bool {
	st, err := checkPath(r.path, &r.cfg.open, false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.gone = true
			return true
		}
		r.sticky = err
		return false
	}
	if !sameFile(st, r.st) {
		if err := r.switchFIFO(); err != nil {
			r.sticky = err
			return false
		}
		return true
	}
	nf, err := openMore(r.path, &r.cfg.open, st)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.gone = true
			return true
		}
		r.sticky = err
		return false
	}
	r.fmu.Lock()
	if r.closed.Load() {
		r.fmu.Unlock()
		nf.Close()
		return true
	}
	old := r.f
	keep := r.files[:0]
	for _, f := range r.files {
		if f != old || f == r.lockF {
			keep = append(keep, f)
		}
	}
	r.files = append(keep, nf)
	r.fmu.Unlock()
	if old != r.lockF {
		old.Close()
	}
	if err := r.use(nf); err != nil {
		r.sticky = err
		return false
	}
	return true
}

// waitForPath waits for a removed FIFO to come back (a follower), and
// reports it removed after two checks that found it missing.
func (r *Receiver[T]) waitForPath(ctx context.Context) bool {
	t := time.NewTimer(pathCheckInterval)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return true // the next step reports it
	case <-r.closeC:
		return true
	}
	var st unix.Stat_t
	if err := unix.Lstat(r.path, &st); err == unix.ENOENT {
		r.missing++
		if r.missing >= 2 {
			r.sticky = &fs.PathError{Op: "receive", Path: r.path, Err: ErrFIFORemoved}
		}
		return true
	}
	r.missing = 0
	r.gone = false
	return r.nextSession()
}

// skipToEOF reads and discards the rest of the current descriptor.
func (r *Receiver[T]) skipToEOF() error {
	if r.rd.eof {
		return nil
	}
	buf := r.rd.buf[:cap(r.rd.buf)]
	if len(buf) == 0 {
		buf = make([]byte, readBufferSize)
	}
	for {
		_, err := r.read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// pollFirst waits until a fresh descriptor is readable or hung up.
func (r *Receiver[T]) pollFirst() error {
	r.rdl.prepare(time.Now().Add(pathCheckInterval))
	return pollReadable(r.f)
}

// read reads the current descriptor: first without waiting; if there is
// nothing, through the poller until data, end of file, or a wake-up (a
// deadline: ctx, Close, liveness, or time to check the path).
func (r *Receiver[T]) read(p []byte) (int, error) {
	var n int
	var rerr error
	attempt := func(fd uintptr) bool {
		for {
			m, e := unix.Read(int(fd), p)
			switch e {
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false
			case nil:
				n = m
			default:
				rerr = e
			}
			return true
		}
	}
	var ready bool
	if err := r.rc.Control(func(fd uintptr) { ready = attempt(fd) }); err != nil {
		return 0, err
	}
	if !ready {
		r.rdl.prepare(r.waitDeadline())
		if err := r.rc.Read(attempt); err != nil {
			return 0, err
		}
	}
	if rerr != nil {
		return 0, rerr
	}
	if n == 0 {
		return 0, io.EOF
	}
	r.bytes.Add(int64(n))
	r.lastByte = time.Now()
	r.eofWait = 0
	return n, nil
}

// waitDeadline is when a wait for bytes must wake up to look around.
func (r *Receiver[T]) waitDeadline() time.Time {
	d := &r.rd.dec
	switch {
	case d.writers > 0 && r.cfg.liveness > 0:
		return r.lastByte.Add(r.cfg.liveness)
	case d.writers > 0:
		return time.Time{}
	case d.preambles > 0:
		// Every session ended; end of file is due. A writer that connected
		// before this descriptor was opened leaves no hang-up for poll(2)
		// to see (Linux), so read again soon, then less and less often.
		r.eofWait = min(max(2*r.eofWait, time.Millisecond), pathCheckInterval)
		return time.Now().Add(r.eofWait)
	}
	return time.Now().Add(pathCheckInterval)
}

// Close closes the Receiver at once: a Receive in progress returns
// ErrClosed, and the FIFO's descriptors and lock are released.
func (r *Receiver[T]) Close() error {
	if !r.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(r.closeC)
	r.fmu.Lock()
	files := r.files
	r.files = nil
	r.fmu.Unlock()
	for _, f := range files {
		f.Close()
	}
	return nil
}

// Path returns the FIFO's path.
func (r *Receiver[T]) Path() string { return r.path }

// Stats returns the Receiver's counters without taking its lock.
func (r *Receiver[T]) Stats() ReceiverStats {
	return ReceiverStats{
		Messages: r.messages.Load(), PayloadBytes: r.payloadBytes.Load(), Frames: r.messages.Load() + r.failed.Load(),
		Failed: r.failed.Load(), Undecodable: r.undecodable.Load(), UnknownTypes: r.unknownTypes.Load(),
		Malformed: r.malformed.Load(), DeadLettered: r.deadLettered.Load(), Timeouts: r.timeouts.Load(),
		LivenessTimeouts: r.liveness.Load(), Sessions: r.sessions.Load(), SessionsEnded: r.sessEnded.Load(),
		SessionsAborted: r.sessAborted.Load(), SessionsTruncated: r.sessTruncated.Load(),
		StreamFailures: r.streamFailures.Load(), Heartbeats: r.heartbeats.Load(), Bytes: r.bytes.Load(),
	}
}

// readWake arranges the read deadline of a Receiver's descriptor: the
// wait's own deadline, or a passed one once the call's ctx ended.
type readWake struct {
	mu      sync.Mutex
	f       *os.File
	gen     uint64
	active  bool
	expired bool // the call's ctx ended
	set     time.Time
	stopCtx func() bool
	ctx     context.Context
}

// begin registers a Receive call.
func (w *readWake) begin(ctx context.Context) {
	w.mu.Lock()
	w.gen++
	w.active, w.expired, w.ctx = true, false, ctx
	w.mu.Unlock()
}

// prepare sets the deadline for a wait (zero: none) and makes sure the
// call's ctx can wake it.
func (w *readWake) prepare(t time.Time) {
	w.mu.Lock()
	if w.stopCtx == nil && w.ctx != nil && w.ctx.Done() != nil {
		gen := w.gen
		w.stopCtx = context.AfterFunc(w.ctx, func() {
			w.mu.Lock()
			if w.gen == gen && w.active {
				w.expired = true
				w.f.SetReadDeadline(pastTime)
				w.set = pastTime
			}
			w.mu.Unlock()
		})
	}
	if w.expired {
		t = pastTime
	}
	if !t.Equal(w.set) {
		w.f.SetReadDeadline(t)
		w.set = t
	}
	w.mu.Unlock()
}

// end unregisters the call.
func (w *readWake) end() {
	if w.stopCtx != nil {
		w.stopCtx()
		w.stopCtx = nil
	}
	w.mu.Lock()
	w.gen++
	w.active, w.ctx = false, nil
	if !w.set.IsZero() {
		w.f.SetReadDeadline(time.Time{})
		w.set = time.Time{}
	}
	w.mu.Unlock()
}
