package fcnats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"fifochan.dev/fifochan"
)

// Envelope is a received message with its frame's metadata.
type Envelope[T any] struct {
	Value    T
	Tag      string
	Headers  fifochan.Headers
	Session  string
	Seq      int64
	Position uint64 // JetStream: the stream sequence; core: messages received so far
}

// ReceiverStats counts what a Receiver saw.
type ReceiverStats struct {
	Messages, Duplicates, Lost, OutOfOrder, SessionsStarted, SessionsEnded, Heartbeats int64
}

// Receiver reads the sessions published on a subject. One goroutine at a
// time may call Receive; Close may be called from any goroutine.
type Receiver[T any] struct {
	nc      *nats.Conn
	codec   fifochan.Codec[T]
	opts    Options
	sub     *nats.Subscription
	iter    jetstream.MessagesContext
	closeC  chan struct{}
	closed  bool
	pos     uint64
	dropped int
	// sessions and their frame numbers
	sessions map[string]*session
	ended    map[string]*session
	endedQ   []string
	refused  map[string]bool
	sawOne   bool
	held     *inbound
	stats    ReceiverStats
}

type session struct {
	id       string
	codec    string
	floor    int64
	above    map[int64]bool
	lastSeen time.Time
}

func (s *session) seen(n int64) bool { return n <= s.floor || s.above[n] }

func (s *session) mark(n int64) {
	if n == s.floor+1 {
		s.floor = n
		for s.above[s.floor+1] {
			delete(s.above, s.floor+1)
			s.floor++
		}
	} else if n > s.floor {
		if s.above == nil {
			s.above = map[int64]bool{}
		}
		s.above[n] = true
	}
}

type inbound struct {
	h    nats.Header
	data []byte
	pos  uint64
	ack  func()
}

// OpenReceiver subscribes to subject (core) or makes a consumer on its
// stream (JetStream) and returns a Receiver.
func OpenReceiver[T any](ctx context.Context, nc *nats.Conn, subject string, codec fifochan.Codec[T], opts Options) (*Receiver[T], error) {
	opts = opts.withDefaults()
	r := &Receiver[T]{nc: nc, codec: codec, opts: opts, closeC: make(chan struct{}), sessions: map[string]*session{},
		ended: map[string]*session{}, refused: map[string]bool{}}
	if opts.Mode == ModeJetStream {
		js, err := jetstream.New(nc)
		if err != nil {
			return nil, err
		}
		st, err := ensureStream(ctx, js, subject, opts)
		if err != nil {
			return nil, err
		}
		cfg := jetstream.ConsumerConfig{Durable: opts.Durable, AckPolicy: jetstream.AckExplicitPolicy, AckWait: opts.AckWait,
			FilterSubject: subject, MaxAckPending: 2 * opts.MaxInFlight, DeliverPolicy: jetstream.DeliverNewPolicy}
		if opts.Durable == "" {
			cfg.InactiveThreshold = 5 * time.Minute
		}
		if opts.DeliverAll {
			cfg.DeliverPolicy = jetstream.DeliverAllPolicy
		}
		if opts.StartSeq > 0 {
			cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
			cfg.OptStartSeq = opts.StartSeq
		}
		cons, err := st.CreateOrUpdateConsumer(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("fcnats: consumer on %s: %w", subject, err)
		}
		r.iter, err = cons.Messages(jetstream.PullExpiry(2 * time.Second))
		if err != nil {
			return nil, err
		}
	} else {
		sub, err := nc.SubscribeSync(subject)
		if err != nil {
			return nil, err
		}
		if err := sub.SetPendingLimits(opts.PendingMsgs, opts.PendingBytes); err != nil {
			return nil, err
		}
		r.sub = sub
	}
	return r, nil
}

// Receive returns the next message; io.EOF once every session it saw has
// ended (without Follow). Errors: *LostError (core gaps and drops),
// *fifochan.AbortedError, fifochan.ErrTruncatedStream (a session silent
// past Liveness), fifochan.ErrIncompatibleStream, decode failures
// (fifochan.ErrDecode; the next call goes on).
func (r *Receiver[T]) Receive(ctx context.Context) (T, error) {
	e, err := r.ReceiveEnvelope(ctx)
	return e.Value, err
}

