package fcnats

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/rpc"
)

// testResponder serves echo, upper, slow (sleeps the request's ms), remaining
// (the handler's time left in ms) and hang (until cancelled; the cause goes to
// cancelled) on the subject svc.<service> over its own connection.
func testResponder(t *testing.T, url, service string, cancelled chan<- error, opts ...rpc.Option) (*rpc.Responder[string], *nats.Conn) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rpc.NewResponder(fifochan.String(), append([]rpc.Option{rpc.Service(service)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.Handle("echo", func(ctx context.Context, s string) (string, error) { return s, nil })
	r.Handle("upper", func(ctx context.Context, s string) (string, error) { return strings.ToUpper(s), nil })
	r.Handle("fail", func(ctx context.Context, s string) (string, error) {
		return "", rpc.Errorf(rpc.NotFound, "no %s", s)
	})
	r.Handle("slow", func(ctx context.Context, s string) (string, error) {
		var ms int
		fmt.Sscan(s, &ms)
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return "slept " + s, nil
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
	})
	r.Handle("remaining", func(ctx context.Context, s string) (string, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return "none", nil
		}
		return fmt.Sprint(time.Until(dl).Milliseconds()), nil
	})
	r.Handle("hang", func(ctx context.Context, s string) (string, error) {
		<-ctx.Done()
		if cancelled != nil {
			cancelled <- context.Cause(ctx)
		}
		return "", context.Cause(ctx)
	})
	l, err := Listen(nc, "svc."+service, Options{QueueGroup: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Serve(l); err != nil {
		t.Fatal(err)
	}
	return r, nc
}

// TestRPCOverNATS: package rpc unchanged over NATS (docs/nats.md §5): the
// client starts before any responder; calls from 16 goroutines matched by
// content; an error status; the deadline seen by the handler and passed;
// a cancel seen by the handler; the responder gone (its connection closed
// without a word: over NATS only silence shows it) fails the calls in
// flight with RequestWritten; a new responder serves the same client.
func TestRPCOverNATS(t *testing.T) {
	url := server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cnc, err := nats.Connect(url, nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	defer cnc.Close()
	live := []rpc.Option{rpc.Service("quotes"), rpc.HeartbeatInterval(200 * time.Millisecond), rpc.LivenessTimeout(time.Second)}
	c, err := rpc.NewClient(Dialer(cnc, "svc.quotes", Options{}), fifochan.String(), live...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(300 * time.Millisecond) // the client tries before a responder exists
	cancelled := make(chan error, 4)
	r1, rnc := testResponder(t, url, "quotes", cancelled, live[1:]...)
	defer r1.Close()

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				want := fmt.Sprintf("g%d-%d", g, i)
				op := "echo"
				if i%2 == 1 {
					op, want = "upper", strings.ToUpper(want)
				}
				got, err := c.Call(ctx, op, fmt.Sprintf("g%d-%d", g, i))
				if err != nil || got != want {
					errs <- fmt.Errorf("%s g%d-%d: %q %v", op, g, i, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var re *rpc.Error
	if _, err := c.Call(ctx, "fail", "x"); !errors.As(err, &re) || re.Code != rpc.NotFound || !re.Remote {
		t.Fatalf("fail: %v", err)
	}
	dctx, dcancel := context.WithTimeout(ctx, 2*time.Second)
	left, err := c.Call(dctx, "remaining", "")
	dcancel()
	var ms int
	if fmt.Sscan(left, &ms); err != nil || ms <= 0 || ms > 2000 {
		t.Fatalf("remaining: %q %v", left, err)
	}
	dctx, dcancel = context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = c.Call(dctx, "slow", "5000")
	dcancel()
	if !errors.As(err, &re) || re.Code != rpc.DeadlineExceeded {
		t.Fatalf("deadline: %v", err)
	}
	cctx, ccancel := context.WithCancel(ctx)
	go func() { time.Sleep(200 * time.Millisecond); ccancel() }()
	if _, err := c.Call(cctx, "hang", "x"); !errors.As(err, &re) || re.Code != rpc.Canceled {
		t.Fatalf("cancel: %v", err)
	}
	select {
	case cause := <-cancelled:
		if rpc.StatusCode(cause) != rpc.Canceled {
			t.Errorf("handler's cause: %v", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancel did not reach the handler")
	}

	// the responder vanishes with a call in flight
	hung := make(chan error, 1)
	go func() { _, err := c.Call(ctx, "hang", "y"); hung <- err }()
	time.Sleep(300 * time.Millisecond)
	rnc.Close() // no end, no abort: silence
	var pg *rpc.PeerGoneError
	select {
	case err := <-hung:
		if !errors.As(err, &pg) || !pg.RequestWritten || pg.Reason != rpc.Silent {
			t.Fatalf("responder gone: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not fail when the responder went silent")
	}
	r2, _ := testResponder(t, url, "quotes", nil, live[1:]...)
	defer r2.Close()
	if got, err := c.Call(ctx, "echo", "again"); err != nil || got != "again" {
		t.Fatalf("after a new responder: %q %v", got, err)
	}
	if s := c.Stats(); s.Reconnects < 1 {
		t.Errorf("%v", s)
	}
}

// TestRPCOverNATSNoResponder: a call waits for a connection until its
// deadline and fails with DEADLINE_EXCEEDED, not written.
func TestRPCOverNATSNoResponder(t *testing.T) {
	url := server(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c, err := rpc.NewClient(Dialer(nc, "svc.none", Options{}), fifochan.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var re *rpc.Error
	if _, err := c.Call(ctx, "echo", "x"); !errors.As(err, &re) || re.Code != rpc.DeadlineExceeded {
		t.Fatalf("%v", err)
	}
	if _, err := Listen(nc, "svc.none", Options{Mode: ModeJetStream}); !errors.Is(err, errCoreOnly) {
		t.Fatalf("JetStream listener: %v", err)
	}
}
