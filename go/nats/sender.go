package fcnats

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"fifochan.dev/fifochan"
)

var errFrameTooLong = fifochan.ErrFrameTooLong

// Sender is one writer session on a NATS subject. Safe for concurrent use.
type Sender[T any] struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	subject string
	codec   fifochan.Codec[T]
	opts    Options
	session string
	inbox   string

	mu       sync.Mutex
	seq      int64
	closed   bool
	inFlight []*pending
	last     time.Time
	buf      []byte
	stop     chan struct{}
	written  int64
	retries  int64
}

type pending struct {
	msg   *nats.Msg
	id    string
	frame bool
	f     jetstream.PubAckFuture
}

// OpenSender starts a writer session on subject (publishing its start
// record). In JetStream mode the stream is created if missing.
func OpenSender[T any](ctx context.Context, nc *nats.Conn, subject string, codec fifochan.Codec[T], opts Options) (*Sender[T], error) {
	return openSender(ctx, nc, subject, codec, opts, "")
}

func openSender[T any](ctx context.Context, nc *nats.Conn, subject string, codec fifochan.Codec[T], opts Options, inbox string) (*Sender[T], error) {
	opts = opts.withDefaults()
	s := &Sender[T]{nc: nc, subject: subject, codec: codec, opts: opts, session: newSessionID(), inbox: inbox, stop: make(chan struct{})}
	if opts.Mode == ModeJetStream {
		js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(opts.MaxInFlight+1),
			jetstream.WithPublishAsyncTimeout(opts.PublishTimeout))
		if err != nil {
			return nil, err
		}
		if _, err := ensureStream(ctx, js, subject, opts); err != nil {
			return nil, err
		}
		s.js = js
	}
	h := nats.Header{}
	h[HdrRec] = []string{recStart}
	h[HdrSession] = []string{s.session}
	h[HdrCodec] = []string{codec.Name()}
	h[HdrVersion] = []string{"1.1"}
	if inbox != "" {
		h[HdrInbox] = []string{inbox}
	}
	s.mu.Lock()
	err := s.publish(ctx, h, nil, "s", false)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if opts.Heartbeat > 0 {
		go s.heartbeats()
	}
	return s, nil
}

// Session returns the session id (fc-session).
func (s *Sender[T]) Session() string { return s.session }

// Send publishes v. In JetStream mode it waits while MaxInFlight publishes
// await the stream's acknowledgement (back-pressure), until ctx is done.
func (s *Sender[T]) Send(ctx context.Context, v T) error { return s.SendHeaders(ctx, v, nil) }

// SendHeaders publishes v with headers h.
func (s *Sender[T]) SendHeaders(ctx context.Context, v T, h fifochan.Headers) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fifochan.ErrClosed
	}
	var err error
	s.buf, err = s.codec.Append(s.buf[:0], v)
	if err != nil {
		return fmt.Errorf("%w: %v", fifochan.ErrEncode, err)
	}
	next := s.seq + 1
	hdr := nats.Header{}
	hdr[HdrSession] = []string{s.session}
	hdr[HdrSeq] = []string{strconv.FormatInt(next, 10)}
	if tag := s.codec.Tag(v); tag != "" {
		hdr[HdrTag] = []string{EncodeValue([]byte(tag))}
	}
	for _, e := range h {
		if isMappingKey(e.Key) {
			return fmt.Errorf("%w: header key %q is the NATS mapping's own", fifochan.ErrBadHeaders, e.Key)
		}
		if len(e.Value) > 4096 || len(h) > 64 {
			return fmt.Errorf("%w: headers exceed a limit", fifochan.ErrFrameTooLong)
		}
		hdr[e.Key] = []string{EncodeValue(e.Value)}
	}
	data := append([]byte(nil), s.buf...)
	if err := s.publish(ctx, hdr, data, strconv.FormatInt(next, 10), true); err != nil {
		return err
	}
	s.seq = next
	return nil
}

