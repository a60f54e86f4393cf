package fifochan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// The seed's channel shape: a FIFO as a Go channel. WriteChan and ReadChan
// are thin adapters over Sender and Receiver; errors are surfaced, never
// panics, and a writer that failed never looks finished.

// ChanWriter reports how the writer behind WriteChan's channel ended, and
// lets it end with an error.
type ChanWriter struct {
	abortc    chan string // the first Abort's reason
	cancel    context.CancelFunc
	done      chan struct{}
	err       error // set before done is closed
	discarded atomic.Int64
}

// WriteChan opens the FIFO at path for writing (as OpenWriter: ctx bounds
// the open) and returns a channel whose values are sent in order.
//
//   - Close the channel to end the stream cleanly: the accepted values are
//     written, then the end-of-stream frame; Done is closed once that is
//     done and Err returns nil.
//   - Call Abort(reason) to end it with an error: the values received from
//     the channel before it are sent (one that is still waiting for room
//     in the pipe is dropped), then the reader gets an *AbortedError
//     after every complete message, and Err returns it.
//   - If ctx ends, or a value cannot be sent (it cannot be encoded, it is
//     too long, the reader went away), the stream is aborted with that
//     error as the reason, Done is closed and Err returns the error.
//
// After the stream has ended, values sent on the channel are discarded
// (counted by Discarded) until it is closed, so a producer never blocks
// forever; a producer that wants to stop at once selects on Done. Close
// the channel in every case: that ends the adapter's goroutine.
func WriteChan[T any](ctx context.Context, path string, codec Codec[T], opts ...SenderOption) (chan<- T, *ChanWriter, error) {
	s, err := OpenWriter(ctx, path, codec, opts...)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan T)
	sendCtx, cancel := context.WithCancel(ctx)
	cw := &ChanWriter{abortc: make(chan string, 1), cancel: cancel, done: make(chan struct{})}
	go runChanWriter(ctx, sendCtx, cw, s, ch)
	return ch, cw, nil
}

func runChanWriter[T any](ctx, sendCtx context.Context, cw *ChanWriter, s *Sender[T], ch <-chan T) {
	defer cw.cancel()
	abort := func(reason string) error {
		if err := s.Abort(reason); err != nil {
			return err
		}
		return s.Err()
	}
	cw.err = func() error {
		for {
			select {
			case v, ok := <-ch:
				if !ok {
					if err := s.Close(); err != nil {
						return err
					}
					return s.Err()
				}
				if err := s.Send(sendCtx, v); err != nil {
					select {
					case reason := <-cw.abortc:
						return abort(reason)
					default:
					}
					if ctx.Err() != nil {
						err = ctx.Err()
					}
					s.Abort(err.Error())
					return err
				}
			case reason := <-cw.abortc:
				return abort(reason)
			case <-s.Done():
				return s.Err() // the Sender failed
			case <-ctx.Done():
				s.Abort(ctx.Err().Error())
				return ctx.Err()
			}
		}
	}()
	close(cw.done)
	// Discard what the producer still sends, until it closes the channel.
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
			cw.discarded.Add(1)
		case <-ctx.Done():
			return
		}
	}
}

// Done is closed when the stream has ended: cleanly, aborted or failed.
func (cw *ChanWriter) Done() <-chan struct{} { return cw.done }

// Err returns nil while the stream is open and after a clean end, an
// *AbortedError after Abort, and the error that ended the stream
// otherwise (a *SendError, a *MessageError, or ctx's error).
func (cw *ChanWriter) Err() error {
	select {
	case <-cw.done:
		return cw.err
	default:
		return nil
	}
}

// Wait waits until Done is closed and returns Err.
func (cw *ChanWriter) Wait() error {
	<-cw.done
	return cw.err
}

// Abort ends the stream with an error carrying reason (see WriteChan and
// Sender.Abort) and waits until it has ended; it returns Err. After the
// stream has ended it does nothing.
func (cw *ChanWriter) Abort(reason string) error {
	select {
	case cw.abortc <- reason:
		cw.cancel() // wakes a value waiting for room in the pipe
	default:
	}
	<-cw.done
	return cw.err
}

// Discarded returns the number of values received on the channel after
// the stream had ended.
func (cw *ChanWriter) Discarded() int64 { return cw.discarded.Load() }

// ReadChan opens the FIFO at path for reading (as OpenReceiver) and
// returns a channel that delivers the decoded messages and is closed at
// the end of the stream, plus an accessor for how it ended. After the
// channel is closed, the accessor returns nil for a clean end, or the
// error that ended the stream (an *AbortedError when the writer aborted,
// a *StreamError, ErrFIFORemoved, ctx's error). Messages that failed on
// their own (*MessageError), and with Follow the writer sessions that
// ended broken or aborted, do not stop the channel: they are passed to
// OnError if given, and otherwise reported by the accessor as a
// *SkippedError (when the stream itself ended cleanly). Cancel ctx to stop
// early; the goroutine and the FIFO are then released.
func ReadChan[T any](ctx context.Context, path string, codec Codec[T], opts ...ReceiverOption) (<-chan T, func() error, error) {
	r, err := OpenReceiver(ctx, path, codec, opts...)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan T, readChanBuffer)
	var mu sync.Mutex
	var result error
	go func() {
		defer close(ch)
		defer r.Close()
		var skipped SkippedError
		err := func() error {
			for {
				v, err := r.Receive(ctx)
				if err == nil {
					select {
					case ch <- v:
						continue
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				if err == io.EOF {
					return nil
				}
				var me *MessageError
				if errors.As(err, &me) || (r.cfg.follow && isStreamFailure(err)) {
					skipped.add(err)
					continue
				}
				return err
			}
		}()
		if err == nil && skipped.Count > 0 {
			err = &skipped
		}
		mu.Lock()
		result = err
		mu.Unlock()
	}()
	return ch, func() error {
		mu.Lock()
		defer mu.Unlock()
		return result
	}, nil
}

// readChanBuffer is ReadChan's channel capacity: enough to keep the
// reading goroutine busy, small enough that large messages do not pile up.
const readChanBuffer = 64

// SkippedError reports, at the end of a ReadChan stream, the failures it
// went past: messages that could not be decoded, and (with Follow)
// writer sessions that ended broken or aborted. errors.Is and errors.As
// see the first and the last of them.
type SkippedError struct {
	Count int64 // failures skipped
	First error
	Last  error
}

func (e *SkippedError) add(err error) {
	if e.Count == 0 {
		e.First = err
	}
	e.Last = err
	e.Count++
}

// Error implements error.
func (e *SkippedError) Error() string {
	if e.Count == 1 {
		return fmt.Sprintf("fifochan: 1 failure skipped: %v", e.First)
	}
	return fmt.Sprintf("fifochan: %d failures skipped; first: %v; last: %v", e.Count, e.First, e.Last)
}

// Unwrap returns the first and the last failure.
func (e *SkippedError) Unwrap() []error {
	if e.Count == 1 {
		return []error{e.First}
	}
	return []error{e.First, e.Last}
}