// ReceiveEnvelope is Receive with the frame's tag, headers, session and numbers.
func (r *Receiver[T]) ReceiveEnvelope(ctx context.Context) (Envelope[T], error) {
	var zero Envelope[T]
	for {
		if r.closed {
			return zero, fifochan.ErrClosed
		}
		var in *inbound
		if r.held != nil {
			in, r.held = r.held, nil
		} else {
			if err := r.checkDrops(); err != nil {
				return zero, err
			}
			if err := r.checkExpired(); err != nil {
				return zero, err
			}
			if !r.opts.Follow && r.sawOne && len(r.sessions) == 0 {
				return zero, io.EOF
			}
			var err error
			in, err = r.next(ctx)
			if err != nil {
				return zero, err
			}
			if in == nil {
				continue
			}
		}
		e, done, err := r.interpret(in)
		if err != nil || done {
			return e, err
		}
	}
}

// next waits for one message, re-checking liveness at least every 100 ms.
func (r *Receiver[T]) next(ctx context.Context) (*inbound, error) {
	wait := 100 * time.Millisecond
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if r.sub != nil {
		m, err := r.sub.NextMsgWithContext(wctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, nil
			}
			if r.nc.IsClosed() {
				return nil, ErrConnectionClosed
			}
			if errors.Is(err, nats.ErrSlowConsumer) {
				return nil, nil // reported from the dropped count
			}
			return nil, err
		}
		r.pos++
		return &inbound{h: m.Header, data: m.Data, pos: r.pos}, nil
	}
	m, err := r.iter.Next(jetstream.NextContext(wctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if r.nc.IsClosed() {
			return nil, ErrConnectionClosed
		}
		return nil, nil
	}
	var pos uint64
	if md, err := m.Metadata(); err == nil {
		pos = md.Sequence.Stream
	}
	return &inbound{h: m.Headers(), data: m.Data(), pos: pos, ack: func() { _ = m.Ack() }}, nil
}

func (r *Receiver[T]) checkDrops() error {
	if r.sub == nil {
		return nil
	}
	d, err := r.sub.Dropped()
	if err == nil && d > r.dropped {
		n := d - r.dropped
		r.dropped = d
		r.stats.Lost += int64(n)
		return &LostError{SlowConsumer: true, Lost: int64(n)}
	}
	return nil
}

func (r *Receiver[T]) checkExpired() error {
	if r.opts.Liveness <= 0 {
		return nil
	}
	for id, s := range r.sessions {
		if time.Since(s.lastSeen) >= r.opts.Liveness {
			r.endSession(id, s)
			return fmt.Errorf("%w: session %s silent for %v (its publisher is presumed dead)", fifochan.ErrTruncatedStream, id, r.opts.Liveness)
		}
	}
	return nil
}

func (r *Receiver[T]) endSession(id string, s *session) {
	delete(r.sessions, id)
	r.ended[id] = s
	r.endedQ = append(r.endedQ, id)
	if len(r.endedQ) > 4096 {
		delete(r.ended, r.endedQ[0])
		r.endedQ = r.endedQ[1:]
	}
}

func (r *Receiver[T]) consumed(in *inbound) {
	if in.ack != nil {
		in.ack()
	}
}

