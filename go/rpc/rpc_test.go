package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fifochan.dev/fifochan"
)

func testCtx(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func testPair(t testing.TB) Pair {
	dir := t.TempDir()
	return FIFOPair(filepath.Join(dir, "req"), filepath.Join(dir, "rsp"))
}

// ops registers the test operations (the Java TestOps' counterparts).
func ops(r *Responder[string], events chan<- string) {
	ev := func(s string) {
		if events != nil {
			events <- s
		}
	}
	r.Handle("", func(ctx context.Context, s string) (string, error) { return s, nil })
	r.Handle("echo", func(ctx context.Context, s string) (string, error) { return s, nil })
	r.Handle("upper", func(ctx context.Context, s string) (string, error) { return strings.ToUpper(s), nil })
	r.Handle("fail", func(ctx context.Context, s string) (string, error) { return "", errors.New("boom: " + s) })
	r.Handle("panic", func(ctx context.Context, s string) (string, error) { panic("boom: " + s) })
	r.Handle("status", func(ctx context.Context, s string) (string, error) {
		return "", Errorf(NotFound, "no such thing: %s", s)
	})
	r.Handle("deadline", func(ctx context.Context, s string) (string, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return "none", nil
		}
		return "remaining-ms " + strconv.FormatInt(time.Until(dl).Milliseconds(), 10), nil
	})
	r.Handle("hang", func(ctx context.Context, s string) (string, error) {
		ev("HANG " + s)
		<-ctx.Done()
		ev(fmt.Sprintf("CANCELLED %s %v", s, StatusCode(context.Cause(ctx))))
		return "ignored", nil
	})
	r.Handle("info", func(ctx context.Context, s string) (string, error) {
		ci := CallInfoFrom(ctx)
		tp, _ := ci.Headers.Get("traceparent")
		return fmt.Sprintf("%s %d %s", ci.Operation, ci.ID, tp), nil
	})
	r.Handle("push", func(ctx context.Context, s string) (string, error) {
		if err := PeerFrom[string](ctx).Notify(ctx, "pushed", "pushed "+s); err != nil {
			return "", err
		}
		return "ok " + s, nil
	})
	r.HandleStream("count", func(ctx context.Context, s string, send func(string) error) error {
		n, _ := strconv.Atoi(s)
		for i := 0; i < n; i++ {
			if err := send("item-" + strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	})
	r.HandleStream("streamfail", func(ctx context.Context, s string, send func(string) error) error {
		send("a")
		send("b")
		return Errorf(Aborted, "stopped after two: %s", s)
	})
	r.HandleStream("forever", func(ctx context.Context, s string, send func(string) error) error {
		for i := 0; ; i++ {
			if err := send(s + "-" + strconv.Itoa(i)); err != nil {
				ev(fmt.Sprintf("STREAM-STOPPED %s %v", s, StatusCode(err)))
				return err
			}
			select {
			case <-time.After(2 * time.Millisecond):
			case <-ctx.Done():
			}
		}
	})
	r.HandleNotification("ping", func(ctx context.Context, op, m string, from Peer[string]) {
		ev("PING " + m)
		from.Notify(ctx, "pong", "pong "+m)
	})
}

func newResponder(t testing.TB, pair Pair, events chan<- string, opts ...Option) *Responder[string] {
	t.Helper()
	r, err := NewResponder(fifochan.String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	ops(r, events)
	if err := r.Serve(pair); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func newClient(t testing.TB, pair Pair, opts ...Option) *Client[string] {
	t.Helper()
	c, err := NewClient(pair, fifochan.String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func wantCode(t testing.TB, err error, code Code, remote bool) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || e.Remote != remote {
		t.Fatalf("got %v (%T), want %v remote=%v", err, err, code, remote)
	}
}

func await(t testing.TB, ch <-chan string, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-ch:
			if strings.HasPrefix(s, prefix) {
				return s
			}
		case <-timeout:
			t.Fatalf("no event %q", prefix)
		}
	}
}

func TestCallsRepliesAndErrors(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	pair := testPair(t)
	r := newResponder(t, pair, nil, Service("quotes"))
	c := newClient(t, pair, Service("quotes"))
	if got, err := c.Call(ctx, "echo", "hello"); err != nil || got != "hello" {
		t.Fatal(got, err)
	}
	if got, err := c.Call(ctx, "upper", "hello"); err != nil || got != "HELLO" {
		t.Fatal(got, err)
	}
	if got, err := c.Call(ctx, "", "no op"); err != nil || got != "no op" {
		t.Fatal(got, err)
	}
	_, err := c.Call(ctx, "nope", "x")
	wantCode(t, err, Unimplemented, true)
	_, err = c.Call(ctx, "fail", "x")
	wantCode(t, err, Unknown, true)
	if !strings.Contains(err.Error(), "boom: x") {
		t.Error(err)
	}
	_, err = c.Call(ctx, "panic", "y")
	wantCode(t, err, Unknown, true)
	_, err = c.Call(ctx, "status", "z")
	wantCode(t, err, NotFound, true)
	if e := err.(*Error); e.Message != "no such thing: z" || e.Op != "status" || e.CallID == 0 {
		t.Errorf("%+v", e)
	}
	_, err = c.Call(ctx, "count", "1")
	wantCode(t, err, Unimplemented, true)
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	got, err := c.Call(dctx, "deadline", "")
	cancel()
	var ms int
	if _, serr := fmt.Sscanf(got, "remaining-ms %d", &ms); err != nil || serr != nil || ms < 3000 || ms > 5000 {
		t.Errorf("deadline seen by the handler: %q %v", got, err)
	}
	if got, _ := c.Call(context.Background(), "deadline", ""); got != "none" {
		t.Errorf("no deadline: %q", got)
	}
	for r.Stats().CallsInFlight != 0 { // the responder counts after its answer is written
		waitTick(t, ctx)
	}
	cs, rs := c.Stats(), r.Stats()
	if cs.CallsStarted != 10 || cs.CallsSucceeded != 5 || cs.CallsFailed != 5 || cs.Failed(Unimplemented) != 2 ||
		cs.CallsInFlight != 0 || cs.Connections != 1 {
		t.Errorf("client %v %v", cs, cs.FailedBy)
	}
	if rs.CallsStarted != 10 || rs.CallsSucceeded != 5 || rs.Failed(Unknown) != 2 || rs.Failed(NotFound) != 1 {
		t.Errorf("responder %v %v", rs, rs.FailedBy)
	}
}

func TestStreamsAndNotifications(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	pair := testPair(t)
	events := make(chan string, 100)
	newResponder(t, pair, events)
	pushed := make(chan string, 10)
	c := newClient(t, pair, OnNotification(func(op, m string, from Peer[string]) { pushed <- op + ": " + m }))
	s := c.CallStream(ctx, "count", "5")
	for i := 0; i < 5; i++ {
		v, err := s.Recv()
		if err != nil || v != "item-"+strconv.Itoa(i) {
			t.Fatal(v, err)
		}
	}
	if _, err := s.Recv(); err != io.EOF {
		t.Fatal(err)
	}
	s = c.CallStream(ctx, "streamfail", "q")
	var items []string
	var err error
	for {
		var v string
		if v, err = s.Recv(); err != nil {
			break
		}
		items = append(items, v)
	}
	wantCode(t, err, Aborted, true)
	if strings.Join(items, ",") != "a,b" {
		t.Error(items)
	}
	s = c.CallStream(ctx, "echo", "x")
	_, err = s.Recv()
	wantCode(t, err, Unimplemented, true)

	s = c.CallStream(ctx, "forever", "f")
	for i := 0; i < 3; i++ {
		if _, err := s.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if got := await(t, events, "STREAM-STOPPED f"); got != "STREAM-STOPPED f CANCELLED" {
		t.Error(got)
	}

	if err := c.Notify(ctx, "ping", "p1"); err != nil {
		t.Fatal(err)
	}
	await(t, events, "PING p1")
	if got := <-pushed; got != "pong: pong p1" {
		t.Error(got)
	}
	if got, err := c.Call(ctx, "push", "x"); err != nil || got != "ok x" {
		t.Fatal(got, err)
	}
	if got := <-pushed; got != "pushed: pushed x" {
		t.Error(got)
	}
}

func TestDeadlineAndCancelReachTheHandler(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	pair := testPair(t)
	events := make(chan string, 100)
	r := newResponder(t, pair, events)
	c := newClient(t, pair)
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := c.Call(dctx, "hang", "d")
	cancel()
	wantCode(t, err, DeadlineExceeded, false)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("errors.Is DeadlineExceeded", err)
	}
	if got := await(t, events, "CANCELLED d"); got != "CANCELLED d DEADLINE_EXCEEDED" {
		t.Error(got)
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		await(t, events, "HANG c")
		cancel()
	}()
	_, err = c.Call(cctx, "hang", "c")
	wantCode(t, err, Canceled, false)
	if !errors.Is(err, context.Canceled) {
		t.Error("errors.Is Canceled", err)
	}
	if got := await(t, events, "CANCELLED c"); got != "CANCELLED c CANCELLED" {
		t.Error(got)
	}
	// A call whose deadline passed at the responder is not answered: the
	// client drops nothing, and the responder counts the cancel.
	for r.Stats().CancelsReceived < 1 {
		waitTick(t, ctx)
	}
	if s := c.Stats(); s.CancelsSent < 2 {
		t.Errorf("client %v", s)
	}
}

func waitTick(t testing.TB, ctx context.Context) {
	select {
	case <-time.After(5 * time.Millisecond):
	case <-ctx.Done():
		t.Fatal("timed out")
	}
}

func TestManyConcurrentCallersAreMatchedByContent(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	pair := testPair(t)
	newResponder(t, pair, nil)
	c := newClient(t, pair)
	const callers, per = 16, 2000
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				req := fmt.Sprintf("c%d-%d", g, i)
				got, err := c.Call(ctx, "upper", req)
				if err != nil || got != strings.ToUpper(req) {
					if bad.Add(1) < 5 {
						t.Errorf("%s: %q %v", req, got, err)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	if s := c.Stats(); s.CallsSucceeded != callers*per || s.LateFramesDropped != 0 {
		t.Errorf("%v", s)
	}
}
