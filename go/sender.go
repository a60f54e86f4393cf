package fifochan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SendStatus is the result of Offer, which never waits.
type SendStatus uint8

// Offer's statuses. When Offer returns an error (the message was refused:
// it cannot be encoded, is too long, or has bad headers), the status is 0.
const (
	// SendAccepted: the message is whole in the buffer or in the pipe.
	SendAccepted SendStatus = iota + 1
	// SendBackPressured: no room now (the buffer is full, or with
	// FlushDelay(0) the pipe is full or another write is under way); not
	// sent. Try again later.
	SendBackPressured
	// SendNotConnected: the reader went away (the Sender failed with
	// ErrPeerClosed, returned beside it); not sent.
	SendNotConnected
	// SendClosed: the Sender was closed or aborted; not sent.
	SendClosed
)

// String implements fmt.Stringer.
func (s SendStatus) String() string {
	switch s {
	case SendAccepted:
		return "accepted"
	case SendBackPressured:
		return "back-pressured"
	case SendNotConnected:
		return "not connected"
	case SendClosed:
		return "closed"
	}
	return "refused"
}

// SenderStats are a Sender's counters (Java's SenderStats, same meanings),
// read without taking its lock: each value is recent, not a snapshot
// across counters. Counts are since the Sender was opened.
type SenderStats struct {
	Accepted             int64 // messages accepted (Send returned nil or Offer SendAccepted)
	Written              int64 // messages whose every byte is in the pipe (not necessarily read yet)
	Pending              int64 // messages accepted and not yet completely written (nor discarded)
	BytesWritten         int64 // bytes written to the pipe (preamble and control records included)
	PayloadBytesAccepted int64 // payload bytes of the accepted messages
	Flushes              int64 // flushes that wrote buffered messages: Flush calls and idle flushes
	BackPressureWaits    int64 // times a write found the pipe full and waited for room
	BackPressureNanos    int64 // nanoseconds spent waiting for room in the pipe
	Timeouts             int64 // Sends and Flushes whose ctx ended first, and Offers that found no room
	EncodeFailures       int64 // messages the codec could not encode (ErrEncode)
	TooLongRefusals      int64 // messages refused as too long (ErrFrameTooLong)
	SessionsStarted      int64 // writer sessions started (1 once the preamble is written)
	SessionsEnded        int64 // sessions ended cleanly (Close wrote the end of stream)
	SessionsAborted      int64 // sessions ended by Abort
	SessionsTruncated    int64 // sessions that ended truncated: a close that timed out, a reader that left, a failed write
	HeartbeatsSent       int64 // heartbeats written
}

// Sender sends typed messages on a FIFO. Its methods are safe for
// concurrent use.
//
// Send returns once the message is accepted: whole in the Sender's buffer
// (or, with FlushDelay(0), in the pipe). Accepted messages are written in
// order when the buffer fills, on Flush, Close and Abort, and after the
// flush delay when the Sender is idle. A Send waits only while the buffer
// is full (and, with FlushDelay(0), while another write is under way);
// it never holds the Sender's lock across a write, so Close from another
// goroutine wakes it (ErrClosed, not sent). Every failure is a *SendError
// saying what happened to the data.
type Sender[T any] struct {
	codec        Codec[T]
	f            *os.File
	rc           syscall.RawConn
	enc          encoder
	limit        int           // buffer size: a Send waits while the buffer holds this much
	delay        time.Duration // flush delay
	closeTimeout time.Duration
	heartbeat    time.Duration
	raw          func(T) []byte // the codec's raw bytes of a value (Bytes), for payloads of directMin and more
	directMin    int            // half the buffer
	headBuf      []byte
	sumBuf       [crcLen]byte
	ws           writeState // the write in progress (the write token's holder)
	attemptFn    func(uintptr) bool
	controlFn    func(uintptr)

	mu         sync.Mutex
	buf        []byte // accepted bytes not yet written: the rest of a record partly in the pipe (partial bytes), then whole records
	bufMsgs    int64  // message frames in buf not yet wholly in the pipe (a partial one included)
	partial    int    // bytes at the start of buf that finish a record whose start is in the pipe
	partialMsg bool   // that record is a message frame
	appended   int64  // bytes ever appended to buf (s.bytes counts those written)
	spare      []byte // the other buffer, while a write holds it
	writing    bool   // the write token is held: one goroutine writes, without mu
	waiters    int    // goroutines waiting for changed
	changed    chan struct{}
	closing    bool  // Close or Abort began: no new messages
	failed     error // the *SendError that failed the Sender
	armed      bool  // the flusher has been told that there is something to flush
	finished   bool  // finish ran
	result     error // what Err returns once done

	accepted  atomic.Int64
	written   atomic.Int64
	bytes     atomic.Int64
	lastWrite atomic.Int64 // monotonic nanoseconds (since start) of the last write
	discarded atomic.Int64 // accepted messages that will never be written (the Sender failed)

	payloadBytes, flushes, bpWaits, bpNanos, timeouts, encodeFails, tooLong atomic.Int64
	sessStarted, sessEnded, sessAborted, sessTruncated, heartbeats          atomic.Int64

	dl          writeDeadline
	start       time.Time // for lastWrite
	kick        chan struct{}
	timer       *time.Timer   // the flusher's, for its sleeps (stopped or fired when idle)
	stop        chan struct{} // closed when the flusher must end
	flusherDone chan struct{}
	done        chan struct{}
}

