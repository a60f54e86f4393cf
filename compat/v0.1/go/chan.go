package fifochan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Sender sends typed messages on a FIFO. Its methods are safe for
// concurrent use. Frames are coalesced and written when the buffer fills,
// on Flush and Close, and FlushDelay after a Send (0: before Send returns).
type Sender[T any] struct {
	mu     sync.Mutex
	f      *os.File
	w      *Writer
	codec  Codec[T]
	delay  time.Duration
	timer  *time.Timer
	armed  bool
	closed bool
	err    error // write failure or Close result
	done   chan struct{}
}

// OpenWriter opens the write end of the FIFO at path (waiting for a reader
// until ctx ends; ctx bounds only the open) and writes the preamble for
// codec. Options: WithChecksum, MaxFrameLength, BufferSize, FlushDelay,
// FanIn, Create, AllowOtherOwner.
func OpenWriter[T any](ctx context.Context, path string, codec Codec[T], opts ...Option) (*Sender[T], error) {
	f, err := OpenWriteEnd(ctx, path, opts...)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, codec.Name(), opts...)
	if err == nil {
		err = w.Flush() // the preamble: tells the reader a writer is here
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	cfg := newConfig(opts)
	return &Sender[T]{f: f, w: w, codec: codec, delay: cfg.flushDelay, done: make(chan struct{})}, nil
}

// Send encodes v and queues it. Encoding errors and ErrFrameTooLong concern
// v alone; a write error (for example ErrPeerClosed) fails the Sender.
func (s *Sender[T]) Send(v T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return errors.New("fifochan: send on closed Sender")
	}
	var err error
	if p, ok := any(v).([]byte); ok && isBytesCodec(s.codec) {
		err = s.w.WriteFrame("", p) // large payloads are not copied
	} else {
		err = s.w.appendFrame(s.codec.Tag(v), func(dst []byte) ([]byte, error) { return s.codec.Append(dst, v) })
	}
	if err == nil && s.delay == 0 {
		err = s.w.Flush()
	}
	if s.w.err != nil {
		return s.fail(s.w.err)
	}
	if err == nil && s.w.Buffered() > 0 && !s.armed {
		s.armed = true
		if s.timer == nil {
			s.timer = time.AfterFunc(s.delay, s.idleFlush)
		} else {
			s.timer.Reset(s.delay)
		}
	}
	return err
}

func (s *Sender[T]) idleFlush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = false
	if s.closed || s.err != nil {
		return
	}
	if err := s.w.Flush(); err != nil {
		s.fail(err)
	}
}

// fail records a fatal error, releases the FIFO and closes Done.
// s.mu must be held.
func (s *Sender[T]) fail(err error) error {
	if s.err == nil {
		s.err = err
		s.closed = true
		if s.timer != nil {
			s.timer.Stop()
		}
		s.f.Close()
		close(s.done)
	}
	return s.err
}

// Flush writes every queued message into the pipe.
func (s *Sender[T]) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return errors.New("fifochan: flush on closed Sender")
	}
	if err := s.w.Flush(); err != nil {
		return s.fail(err)
	}
	return nil
}

// Close flushes, writes the end-of-stream frame and closes the FIFO. Done
// is closed when it returns. Calling Close again returns the same result.
func (s *Sender[T]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.err
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	err := s.w.Close()
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	s.err = err
	close(s.done)
	return err
}

// Done is closed when Close has put every byte into the pipe, or when the
// Sender failed; Err then tells which.
func (s *Sender[T]) Done() <-chan struct{} { return s.done }