// interpret handles one message: done with a message or error to return,
// or not done (consumed here) to read on.
func (r *Receiver[T]) interpret(in *inbound) (Envelope[T], bool, error) {
	var zero Envelope[T]
	jsMode := r.iter != nil
	id, _ := first(in.h, HdrSession)
	rec, isControl := first(in.h, HdrRec)
	seq := number(in.h, HdrSeq)
	if r.refused[id] {
		r.consumed(in)
		return zero, false, nil
	}
	if isControl {
		switch rec {
		case recStart:
			r.consumed(in)
			if r.sessions[id] != nil || r.ended[id] != nil {
				r.stats.Duplicates++
				return zero, false, nil
			}
			codec, _ := first(in.h, HdrCodec)
			if v, _ := first(in.h, HdrVersion); v != "1.1" && v != "1.0" {
				r.refused[id] = true
				return zero, true, fmt.Errorf("%w: session %s announces version %q", fifochan.ErrIncompatibleVersion, id, v)
			}
			if !fifochan.Accepts(r.codec.Name(), codec) {
				r.refused[id] = true
				return zero, true, fmt.Errorf("%w: session %s writes %q, this reader reads %q", fifochan.ErrIncompatibleCodec, id, codec, r.codec.Name())
			}
			r.sessions[id] = &session{id: id, codec: codec, lastSeen: time.Now()}
			r.sawOne = true
			r.stats.SessionsStarted++
			return zero, false, nil
		case recHB:
			s := r.sessions[id]
			if s == nil {
				r.consumed(in)
				if r.ended[id] == nil {
					r.join(id, max(seq, 0))
				}
				return zero, false, nil
			}
			s.lastSeen = time.Now()
			if !jsMode && seq > s.floor {
				n := seq - s.floor
				err := &LostError{Session: id, Expected: s.floor + 1, Got: seq, Lost: n}
				s.floor = seq
				r.stats.Lost += n
				r.consumed(in)
				return zero, true, err
			}
			r.stats.Heartbeats++
			r.consumed(in)
			return zero, false, nil
		case recEnd, recAbort:
			s := r.sessions[id]
			if s == nil {
				if r.ended[id] != nil {
					r.stats.Duplicates++
				}
				r.consumed(in)
				return zero, false, nil
			}
			if !jsMode && seq > s.floor {
				n := seq - s.floor
				err := &LostError{Session: id, Expected: s.floor + 1, Got: seq, Lost: n}
				s.floor = seq
				r.stats.Lost += n
				r.held = in
				return zero, true, err
			}
			r.endSession(id, s)
			r.consumed(in)
			if rec == recAbort {
				return zero, true, &fifochan.AbortedError{Reason: string(in.data), Offset: int64(in.pos)}
			}
			r.stats.SessionsEnded++
			return zero, false, nil
		default:
			r.consumed(in)
			return zero, false, nil
		}
	}
	// a frame
	s := r.sessions[id]
	if s == nil {
		if old := r.ended[id]; old != nil {
			if seq < 0 || old.seen(seq) {
				r.stats.Duplicates++
				r.consumed(in)
				return zero, false, nil
			}
			old.mark(seq)
			r.stats.OutOfOrder++
			s = old
		} else {
			s = r.join(id, max(seq-1, 0))
		}
	}
	if seq >= 0 && id != "" {
		if s.seen(seq) {
			r.stats.Duplicates++
			r.consumed(in)
			return zero, false, nil
		}
		if seq > s.floor+1 && !jsMode {
			n := seq - s.floor - 1
			err := &LostError{Session: id, Expected: s.floor + 1, Got: seq, Lost: n}
			s.floor = seq - 1
			r.stats.Lost += n
			r.held = in
			return zero, true, err
		}
		if seq > s.floor+1 {
			r.stats.OutOfOrder++
		}
		s.mark(seq)
	}
	s.lastSeen = time.Now()
	r.consumed(in) // the application takes it now: acknowledged
	tag := ""
	if t, ok := first(in.h, HdrTag); ok {
		b, err := DecodeValue(t)
		if err != nil {
			return zero, true, fmt.Errorf("%w: fc-tag: %v", fifochan.ErrBadHeaders, err)
		}
		tag = string(b)
	}
	var hs fifochan.Headers
	for k, vs := range in.h {
		if !isUserKey(k) || len(vs) == 0 {
			continue
		}
		b, err := DecodeValue(vs[0])
		if err != nil {
			return zero, true, fmt.Errorf("%w: %s: %v", fifochan.ErrBadHeaders, k, err)
		}
		hs = append(hs, fifochan.Header{Key: k, Value: b})
	}
	v, err := r.codec.Decode(tag, in.data)
	if err != nil {
		return zero, true, fmt.Errorf("%w: %v", fifochan.ErrDecode, err)
	}
	r.stats.Messages++
	return Envelope[T]{Value: v, Tag: tag, Headers: hs, Session: id, Seq: seq, Position: in.pos}, true, nil
}

func (r *Receiver[T]) join(id string, floor int64) *session {
	s := &session{id: id, codec: r.opts.AssumedCodec, floor: floor, lastSeen: time.Now()}
	r.sessions[id] = s
	r.sawOne = true
	r.stats.SessionsStarted++
	return s
}

// Stats returns the counts so far (call from the receiving goroutine).
func (r *Receiver[T]) Stats() ReceiverStats { return r.stats }

// Close stops receiving (unsubscribes, or stops the consumer).
func (r *Receiver[T]) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	close(r.closeC)
	if r.iter != nil {
		r.iter.Stop()
		return nil
	}
	return r.sub.Unsubscribe()
}