// OpenWriter opens the write end of the FIFO at path (creating it if
// missing; waiting until a reader opens it or ctx ends: ctx bounds only
// the open) and writes the preamble for codec: wire format 1.1 unless
// WireVersion10. Close or Abort every Sender: each has a flusher
// goroutine until then.
func OpenWriter[T any](ctx context.Context, path string, codec Codec[T], opts ...SenderOption) (*Sender[T], error) {
	cfg, err := newSenderConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := checkCodecName(codec.Name()); err != nil {
		return nil, err
	}
	f, err := openWrite(ctx, path, &cfg.open)
	if err != nil {
		return nil, err
	}
	s, err := newSender(ctx, f, codec, cfg)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func newSender[T any](ctx context.Context, f *os.File, codec Codec[T], cfg senderConfig) (*Sender[T], error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &Sender[T]{
		codec: codec, f: f, rc: rc, enc: newEncoder(cfg.writer),
		limit: cfg.writer.bufSize, delay: cfg.flushDelay, closeTimeout: cfg.closeTimeout, heartbeat: cfg.heartbeat,
		changed: make(chan struct{}), start: time.Now(), done: make(chan struct{}),
	}
	if cfg.writer.fanIn {
		s.limit = max(PipeBuf, s.limit)
	}
	if re, ok := any(codec).(rawEncoder[T]); ok && !cfg.writer.fanIn {
		s.raw = re.raw
		s.directMin = s.limit / 2
	}
	s.dl.f = f
	s.attemptFn, s.controlFn = s.attempt, s.control
	s.buf = s.enc.appendPreamble(make([]byte, 0, s.limit+s.limit/4), codec.Name())
	s.appended = int64(len(s.buf))
	s.spare = make([]byte, 0, cap(s.buf))
	// The preamble tells the reader that a writer is here: write it now,
	// within the open's ctx (it is shorter than PIPE_BUF: all or nothing).
	s.mu.Lock()
	s.writing = true
	err = s.drain(ctx, false, nil)
	s.writing = false
	s.mu.Unlock()
	if err != nil {
		var stop *stopError
		if errors.As(err, &stop) {
			err = &fs.PathError{Op: "open", Path: f.Name(), Err: fmt.Errorf("writing the preamble: %w", stop.err)}
		}
		return nil, err
	}
	s.sessStarted.Add(1)
	// The flusher writes after the flush delay, sends heartbeats, and
	// finishes a record that a cancelled write left partly in the pipe.
	s.kick = make(chan struct{}, 1)
	s.stop = make(chan struct{})
	s.flusherDone = make(chan struct{})
	go s.flusher()
	return s, nil
}

// Send encodes v and sends it, waiting while the buffer is full until ctx
// ends. It returns nil once v is accepted. A *SendError whose Message is
// NotSent means no byte of v was or will be written: ctx ended
// (context.Canceled or DeadlineExceeded), the Sender was closed (ErrClosed)
// or had failed (ErrPeerClosed, ...). A *MessageError (ErrEncode,
// ErrFrameTooLong) refuses v alone and leaves the Sender usable.
func (s *Sender[T]) Send(ctx context.Context, v T) error {
	return s.send(ctx, v, nil)
}

// SendHeaders is Send with a header block (wire format 1.1; see Headers
// for the rules; a header set that breaks one is refused with a
// *MessageError and nothing is sent). Empty headers send a plain frame.
func (s *Sender[T]) SendHeaders(ctx context.Context, v T, h Headers) error {
	return s.send(ctx, v, h)
}

func (s *Sender[T]) send(ctx context.Context, v T, h Headers) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.raw != nil {
		if p := s.raw(v); len(p) >= s.directMin {
			return s.sendDirect(ctx, p, s.codec.Tag(v), h)
		}
	}
	if s.delay == 0 {
		return s.sendThrough(ctx, v, h)
	}
	for {
		if err := s.usable("send"); err != nil {
			return err
		}
		if len(s.buf) < s.limit {
			break
		}
		if !s.writing {
			// The buffer is full and nobody writes it: write it here,
			// until there is room.
			s.writing = true
			err := s.drain(ctx, false, func() bool { return len(s.buf) < s.limit })
			s.release()
			if err != nil {
				return s.notSent("send", err)
			}
			continue
		}
		if err := s.wait(ctx); err != nil {
			return s.notSent("send", err)
		}
	}
	if err := s.appendMessage(v, h); err != nil {
		return err
	}
	s.arm()
	return nil
}