// Err returns the error that failed the Sender or the result of Close,
// and nil while the Sender is healthy.
func (s *Sender[T]) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Receive opens the read end of the FIFO at path and delivers decoded
// messages on the returned channel (buffered, 64 messages) until a clean end of stream, when the
// channel closes. The error channel is closed before the message channel,
// so reading it after the message channel closed yields the error or nil.
// An unclean end (ErrTruncatedStream, ErrCorruptFrame,
// ...), a decode failure or ctx ending is sent on the error channel
// (buffered, at most one error) and then the message channel closes.
//
// With Follow, Receive keeps reading across writer sessions: after each
// session ends it reopens the FIFO (the new descriptor is opened before
// the old one is closed, so nothing in the pipe is lost) and waits for the
// next writer; an unclean session end is passed to OnError (if set) and
// reading goes on. With OnError, decode failures are passed to it and the
// frame is skipped. Receive returns an error at once if the FIFO cannot
// be opened; waiting for a writer happens in the background. To stop
// early, cancel ctx: the background goroutine and the descriptor are
// released (a receiver that neither drains the channel nor cancels ctx
// keeps them).
// Options: MaxFrameLength, Follow, OnError, Create, AllowOtherOwner.
func Receive[T any](ctx context.Context, path string, codec Codec[T], opts ...Option) (<-chan T, <-chan error, error) {
	cfg := newConfig(opts)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := openRead(path, &cfg)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan T, receiveBuffer)
	errc := make(chan error, 1)
	rx := &receiver[T]{ctx: ctx, path: path, codec: codec, cfg: cfg, ch: ch}
	go func() {
		if err := rx.run(f); err != nil {
			errc <- err
		}
		close(errc)
		close(ch)
	}()
	return ch, errc, nil
}

// receiveBuffer is the message channel's capacity: enough to keep the
// reading goroutine busy, small enough that large frames do not pile up.
const receiveBuffer = 64

type receiver[T any] struct {
	ctx   context.Context
	path  string
	codec Codec[T]
	cfg   config
	ch    chan<- T
}

func (rx *receiver[T]) ctxErr() error {
	return &fs.PathError{Op: "receive", Path: rx.path, Err: rx.ctx.Err()}
}

// run reads writer sessions until a clean end (without Follow), an error
// or ctx ends. It owns f.
func (rx *receiver[T]) run(f *os.File) error {
	for {
		if err := waitReadable(rx.ctx, f); err != nil {
			f.Close()
			return err
		}
		err := rx.session(f)
		if err != nil && rx.ctx.Err() != nil {
			f.Close()
			return rx.ctxErr()
		}
		var se *StreamError
		if !rx.cfg.follow || (err != nil && (!errors.As(err, &se) || errors.Is(err, ErrDecode))) {
			f.Close()
			return err
		}
		if err != nil {
			// Skip to end of file: the rest of this session cannot be trusted.
			if _, derr := io.Copy(io.Discard, deadlineReader{rx.ctx, f}); derr != nil {
				f.Close()
				if rx.ctx.Err() != nil {
					return rx.ctxErr()
				}
				return derr
			}
		}
		nf, oerr := openRead(rx.path, &rx.cfg)
		f.Close()
		if oerr != nil {
			return oerr
		}
		f = nf
		if err != nil && rx.cfg.onError != nil {
			rx.cfg.onError(err)
		}
	}
}

// session reads one run of the stream up to end of file.
func (rx *receiver[T]) session(f *os.File) error {
	stop := context.AfterFunc(rx.ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	r := NewReader(f, MaxFrameLength(rx.cfg.maxFrame), ExpectCodec(rx.codec.Name()))
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if rec.Kind != KindFrame {
			continue
		}
		v, err := rx.codec.Decode(rec.Tag, rec.Payload)
		if err != nil {
			kind := ErrDecode
			if errors.Is(err, ErrUnknownType) {
				kind = ErrUnknownType
			}
			serr := &StreamError{Kind: kind, Offset: rec.Offset, Detail: fmt.Sprintf("tag %q", rec.Tag), Err: err}
			if rx.cfg.onError == nil {
				return serr
			}
			rx.cfg.onError(serr)
			continue
		}
		select {
		case rx.ch <- v: // fast path: room in the channel
		default:
			select {
			case rx.ch <- v:
			case <-rx.ctx.Done():
				return rx.ctx.Err()
			}
		}
	}
}

// deadlineReader reads f, giving up when ctx ends.
type deadlineReader struct {
	ctx context.Context
	f   *os.File
}

func (d deadlineReader) Read(p []byte) (int, error) {
	stop := context.AfterFunc(d.ctx, func() { d.f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	return d.f.Read(p)
}

func isBytesCodec[T any](c Codec[T]) bool {
	_, ok := any(c).(bytesCodec)
	return ok
}
