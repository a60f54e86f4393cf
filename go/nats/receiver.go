package fcnats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync/atomic"
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
	nc    *nats.Conn
	codec fifochan.Codec[T]
	opts  Options
	sub   *nats.Subscription
	js    *pulls // JetStream mode
	cons  jetstream.Consumer
	// sessions whose end came before frames it counts (JetStream): held back
	pendingEnds    int
	nextFloorCheck time.Time
	closeC         chan struct{}
	closed         atomic.Bool
	pos            uint64
	dropped        int
	// sessions and their frame numbers
	sessions map[string]*session
	ended    map[string]*session
	endedQ   []string
	refused  map[string]bool
	sawOne   bool
	held     *inbound
	stats    ReceiverStats
}

// session is one writer session's state: the frame numbers seen, as a
// floor (every number up to it seen, or in core NATS reported lost) and
// ranges of numbers seen above it. A JetStream session joined after its
// start assumes nothing below the first frame it sees: a consumer
// restarted with the same durable gets the frames it had taken but not
// acknowledged again only after AckWait, after newer ones, and they are
// not duplicates.
type session struct {
	id       string
	codec    string
	floor    int64
	ranges   [][2]int64 // seen numbers above floor+1: sorted, disjoint, not adjacent
	highest  int64
	lastSeen time.Time
	// JetStream: an end that came before some of the frames it counts, held
	// back (not acknowledged) until they come; nil: none
	endIn    *inbound
	endRec   string
	endSeq   int64
	endUntil time.Time
}

func (s *session) seen(n int64) bool {
	if n <= s.floor {
		return true
	}
	i := sort.Search(len(s.ranges), func(i int) bool { return s.ranges[i][1] >= n })
	return i < len(s.ranges) && s.ranges[i][0] <= n
}

// late reports whether frame n comes after a later frame of its session.
func (s *session) late(n int64) bool { return n < s.highest }

func (s *session) mark(n int64) {
	if n > s.highest {
		s.highest = n
	}
	if n <= s.floor {
		return
	}
	if n == s.floor+1 {
		s.floor = n
		s.absorb()
		return
	}
	// the first range that ends at n-1 or later
	i := sort.Search(len(s.ranges), func(i int) bool { return s.ranges[i][1] >= n-1 })
	if i < len(s.ranges) && s.ranges[i][0] <= n+1 {
		if n < s.ranges[i][0] {
			s.ranges[i][0] = n
		}
		if n > s.ranges[i][1] {
			s.ranges[i][1] = n
			if i+1 < len(s.ranges) && s.ranges[i+1][0] == n+1 {
				s.ranges[i][1] = s.ranges[i+1][1]
				s.ranges = slices.Delete(s.ranges, i+1, i+2)
			}
		}
		return
	}
	s.ranges = slices.Insert(s.ranges, i, [2]int64{n, n})
}

// raiseFloor sets the floor (core NATS: the numbers up to n reported lost).
func (s *session) raiseFloor(n int64) {
	if n > s.floor {
		s.floor = n
		s.highest = max(s.highest, n)
		s.absorb()
	}
}

func (s *session) absorb() {
	for len(s.ranges) > 0 && s.ranges[0][0] <= s.floor+1 {
		s.floor = max(s.floor, s.ranges[0][1])
		s.ranges = s.ranges[1:]
	}
}

type inbound struct {
	h    nats.Header
	data []byte
	pos  uint64
	ack  func()
}

// OpenReceiver subscribes to subject (core) or makes a consumer on its
// stream (JetStream) and returns a Receiver. Core: the server has the
// subscription when it returns (it waits for the server's confirmation
// until ctx's deadline, or the connection's Timeout when ctx has none).
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
		r.cons = cons
		r.js = newPulls(nc, cons, st.CachedInfo().Config.Name, opts)
	} else {
		sub, err := nc.SubscribeSync(subject)
		if err != nil {
			return nil, err
		}
		if err := sub.SetPendingLimits(opts.PendingMsgs, opts.PendingBytes); err != nil {
			return nil, err
		}
		r.sub = sub
		// The server has the subscription when OpenReceiver returns, so what
		// another connection publishes from then on reaches it. While the
		// connection is down there is nothing to wait for: nats.go sends the
		// subscription on reconnect.
		if nc.IsConnected() {
			fctx, cancel := ctx, context.CancelFunc(func() {})
			if _, ok := ctx.Deadline(); !ok {
				fctx, cancel = context.WithTimeout(ctx, nc.Opts.Timeout)
			}
			err := nc.FlushWithContext(fctx)
			cancel()
			if err != nil && nc.IsConnected() {
				_ = sub.Unsubscribe()
				return nil, fmt.Errorf("fcnats: the server did not confirm the subscription to %s: %w", subject, err)
			}
		}
	}
	return r, nil
}