// A Sender writes a payload that its codec hands over as bytes (Bytes)
// straight from the caller's slice when it is at least half the buffer
// (s.directMin; 128 KiB by default), as the Writer does. Smaller ones are
// copied into the buffer: measured with 64 KiB payloads and a 1 MiB pipe,
// one writev per message cost 40 % more CPU than the copy and a write per
// four messages (more wake-ups of the reader, smaller reads).

// sendDirect sends a large payload without copying it: it writes the
// buffered records, then the frame's head, p and its checksum, and returns
// once the frame is in the pipe. If ctx ends (or a Close begins) after
// part of the frame is in the pipe, the rest is copied to the head of the
// buffer, written first by the next writer, and the message counts as
// accepted; before any of it, nothing was sent. s.mu is held.
func (s *Sender[T]) sendDirect(ctx context.Context, p []byte, tag string, h Headers) error {
	if len(p) > s.enc.maxFrame {
		s.tooLong.Add(1)
		return &MessageError{Kind: ErrFrameTooLong, Offset: -1, Tag: tag, Detail: fmt.Sprintf("payload of %d bytes > maximum %d", len(p), s.enc.maxFrame)}
	}
	head, err := s.enc.frameHead(s.headBuf[:0], tag, h)
	if err != nil {
		if errors.Is(err, ErrFrameTooLong) {
			s.tooLong.Add(1)
		}
		return err
	}
	s.headBuf = head
	binary.BigEndian.PutUint32(head, uint32(len(p)))
	var sum []byte
	if s.enc.checksum {
		sum = binary.BigEndian.AppendUint32(s.sumBuf[:0], crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, p))
	}
	if err := s.acquire(ctx, "send"); err != nil {
		return err
	}
	defer s.release()
	if err := s.drain(ctx, false, nil); err != nil {
		return s.notSent("send", err)
	}
	// The buffer was empty: this frame is next in the pipe.
	total := len(head) + len(p) + len(sum)
	s.accepted.Add(1)
	s.payloadBytes.Add(int64(len(p)))
	s.appended += int64(total)
	s.mu.Unlock()
	n, werr := s.writeParts(ctx, [3][]byte{head, p, sum})
	s.mu.Lock()
	if n == total {
		s.written.Add(1)
		return nil
	}
	if n == 0 && isStop(werr) {
		// Nothing of it was written: not sent.
		s.accepted.Add(-1)
		s.payloadBytes.Add(-int64(len(p)))
		s.appended -= int64(total)
		return s.notSent("send", werr)
	}
	// Part of it is in the pipe: keep the rest at the head of the buffer
	// (before what other Sends appended meanwhile).
	rest := make([]byte, 0, total-n+len(s.buf))
	for _, part := range [3][]byte{head, p, sum} {
		switch {
		case n >= len(part):
			n -= len(part)
		default:
			rest = append(rest, part[n:]...)
			n = 0
		}
	}
	partial := len(rest)
	s.buf = append(rest, s.buf...)
	s.bufMsgs++
	s.partial, s.partialMsg = partial, true
	if isStop(werr) {
		return nil // accepted: the next writer finishes it
	}
	e := s.fail(werr, true)
	// This message was never accepted: it never will be wholly in the pipe.
	s.accepted.Add(-1)
	s.discarded.Add(-1)
	s.payloadBytes.Add(-int64(len(p)))
	if se, ok := e.(*SendError); ok {
		cp := *se
		cp.Op, cp.Message = "send", Torn
		if cp.Discarded > 0 {
			cp.Discarded--
		}
		return &cp
	}
	return e
}

// sendThrough sends with FlushDelay(0): v is in the pipe when it returns
// nil, or (if ctx ended after the pipe took part of it) being finished by
// the flusher. s.mu is held.
func (s *Sender[T]) sendThrough(ctx context.Context, v T, h Headers) error {
	if err := s.acquire(ctx, "send"); err != nil {
		return err
	}
	defer s.release()
	before := len(s.buf)
	if err := s.appendMessage(v, h); err != nil {
		return err
	}
	own := len(s.buf) - before
	plen := int64(binary.BigEndian.Uint32(s.buf[before:]))
	err := s.drain(ctx, false, nil) // with FlushDelay(0) every append holds the token: v is last
	if err == nil {
		return nil
	}
	if s.failed == nil {
		if s.untouched(own) {
			// Stopped before any byte of v was written: take it back.
			s.takeBack(own)
			return s.notSent("send", err)
		}
		return nil // v is partly in the pipe: accepted, the flusher finishes it
	}
	s.accepted.Add(-1) // v was not accepted: it never will be wholly in the pipe
	s.discarded.Add(-1)
	s.payloadBytes.Add(-plen)
	e := s.notSent("send", err)
	if se, ok := e.(*SendError); ok {
		if se.Torn {
			se.Message = Torn // v was the last record: the torn one
		}
		if se.Discarded > 0 {
			se.Discarded-- // v itself was never accepted
		}
	}
	return e
}