// publish sends one record (s.mu held).
func (s *Sender[T]) publish(ctx context.Context, h nats.Header, data []byte, idSuffix string, frame bool) error {
	if s.js != nil && idSuffix != "" {
		h[hdrMsgID] = []string{s.session + "-" + idSuffix}
	}
	size := int64(len(data) + headerSize(h))
	if max := s.nc.MaxPayload(); max > 0 && size > max {
		return &TooLongError{Length: size, Limit: max}
	}
	m := &nats.Msg{Subject: s.subject, Header: h, Data: data}
	for {
		if s.nc.IsClosed() {
			return ErrConnectionClosed
		}
		if s.nc.IsConnected() {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %v", ErrNotConnected, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	s.last = time.Now()
	if s.js == nil {
		if err := s.nc.PublishMsg(m); err != nil {
			return err
		}
		if frame {
			s.written++
		}
		return nil
	}
	for len(s.inFlight) >= s.opts.MaxInFlight {
		if err := s.awaitOldest(ctx); err != nil {
			return err
		}
	}
	p := &pending{msg: m, id: s.session + "-" + idSuffix, frame: frame}
	if err := s.republish(p); err != nil {
		return err
	}
	s.inFlight = append(s.inFlight, p)
	return nil
}

func (s *Sender[T]) republish(p *pending) error {
	for attempt := 0; ; attempt++ {
		f, err := s.js.PublishMsgAsync(p.msg, jetstream.WithMsgID(p.id))
		if err == nil {
			p.f = f
			return nil
		}
		if s.nc.IsClosed() {
			return ErrConnectionClosed
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitOldest waits for the oldest JetStream publish; a failed one is
// published again with the same message id (s.mu held).
func (s *Sender[T]) awaitOldest(ctx context.Context) error {
	p := s.inFlight[0]
	select {
	case <-p.f.Ok():
		s.inFlight = s.inFlight[1:]
		if p.frame {
			s.written++
		}
		return nil
	case <-p.f.Err():
		if s.nc.IsClosed() {
			return ErrConnectionClosed
		}
		for !s.nc.IsConnected() {
			if s.nc.IsClosed() {
				return ErrConnectionClosed
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
		s.retries++
		// every failed publish behind it too, in order
		for _, q := range s.inFlight {
			select {
			case <-q.f.Err():
				if err := s.republish(q); err != nil {
					return err
				}
			default:
			}
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flush waits until everything sent is at the server (core) or stored
// by the stream (JetStream).
func (s *Sender[T]) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked(ctx)
}

func (s *Sender[T]) flushLocked(ctx context.Context) error {
	if s.js == nil {
		return s.nc.FlushWithContext(ctx)
	}
	for len(s.inFlight) > 0 {
		if err := s.awaitOldest(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the session cleanly: everything sent, then the end record,
// within 30 s.
func (s *Sender[T]) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.end(ctx, recEnd, "")
}

// Abort ends the session with an aborted end carrying reason.
func (s *Sender[T]) Abort(reason string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.end(ctx, recAbort, reason)
}

func (s *Sender[T]) end(ctx context.Context, rec, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.stop)
	if err := s.flushLocked(ctx); err != nil {
		return fmt.Errorf("%w: %v", fifochan.ErrCloseTimeout, err)
	}
	h := nats.Header{}
	h[HdrRec] = []string{rec}
	h[HdrSession] = []string{s.session}
	h[HdrSeq] = []string{strconv.FormatInt(s.seq, 10)}
	var data []byte
	if rec == recAbort {
		data = []byte(reason)
		for len(data) > 1024 {
			data = data[:1024]
			for !utf8.Valid(data) {
				data = data[:len(data)-1]
			}
		}
	}
	suffix := "e"
	if rec == recAbort {
		suffix = "a"
	}
	if err := s.publish(ctx, h, data, suffix, false); err != nil {
		return err
	}
	if err := s.flushLocked(ctx); err != nil {
		return fmt.Errorf("%w: %v", fifochan.ErrCloseTimeout, err)
	}
	if s.js == nil {
		return s.nc.FlushWithContext(ctx)
	}
	return nil
}

func (s *Sender[T]) heartbeats() {
	t := time.NewTicker(s.opts.Heartbeat / 2)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		if !s.closed && time.Since(s.last) >= s.opts.Heartbeat && s.nc.IsConnected() {
			h := nats.Header{}
			h[HdrRec] = []string{recHB}
			h[HdrSession] = []string{s.session}
			h[HdrSeq] = []string{strconv.FormatInt(s.seq, 10)}
			if s.nc.PublishMsg(&nats.Msg{Subject: s.subject, Header: h}) == nil {
				s.last = time.Now()
			}
		}
		s.mu.Unlock()
	}
}