// Receive returns the next message; io.EOF once every session it saw has
// ended (without Follow). Errors: *LostError (core gaps and drops),
// *fifochan.AbortedError, fifochan.ErrTruncatedStream (a session silent
// past Liveness), fifochan.ErrIncompatibleStream, decode failures
// (fifochan.ErrDecode; the next call goes on); ErrConnectionClosed and,
// JetStream, *ConsumerGoneError (the consumer deleted and not re-created
// within 5 s) and ErrPullRefused (the consumer's limits refuse the
// receiver's pulls) on this and every later call. A JetStream wait is
// never silent for good: a pull ends within 5 s (2 s after a missed
// heartbeat) and is replaced.
func (r *Receiver[T]) Receive(ctx context.Context) (T, error) {
	e, err := r.ReceiveEnvelope(ctx)
	return e.Value, err
}

// ReceiveEnvelope is Receive with the frame's tag, headers, session and numbers.
func (r *Receiver[T]) ReceiveEnvelope(ctx context.Context) (Envelope[T], error) {
	var zero Envelope[T]
	for {
		if r.closed.Load() {
			return zero, fifochan.ErrClosed
		}
		var in *inbound
		if r.held != nil {
			in, r.held = r.held, nil
		} else {
			if r.pendingEnds > 0 {
				if e, done, err := r.finishPendingEnd(ctx); err != nil || done {
					return e, err
				}
			}
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
			if r.closed.Load() {
				return nil, fifochan.ErrClosed
			}
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
	m, err := r.js.next(ctx, wctx)
	if m == nil || err != nil {
		if r.closed.Load() {
			return nil, fifochan.ErrClosed
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if r.nc.IsClosed() {
			return nil, ErrConnectionClosed
		}
		return nil, err
	}
	var pos uint64
	if md, err := m.Metadata(); err == nil {
		pos = md.Sequence.Stream
	}
	return &inbound{h: m.Headers(), data: m.Data(), pos: pos, ack: func() { _ = m.Ack() }}, nil
}

func (r *Receiver[T]) endWait() time.Duration { return 2*r.opts.AckWait + 5*time.Second }

// finishPendingEnd ends a session whose end was held back once every frame
// it counts has come, once the consumer's acknowledgement floor reaches the
// end (the missing frames were acknowledged by an earlier receiver of the
// durable, or lie before where the consumer started), or after twice
// AckWait plus 5 s of connected time.
func (r *Receiver[T]) finishPendingEnd(ctx context.Context) (Envelope[T], bool, error) {
	var zero Envelope[T]
	now := time.Now()
	var floor uint64
	asked := false
	for id, s := range r.sessions {
		if s.endIn == nil {
			continue
		}
		if !r.nc.IsConnected() {
			if u := now.Add(r.endWait()); u.After(s.endUntil) {
				s.endUntil = u
			}
			continue
		}
		done := s.endSeq <= s.floor
		if !done && !now.Before(r.nextFloorCheck) {
			if !asked {
				asked = true
				r.nextFloorCheck = now.Add(250 * time.Millisecond)
				ictx, cancel := context.WithTimeout(ctx, time.Second)
				if ci, err := r.cons.Info(ictx); err == nil {
					floor = ci.AckFloor.Stream
				}
				cancel()
			}
			done = s.endIn.pos > 0 && floor >= s.endIn.pos-1
		}
		if !done && !now.Before(s.endUntil) {
			done = true // the missing frames never came: another client of the durable took them
		}
		if !done {
			continue
		}
		in := s.endIn
		s.endIn = nil
		r.pendingEnds--
		r.endSession(id, s)
		r.consumed(in)
		if s.endRec == recAbort {
			return zero, true, &fifochan.AbortedError{Reason: string(in.data), Offset: int64(in.pos)}
		}
		r.stats.SessionsEnded++
		return zero, false, nil
	}
	return zero, false, nil
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

// errSilent marks a session reported truncated because it went silent.
var errSilent = errors.New("no record within the liveness timeout")

func (r *Receiver[T]) checkExpired() error {
	if r.opts.Liveness <= 0 {
		return nil
	}
	for id, s := range r.sessions {
		if s.endIn == nil && time.Since(s.lastSeen) >= r.opts.Liveness {
			r.endSession(id, s)
			return fmt.Errorf("%w: %w: session %s silent for %v (its publisher is presumed dead)", fifochan.ErrTruncatedStream, errSilent, id, r.opts.Liveness)
		}
	}
	return nil
}

func (r *Receiver[T]) endSession(id string, s *session) {
	delete(r.sessions, id)
	r.remember(id, s)
}

// remember keeps an ended session (the last 4096), to drop its duplicates
// and deliver its late frames.
func (r *Receiver[T]) remember(id string, s *session) {
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
	jsMode := r.js != nil
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
			accepts := fifochan.Accepts(r.codec.Name(), codec)
			if a, ok := any(r.codec).(interface{ Accepts(writer string) bool }); ok {
				accepts = a.Accepts(codec) // the codec's own rule, as the FIFO Receiver's
			}
			if !accepts {
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
					// core: the frames before it are not ours; JetStream: they may still come, redelivered
					if jsMode {
						r.join(id, 0)
					} else {
						r.join(id, max(seq, 0))
					}
				}
				return zero, false, nil
			}
			s.lastSeen = time.Now()
			if !jsMode && seq > s.floor {
				n := seq - s.floor
				err := &LostError{Session: id, Expected: s.floor + 1, Got: seq, Lost: n}
				s.raiseFloor(seq)
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
				} else if jsMode {
					// its frames taken by a previous consumer and not acknowledged come later: delivered then
					r.remember(id, &session{id: id, codec: r.opts.AssumedCodec})
				}
				r.consumed(in)
				return zero, false, nil
			}
			if !jsMode && seq > s.floor {
				n := seq - s.floor
				err := &LostError{Session: id, Expected: s.floor + 1, Got: seq, Lost: n}
				s.raiseFloor(seq)
				r.stats.Lost += n
				r.held = in
				return zero, true, err
			}
			if jsMode && seq > s.floor {
				// frames it counts have not come: delivered to this consumer and lost on
				// the way, they come again after AckWait, after the end (docs/nats.md §2)
				if s.endIn != nil {
					r.stats.Duplicates++ // the held end redelivered
					return zero, false, nil
				}
				s.endIn, s.endRec, s.endSeq = in, rec, seq
				s.endUntil = time.Now().Add(r.endWait())
				r.pendingEnds++
				r.nextFloorCheck = time.Time{}
				return zero, false, nil
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
			old.mark(seq) // late (a JetStream redelivery after its end): delivered, out of order
			r.stats.OutOfOrder++
			s = old
		} else if jsMode || seq <= 0 {
			s = r.join(id, 0) // JetStream: the frames before this one may still come
		} else {
			s = r.join(id, seq-1) // core: the frames before this one are not ours (subscribed late)
		}
	}
	if seq >= 0 && id != "" && r.sessions[id] == s {
		if s.seen(seq) {
			r.stats.Duplicates++
			r.consumed(in)
			return zero, false, nil
		}
		if seq > s.floor+1 && !jsMode {
			n := seq - s.floor - 1
			err := &LostError{Session: id, Expected: s.floor + 1, Got: seq, Lost: n}
			s.raiseFloor(seq - 1)
			r.stats.Lost += n
			r.held = in
			return zero, true, err
		}
		if s.late(seq) {
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
	s := &session{id: id, codec: r.opts.AssumedCodec, floor: floor, highest: floor, lastSeen: time.Now()}
	r.sessions[id] = s
	r.sawOne = true
	r.stats.SessionsStarted++
	return s
}

// Stats returns the counts so far (call from the receiving goroutine).
func (r *Receiver[T]) Stats() ReceiverStats { return r.stats }

// Close stops receiving (unsubscribes, or stops the consumer).
func (r *Receiver[T]) Close() error {
	if !r.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(r.closeC)
	if r.js != nil {
		r.js.stop()
		return nil
	}
	return r.sub.Unsubscribe()
}