// takeBack removes the last own bytes of the buffer: a message frame just
// appended and not written at all. s.mu is held.
func (s *Sender[T]) takeBack(own int) {
	s.buf = s.buf[:len(s.buf)-own]
	s.bufMsgs--
	s.appended -= int64(own)
	s.accepted.Add(-1)
	s.payloadBytes.Add(-int64(binary.BigEndian.Uint32(s.buf[len(s.buf) : len(s.buf)+4])))
}

// untouched reports whether the last own bytes of the buffer (a frame just
// appended) have not been written at all. s.mu is held.
func (s *Sender[T]) untouched(own int) bool {
	return len(s.buf) >= own && len(s.buf)-own >= s.partial
}

// Offer sends v if that needs no wait and reports the status; it never
// waits. With FlushDelay(0), a frame that the pipe took only part of is
// accepted and finished by the Sender's flusher.
func (s *Sender[T]) Offer(v T) (SendStatus, error) { return s.offer(v, nil) }

// OfferHeaders is Offer with a header block.
func (s *Sender[T]) OfferHeaders(v T, h Headers) (SendStatus, error) { return s.offer(v, h) }

func (s *Sender[T]) offer(v T, h Headers) (SendStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.failed != nil:
		if errors.Is(s.failed, ErrPeerClosed) {
			return SendNotConnected, s.failed
		}
		return SendClosed, s.failed
	case s.closing:
		return SendClosed, nil
	}
	if s.delay > 0 {
		if len(s.buf) >= s.limit {
			s.arm()
			s.timeouts.Add(1)
			return SendBackPressured, nil
		}
		if err := s.appendMessage(v, h); err != nil {
			return 0, err
		}
		s.arm()
		return SendAccepted, nil
	}
	if s.writing {
		s.timeouts.Add(1)
		return SendBackPressured, nil
	}
	s.writing = true
	defer s.release()
	before := len(s.buf)
	if err := s.appendMessage(v, h); err != nil {
		return 0, err
	}
	own := len(s.buf) - before
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // write what the pipe takes now, stop at the first full pipe
	err := s.drain(ctx, false, nil)
	switch {
	case err == nil:
		return SendAccepted, nil
	case s.failed != nil:
		return SendNotConnected, s.failed
	case s.untouched(own):
		s.takeBack(own)
		s.timeouts.Add(1)
		return SendBackPressured, nil
	}
	return SendAccepted, nil // v is partly in the pipe: the flusher finishes it
}

// appendMessage encodes v into the buffer. s.mu is held.
func (s *Sender[T]) appendMessage(v T, h Headers) error {
	before := len(s.buf)
	var buf []byte
	var err error
	if s.raw != nil && len(h) == 0 {
		p := s.raw(v)
		if l := s.enc.payloadFrameLen(p); len(p) <= s.enc.maxFrame && before+l <= cap(s.buf) {
			// In place: re-slicing s.buf stores no new pointer (no GC
			// write barrier per message).
			s.buf = s.buf[:before+l]
			s.enc.putPayload(s.buf[before:], p)
			s.appended += int64(l)
			s.bufMsgs++
			s.accepted.Add(1)
			s.payloadBytes.Add(int64(len(p)))
			return nil
		}
		buf, err = s.enc.appendPayload(s.buf, p)
	} else {
		buf, err = s.enc.appendFrame(s.buf, s.codec.Tag(v), h, func(dst []byte) ([]byte, error) { return s.codec.Append(dst, v) })
	}
	s.buf = buf
	if err != nil {
		switch {
		case errors.Is(err, ErrFrameTooLong):
			s.tooLong.Add(1)
		case errors.Is(err, ErrEncode):
			s.encodeFails.Add(1)
		}
		return err
	}
	s.appended += int64(len(s.buf) - before)
	s.bufMsgs++
	s.accepted.Add(1)
	s.payloadBytes.Add(int64(binary.BigEndian.Uint32(s.buf[before:])))
	return nil
}

// usable returns the error for an operation that needs an open Sender.
func (s *Sender[T]) usable(op string) error {
	if s.failed != nil {
		return s.notSent(op, s.failed)
	}
	if s.closing {
		return s.notSent(op, ErrClosed)
	}
	return nil
}

// notSent returns a *SendError for a message that was not sent.
func (s *Sender[T]) notSent(op string, cause error) error {
	var me *MessageError
	if errors.As(cause, &me) {
		return cause
	}
	var stop *stopError
	if errors.As(cause, &stop) {
		cause = stop.err
	}
	if cause == context.Canceled || cause == context.DeadlineExceeded {
		s.timeouts.Add(1)
	}
	e := &SendError{Op: op, Message: NotSent, Written: s.written.Load()}
	var se *SendError
	if errors.As(cause, &se) {
		e.Kind, e.Discarded, e.Torn, e.Err = se.Kind, se.Discarded, se.Torn, se.Err
	} else {
		e.Kind = cause
	}
	return e
}

// acquire takes the write token, waiting until ctx ends. s.mu is held.
func (s *Sender[T]) acquire(ctx context.Context, op string) error {
	for {
		if err := s.usable(op); err != nil {
			return err
		}
		if !s.writing {
			s.writing = true
			return nil
		}
		if err := s.wait(ctx); err != nil {
			return s.notSent(op, err)
		}
	}
}

