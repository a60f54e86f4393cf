package fcnats

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Pull settings of a JetStream Receiver. Each pull is one Fetch: a
// request for up to pullBatch records that the server holds open for
// about pullWait (the expiry is 90% of it, at most 1 s less), with an idle
// heartbeat every pullHeartbeat; the client ends it after two missed
// heartbeats or at pullWait, whatever the server did. So no pull waits
// unbounded, and a pull lost by the server (a restart, a dropped request
// or status, a consumer deleted under it) is replaced within seconds.
//
// nats.go's continuous iterator (Consumer.Messages) was used before: it
// stops for good on some server statuses (consumer deleted, bad request)
// and, driven by Next calls shorter than two heartbeats as here, never
// notices a missed heartbeat, so a pull request or status lost on the
// way left it waiting for ever on a healthy connection.
const (
	pullBatch     = 500
	pullWait      = 5 * time.Second
	pullHeartbeat = time.Second
	// a pull that ends without a record sooner than this is followed by
	// a pause (pullPause, doubling up to pullWait) before the next one
	pullQuick = 250 * time.Millisecond
	pullPause = 100 * time.Millisecond
	// bound of the consumer info request made when the server says the
	// consumer may be gone
	infoWait = 2 * time.Second
	// a consumer not found for this long is gone (not being re-created)
	goneAfter = 5 * time.Second
)

// pulls fetches a JetStream consumer's records one pull at a time.
type pulls struct {
	nc           *nats.Conn
	cons         jetstream.Consumer
	stream, name string
	durable      bool
	batchSize    int
	run          context.Context // cancelled by stop
	stopRun      context.CancelFunc
	batch        jetstream.MessageBatch
	endBatch     context.CancelFunc
	started      time.Time
	got          int
	retryAt      time.Time
	pause        time.Duration
	missingSince time.Time // the consumer was first found missing (zero: it is there)
	failed       error     // permanent: returned by every later call
}

func newPulls(nc *nats.Conn, cons jetstream.Consumer, stream string, o Options) *pulls {
	run, stop := context.WithCancel(context.Background())
	return &pulls{nc: nc, cons: cons, stream: stream, name: cons.CachedInfo().Name, durable: o.Durable != "",
		batchSize: min(pullBatch, max(1, 2*o.MaxInFlight)), run: run, stopRun: stop}
}

// next returns the next record, or nil when wctx ends first, or a
// permanent error (*ConsumerGoneError, a pull the server refuses).
// ctx is the caller's (bounding the consumer info request).
func (p *pulls) next(ctx, wctx context.Context) (jetstream.Msg, error) {
	for {
		if p.failed != nil {
			return nil, p.failed
		}
		if p.batch == nil {
			if wait := time.Until(p.retryAt); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-wctx.Done():
					t.Stop()
					return nil, nil
				}
			}
			if err := p.fetch(); err != nil {
				if p.run.Err() != nil || errors.Is(err, nats.ErrConnectionClosed) {
					return nil, err
				}
				p.later() // e.g. disconnected: the request could not be sent
				continue
			}
		}
		select {
		case m, ok := <-p.batch.Messages():
			if ok {
				p.got++
				return m, nil
			}
			err := p.batch.Error()
			p.endBatch()
			p.batch = nil
			if err := p.ended(ctx, err); err != nil {
				return nil, err
			}
		case <-wctx.Done():
			return nil, nil
		}
	}
}

func (p *pulls) fetch() error {
	fctx, cancel := context.WithTimeout(p.run, pullWait)
	b, err := p.cons.Fetch(p.batchSize, jetstream.FetchContext(fctx), jetstream.FetchHeartbeat(pullHeartbeat))
	if err != nil {
		cancel()
		return err
	}
	p.batch, p.endBatch, p.started, p.got = b, cancel, time.Now(), 0
	return nil
}

// ended classifies how a pull ended: nil to pull again (after a pause if
// it ended quickly with nothing), or a permanent error.
func (p *pulls) ended(ctx context.Context, err error) error {
	if p.got > 0 {
		p.pause = 0
		p.missingSince = time.Time{}
	}
	switch {
	case p.run.Err() != nil:
		return context.Canceled
	case err == nil || errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) ||
		errors.Is(err, context.DeadlineExceeded):
		// the pull expired or was filled
		if p.got == 0 && time.Since(p.started) < pullQuick {
			p.later()
		}
		return nil
	case errors.Is(err, nats.ErrConnectionClosed):
		return err
	case errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrNoHeartbeat):
		// deleted, or not there for this pull (the server ignores pulls
		// from a missing consumer: no heartbeat): is it there now?
		if !p.nc.IsConnected() {
			p.later()
			return nil
		}
		ictx, cancel := context.WithTimeout(ctx, infoWait)
		_, ierr := p.cons.Info(ictx)
		cancel()
		switch {
		case ierr == nil:
			p.missingSince = time.Time{} // re-created
		case !errors.Is(ierr, jetstream.ErrConsumerNotFound):
			// the server cannot say now (JetStream restarting): ask again after the next pull
		case p.missingSince.IsZero():
			p.missingSince = time.Now() // perhaps being re-created: give it goneAfter
		case time.Since(p.missingSince) >= goneAfter:
			p.failed = &ConsumerGoneError{Stream: p.stream, Consumer: p.name, Durable: p.durable, Cause: err}
			return p.failed
		}
		p.later()
		return nil
	case errors.Is(err, jetstream.ErrBadRequest) || strings.Contains(strings.ToLower(err.Error()), "exceeded maxrequest"):
		// 400, or 409 Exceeded MaxRequestBatch / MaxRequestExpires / MaxRequestMaxBytes:
		// every later pull would be refused the same way
		p.failed = fmt.Errorf("%w: consumer %s of stream %s (pulls of %d records, held up to %v): %w; receiving stopped",
			ErrPullRefused, p.name, p.stream, p.batchSize, pullWait, err)
		return p.failed
	default:
		// a leadership change, a server shutting down, a disconnection,
		// an unknown status: pull again
		p.later()
		return nil
	}
}

// later records a pull that failed or ended at once and spaces the next
// one: pullPause, doubling while they keep failing, up to pullWait.
func (p *pulls) later() {
	p.pause = min(max(2*p.pause, pullPause), pullWait)
	p.retryAt = time.Now().Add(p.pause)
}

func (p *pulls) stop() {
	p.stopRun()
}