// wait waits for a change of state (the token released, Close begun)
// or ctx's end. s.mu is held, released while waiting, held again after.
func (s *Sender[T]) wait(ctx context.Context) error {
	ch := s.changed
	s.waiters++
	s.mu.Unlock()
	var err error
	select {
	case <-ch:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.mu.Lock()
	s.waiters--
	return err
}

// broadcast wakes every waiter. s.mu is held.
func (s *Sender[T]) broadcast() {
	if s.waiters > 0 {
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// release gives the write token back. s.mu is held.
func (s *Sender[T]) release() {
	s.writing = false
	s.broadcast()
	if len(s.buf) > 0 {
		s.armed = false
		s.arm()
	}
}

// arm tells the flusher that there is something to flush. s.mu is held.
func (s *Sender[T]) arm() {
	if s.armed || s.kick == nil {
		return
	}
	s.armed = true
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// drain writes the buffer until it is empty or enough says so (checked
// after each write, s.mu held). s.mu and the write token are held; s.mu is
// released while writing. It stops early when ctx ends or
// (unless closer) a Close begins, and returns that reason: what is not
// written stays buffered, a record cut in the middle included (its rest
// is written first by the next writer: the flusher, a Send or Close). It
// fails the Sender on a write error or when the close deadline passes.
func (s *Sender[T]) drain(ctx context.Context, closer bool, enough func() bool) error {
	for len(s.buf) > 0 && (enough == nil || !enough()) {
		out, outMsgs, partial, partialMsg := s.buf, s.bufMsgs, s.partial, s.partialMsg
		s.buf, s.bufMsgs, s.partial, s.partialMsg, s.spare = s.spare[:0], 0, 0, false, nil
		s.broadcast() // the buffer has room again
		s.mu.Unlock()
		n, werr := s.writeOut(ctx, out, partial, closer)
		s.mu.Lock()
		if n == len(out) {
			s.written.Add(outMsgs)
			s.spare = out[:0]
			if cap(out) > 4*s.limit {
				s.spare = nil
			}
		} else {
			done, restPartial, restMsg := scanWritten(out, partial, partialMsg, n)
			s.written.Add(done)
			// Put the rest back in front of what was buffered meanwhile.
			rest := out[:copy(out, out[n:])]
			newer := s.buf
			s.buf = append(rest, newer...)
			s.bufMsgs += outMsgs - done
			s.partial, s.partialMsg = restPartial, restMsg
			s.spare = newer[:0]
		}
		if werr != nil {
			if isStop(werr) {
				return werr
			}
			return s.fail(werr, s.partial > 0)
		}
	}
	if s.spare == nil {
		s.spare = make([]byte, 0, s.limit+s.limit/4)
	}
	return nil
}

// scanWritten returns, for a buffer out that starts with partial bytes
// finishing a record (a message if partialMsg) followed by whole records,
// of which n bytes were written: the message frames completed, and the
// unwritten rest of a record cut at n (0 if n is at a record boundary)
// with whether it is a message.
func scanWritten(out []byte, partial int, partialMsg bool, n int) (done int64, restPartial int, restMsg bool) {
	if n < partial {
		return 0, partial - n, partialMsg
	}
	if partial > 0 && partialMsg {
		done++
	}
	for p := partial; p < n; {
		l, msg := recordLen(out[p:])
		if p+l > n {
			return done, p + l - n, msg
		}
		p += l
		if msg {
			done++
		}
	}
	return done, 0, false
}

// stopError is why a holder stopped writing: its ctx ended or a Close began.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

func isStop(err error) bool {
	var se *stopError
	return errors.As(err, &se)
}

var errCloseDeadline = errors.New("close deadline passed")

// writeOut writes out to the pipe without s.mu: partial bytes that finish
// a record, then whole records. It returns the number of bytes written
// and, if not all: a *stopError (ctx ended or a Close began),
// errCloseDeadline, or the write error. In fan-in mode every write holds
// whole records and at most PipeBuf bytes.
func (s *Sender[T]) writeOut(ctx context.Context, out []byte, partial int, closer bool) (int, error) {
	// The state of the write lives in s.ws (only the write token's holder
	// writes), so that the callbacks the poller takes are bound once per
	// Sender, not allocated per write.
	ws := &s.ws
	ws.out, ws.n, ws.nvec = out, 0, 0
	defer func() { ws.out = nil }()
	return s.writeLoop(ctx, len(out), partial, closer)
}

// writeParts writes the concatenation of parts (a frame's head, payload
// and checksum) with writev(2): one system call for the whole frame when
// the pipe has room, and no staging copy. Returns as writeOut.
func (s *Sender[T]) writeParts(ctx context.Context, parts [3][]byte) (int, error) {
	ws := &s.ws
	ws.vec, ws.nvec, ws.n = parts, 0, 0
	total := 0
	for _, p := range parts {
		if len(p) > 0 {
			ws.vec[ws.nvec] = p
			ws.nvec++
			total += len(p)
		}
	}
	defer func() { ws.vec, ws.nvec = [3][]byte{}, 0 }()
	return s.writeLoop(ctx, total, total, false)
}

// writeLoop writes s.ws's bytes (out, or the parts) from s.ws.n to total.
func (s *Sender[T]) writeLoop(ctx context.Context, total, partial int, closer bool) (int, error) {
	ws := &s.ws
	out := ws.out
	began := false
	defer func() {
		if began {
			s.dl.end()
		}
	}()
	for ws.n < total {
		ws.end = total
		if s.enc.fanIn && ws.n >= partial {
			ws.end = ws.n + fanInChunk(out[ws.n:])
		}
		ws.werr = nil
		// First without waiting (no deadline involved), then through the poller.
		ws.ready = false
		if cerr := s.rc.Control(s.controlFn); cerr != nil {
			return ws.n, cerr
		}
		if ws.werr != nil {
			return ws.n, ws.werr
		}
		if ws.ready {
			continue
		}
		if !began {
			s.dl.begin(ctx, closer)
			began = true
		}
		s.bpWaits.Add(1)
		waitStart := time.Now()
		err := s.rc.Write(s.attemptFn)
		s.bpNanos.Add(int64(time.Since(waitStart)))
		if ws.werr != nil {
			return ws.n, ws.werr
		}
		if err == nil {
			continue
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return ws.n, err
		}
		closeExpired, cancelled := s.dl.why()
		switch {
		case closeExpired:
			return ws.n, errCloseDeadline
		case cancelled:
			cause := ctx.Err()
			if cause == nil {
				cause = ErrClosed
			}
			return ws.n, &stopError{cause}
		}
	}
	return ws.n, nil
}

// writeState is the state of the write in progress (writeOut, writeParts).
type writeState struct {
	out    []byte
	vec    [3][]byte // writeParts: the parts (nvec of them), instead of out
	nvec   int
	iov    [3]unix.Iovec
	n, end int
	werr   error
	ready  bool
}

// writev writes the parts from byte n on with one writev(2).
func (ws *writeState) writev(fd int) (int, error) {
	skip, k := ws.n, 0
	for _, p := range ws.vec[:ws.nvec] {
		if skip >= len(p) {
			skip -= len(p)
			continue
		}
		p = p[skip:]
		skip = 0
		ws.iov[k].Base = &p[0]
		ws.iov[k].SetLen(len(p))
		k++
	}
	m, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&ws.iov[0])), uintptr(k))
	for i := range ws.iov[:k] {
		ws.iov[i].Base = nil
	}
	if e != 0 {
		return 0, e
	}
	return int(m), nil
}

// attempt writes s.ws.out[n:end] (or the parts) until done, EAGAIN
// (false) or an error.
func (s *Sender[T]) attempt(fd uintptr) bool {
	ws := &s.ws
	for ws.n < ws.end {
		var m int
		var e error
		if ws.nvec > 0 {
			m, e = ws.writev(int(fd))
		} else {
			m, e = unix.Write(int(fd), ws.out[ws.n:ws.end])
		}
		if m > 0 {
			ws.n += m
			s.bytes.Add(int64(m))
			s.lastWrite.Store(int64(time.Since(s.start)))
		}
		switch e {
		case nil:
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			ws.werr = e
			return true
		}
	}
	return true
}

func (s *Sender[T]) control(fd uintptr) { s.ws.ready = s.attempt(fd) }

// fanInChunk returns the length of the longest run of whole records at the
// start of b that fits one atomic write (at least one record).
func fanInChunk(b []byte) int {
	p := 0
	for p < len(b) {
		l, _ := recordLen(b[p:])
		if p > 0 && p+l > PipeBuf {
			break
		}
		p += l
	}
	return p
}

// fail fails the Sender: the error it returns and every later call
// returns says what happened to the data. s.mu is held.
func (s *Sender[T]) fail(cause error, torn bool) error {
	if s.failed != nil {
		return s.failed
	}
	se := &SendError{Op: "write", Kind: cause, Err: cause, Torn: torn, Written: s.written.Load(), Discarded: s.bufMsgs}
	switch {
	case errors.Is(cause, unix.EPIPE):
		se.Kind = ErrPeerClosed
	case cause == errCloseDeadline:
		se.Kind, se.Err = ErrCloseTimeout, nil
	}
	s.failed = se
	s.discarded.Add(s.bufMsgs)
	s.sessTruncated.Add(1)
	s.buf, s.bufMsgs, s.partial = s.buf[:0], 0, 0
	s.broadcast()
	if !s.closing {
		// Nobody will close it in an orderly way: release the FIFO now.
		s.closing = true
		s.finish(se)
	}
	return se
}

// finish releases the FIFO and the flusher and closes Done. s.mu is held.
func (s *Sender[T]) finish(result error) {
	if s.finished {
		return
	}
	s.finished = true
	s.result = result
	s.f.Close()
	if s.stop != nil {
		close(s.stop)
	}
	close(s.done)
}

// Flush writes every accepted message into the pipe, waiting until ctx
// ends. If ctx ends first, the messages not yet written stay accepted and
// are written later.
func (s *Sender[T]) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.acquire(ctx, "flush"); err != nil {
		return s.opErr("flush", err)
	}
	target := s.appended // what was accepted when Flush was called
	if s.bytes.Load() < target {
		s.flushes.Add(1)
	}
	err := s.drain(ctx, false, func() bool { return s.bytes.Load() >= target })
	s.release()
	if err != nil {
		return s.opErr("flush", err)
	}
	return nil
}

func (s *Sender[T]) opErr(op string, err error) error {
	e := s.notSent(op, err)
	var se *SendError
	if errors.As(e, &se) {
		se.Op, se.Message = op, NoMessage
	}
	return e
}

// Close ends the stream cleanly: it wakes every waiting Send (ErrClosed,
// not sent), writes the accepted messages and the end-of-stream frame and
// closes the FIFO, bounded by CloseTimeout (30 s by default). If the
// reader does not take the bytes in time, the stream ends truncated and
// Close returns a *SendError (ErrCloseTimeout) saying how many messages
// were written, how many discarded, and whether a frame was torn. Done is
// closed when it returns. Calling Close again returns the first result.
func (s *Sender[T]) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.closeTimeout)
	defer cancel()
	return s.end(ctx, "close", false, "")
}

// CloseContext is Close bounded by ctx instead of CloseTimeout.
func (s *Sender[T]) CloseContext(ctx context.Context) error { return s.end(ctx, "close", false, "") }

// Abort ends the stream with an error: like Close, it wakes waiting Sends
// and writes the accepted messages (bounded by CloseTimeout), then it
// writes an aborted end carrying reason (UTF-8, cut to 1024 bytes), so the
// reader gets an *AbortedError after every complete message and the
// stream never looks finished. With WireVersion10 it writes no end at all
// (the reader reports a truncated stream). Abort returns nil if the
// aborted end reached the pipe; Err then returns an *AbortedError. Abort
// after Close or Abort does nothing and returns nil.
func (s *Sender[T]) Abort(reason string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.closeTimeout)
	defer cancel()
	err := s.end(ctx, "abort", true, reason)
	if err == errAlreadyEnded {
		return nil
	}
	return err
}

// AbortContext is Abort bounded by ctx instead of CloseTimeout. With a ctx
// that has already ended it writes only what the pipe takes at once and
// then closes the FIFO (the reader sees a truncated stream if the aborted
// end did not fit): the way to drop a connection at once.
func (s *Sender[T]) AbortContext(ctx context.Context, reason string) error {
	err := s.end(ctx, "abort", true, reason)
	if err == errAlreadyEnded {
		return nil
	}
	return err
}

var errAlreadyEnded = errors.New("already ended")

func (s *Sender[T]) end(ctx context.Context, op string, abort bool, reason string) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		if abort {
			return errAlreadyEnded
		}
		select {
		case <-s.done:
		case <-ctx.Done():
			return &SendError{Op: op, Kind: ctx.Err(), Written: s.written.Load()}
		}
		if _, ok := s.result.(*AbortedError); ok {
			return nil
		}
		return s.result
	}
	s.closing = true
	s.broadcast()
	var at time.Time
	if d, ok := ctx.Deadline(); ok {
		at = d
	}
	if ctx.Err() != nil {
		at = pastTime
	}
	s.dl.startClose(at)
	stop := context.AfterFunc(ctx, s.dl.expireClose)
	defer stop()
	// The current holder stops at a record boundary (or at the deadline).
	for s.writing {
		s.wait(context.Background())
	}
	if s.failed != nil {
		err := s.failed
		s.finish(err)
		s.mu.Unlock()
		return err
	}
	s.writing = true
	before := len(s.buf)
	switch {
	case !abort:
		s.buf = s.enc.appendEnd(s.buf)
	case s.enc.version != version10:
		s.buf = s.enc.appendAborted(s.buf, reason)
	}
	s.appended += int64(len(s.buf) - before)
	err := s.drain(context.Background(), true, nil)
	s.writing = false
	if err != nil {
		if s.failed == nil {
			s.sessTruncated.Add(1)
		}
		s.failed = err
		se, _ := err.(*SendError)
		if se != nil {
			se.Op = op
		}
		s.broadcast()
		s.finish(err)
		s.mu.Unlock()
		return err
	}
	var result error
	if abort {
		result = &AbortedError{Reason: truncateReason(reason), Offset: -1}
		if s.enc.version == version10 {
			s.sessTruncated.Add(1) // no end at all: the reader sees a truncated stream
		} else {
			s.sessAborted.Add(1)
		}
	} else {
		s.sessEnded.Add(1)
	}
	s.finish(result)
	s.mu.Unlock()
	if s.flusherDone != nil {
		<-s.flusherDone
	}
	return nil
}

// Done is closed when the Sender has ended: Close or Abort returned, or
// the Sender failed. Err then says which.
func (s *Sender[T]) Done() <-chan struct{} { return s.done }

// Err returns nil while the Sender is open and after a clean Close, an
// *AbortedError after Abort, and the *SendError that failed it otherwise.
func (s *Sender[T]) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return s.failed
	}
	select {
	case <-s.done:
		return s.result
	default:
		return nil
	}
}

// Stats returns the Sender's counters without taking its lock.
func (s *Sender[T]) Stats() SenderStats {
	st := SenderStats{
		Accepted: s.accepted.Load(), Written: s.written.Load(), BytesWritten: s.bytes.Load(),
		PayloadBytesAccepted: s.payloadBytes.Load(), Flushes: s.flushes.Load(),
		BackPressureWaits: s.bpWaits.Load(), BackPressureNanos: s.bpNanos.Load(), Timeouts: s.timeouts.Load(),
		EncodeFailures: s.encodeFails.Load(), TooLongRefusals: s.tooLong.Load(),
		SessionsStarted: s.sessStarted.Load(), SessionsEnded: s.sessEnded.Load(), SessionsAborted: s.sessAborted.Load(),
		SessionsTruncated: s.sessTruncated.Load(), HeartbeatsSent: s.heartbeats.Load(),
	}
	st.Pending = max(0, st.Accepted-st.Written-s.discarded.Load())
	return st
}

// flusher writes accepted messages once the Sender has been idle for the
// flush delay, and heartbeats once nothing was written for the heartbeat
// interval. While sends keep coming it waits up to maxBusyDelays delays
// for a pause, then flushes anyway, to bound the wait of a slow trickle.
func (s *Sender[T]) flusher() {
	defer close(s.flusherDone)
	var hb <-chan time.Time
	var hbTimer *time.Timer
	if s.heartbeat > 0 {
		hbTimer = time.NewTimer(s.heartbeat)
		defer hbTimer.Stop()
		hb = hbTimer.C
	}
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			s.idleFlush()
		case <-hb:
			idle := time.Since(s.start) - time.Duration(s.lastWrite.Load())
			if idle >= s.heartbeat {
				s.writeHeartbeat()
				idle = 0
			}
			hbTimer.Reset(s.heartbeat - idle)
		}
	}
}

const maxBusyDelays = 20

func (s *Sender[T]) idleFlush() {
	seen := s.accepted.Load() // changes while sends keep coming
	for busy := 0; ; {
		if s.delay > 0 && !s.sleep(s.delay, busy >= 2) {
			return
		}
		if now := s.accepted.Load(); s.delay > 0 && now != seen && busy < maxBusyDelays {
			seen = now
			busy++
			continue
		}
		s.mu.Lock()
		s.armed = false
		if s.writing || s.closing || len(s.buf) == 0 {
			// A writer drains everything and re-arms if it leaves some.
			s.mu.Unlock()
			return
		}
		s.writing = true
		target := s.appended
		s.flushes.Add(1)
		s.drain(context.Background(), false, func() bool { return s.bytes.Load() >= target })
		s.release()
		s.mu.Unlock()
		return
	}
}

// sleep sleeps d and reports whether the flusher should go on. Delays
// under 2 ms are slept with nanosleep(2) unless busy: Go's timers fire
// about 1 ms late when the process is otherwise idle. While sends keep
// coming (busy: sends seen in two delays in a row, a stream rather than a
// burst) a Go timer parks only the goroutine, where a nanosleep held its
// thread in a system call every delay, whose processor the runtime then
// handed to another thread, and back (measured: half the futex calls of a
// 100-byte stream). The price: when such a stream stops, its last
// messages may wait up to about 1 ms for the flush (the bound that
// maxBusyDelays already sets while it runs) instead of one delay.
func (s *Sender[T]) sleep(d time.Duration, busy bool) bool {
	if d < 2*time.Millisecond && !busy {
		ts := unix.NsecToTimespec(int64(d))
		for unix.Nanosleep(&ts, &ts) == unix.EINTR {
		}
	} else {
		if s.timer == nil {
			s.timer = time.NewTimer(d)
		} else {
			s.timer.Reset(d)
		}
		select {
		case <-s.timer.C:
		case <-s.stop:
			s.timer.Stop()
			return false
		}
	}
	select {
	case <-s.stop:
		return false
	default:
		return true
	}
}

// writeHeartbeat writes a heartbeat if the Sender is idle and the pipe
// takes it at once.
func (s *Sender[T]) writeHeartbeat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writing || s.closing || len(s.buf) > 0 {
		return
	}
	s.writing = true
	s.buf = s.enc.appendHeartbeat(s.buf)
	s.appended += int64(len(s.buf))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.drain(ctx, false, nil); err != nil && s.failed == nil && len(s.buf) > s.partial {
		// The pipe is full (the reader is not reading anyway): drop the
		// heartbeat unless it is partly written.
		s.appended -= int64(len(s.buf))
		s.buf = s.buf[:0]
	} else if err == nil {
		s.heartbeats.Add(1)
	}
	s.release()
}
