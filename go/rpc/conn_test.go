package rpc

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"fifochan.dev/fifochan"
)

func TestHandshakeMismatchesFailBothSides(t *testing.T) {
	for _, c := range []struct {
		name            string
		client, respond []Option
		codec           fifochan.Codec[string]
		field           string
		local, remote   string
		byPeer          bool // the client learns it from the responder (check 6 is one-sided)
	}{
		{name: "service", client: []Option{Service("quotes")}, respond: []Option{Service("orders")}, field: FieldService, local: "quotes", remote: "orders"},
		{name: "codec", codec: jsonString{}, field: FieldCodec, local: "json", remote: "string"},
		{name: "heartbeat", client: []Option{HeartbeatInterval(3 * time.Second)}, respond: []Option{LivenessTimeout(4 * time.Second)},
			field: FieldHeartbeat, local: "3000000000", byPeer: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := testCtx(t, 20*time.Second)
			pair := testPair(t)
			events := make(chan ConnectionEvent, 10)
			newResponder(t, pair, nil, append(c.respond, OnConnectionEvent(func(e ConnectionEvent) { events <- e }))...)
			codec := c.codec
			if codec == nil {
				codec = fifochan.String()
			}
			cl, err := NewClient(pair, codec, c.client...)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			err = cl.AwaitConnected(ctx)
			if err == nil && c.byPeer {
				// Check 6 is one-sided: this side's checks passed, and the
				// peer's error frame comes after.
				for err = cl.Err(); err == nil; err = cl.Err() {
					waitTick(t, ctx)
				}
			}
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("client: %v", err)
			}
			if he.Field != c.field || he.Local != c.local || (c.remote != "" && he.Remote != c.remote) || he.DetectedByPeer != c.byPeer {
				t.Errorf("client: %+v", he)
			}
			if StatusCode(err) != FailedPrecondition {
				t.Error(StatusCode(err))
			}
			// The client stopped: every call fails with it.
			if _, err := cl.Call(ctx, "echo", "x"); !errors.As(err, &he) {
				t.Errorf("call after the mismatch: %v", err)
			}
			ev := <-events
			if !errors.As(ev.Err, &he) || he.Field != c.field {
				t.Errorf("responder: %+v", ev)
			}
		})
	}
}

// jsonString is a string codec named json (a codec mismatch).
type jsonString struct{}

func (jsonString) Name() string                                { return "json" }
func (jsonString) Tag(string) string                           { return "" }
func (jsonString) Append(dst []byte, v string) ([]byte, error) { return append(dst, v...), nil }
func (jsonString) Decode(_ string, p []byte) (string, error)   { return string(p), nil }

func TestClientReconnectsWhenTheResponderComesBack(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	r1, _ := NewResponder(fifochan.String())
	ops(r1, nil)
	r1.Serve(pair)
	c := newClient(t, pair)
	if got, err := c.Call(ctx, "echo", "one"); err != nil || got != "one" {
		t.Fatal(got, err)
	}
	if !r1.Shutdown(ctx) {
		t.Fatal("not drained")
	}
	r2 := newResponder(t, pair, nil)
	got, err := c.Call(ctx, "echo", "two")
	var pg *PeerGoneError
	if errors.As(err, &pg) {
		// The client may still have taken a connection the first
		// responder was closing for its own (not written), or the new
		// responder may have read the old connection's stale bytes and
		// failed its handshake (written is not received; docs/rpc.md §10:
		// "a few attempts may fail the same way"). echo is idempotent:
		// one retry, which must succeed.
		got, err = c.Call(ctx, "echo", "two")
	}
	if err != nil || got != "two" {
		t.Fatal(got, err)
	}
	if s := c.Stats(); s.Connections < 2 || s.Reconnects < 1 {
		t.Errorf("%v", s)
	}
	// the responder counts a success after writing the reply: the client may read it first
	for i := 0; i < 100 && r2.Stats().CallsSucceeded != 1; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if s := r2.Stats(); s.CallsSucceeded != 1 {
		t.Errorf("%v", s)
	}
}

func TestGracefulShutdownDrainsCallsInFlight(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	r, _ := NewResponder(fifochan.String())
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	r.Handle("held", func(ctx context.Context, s string) (string, error) {
		entered <- struct{}{}
		<-release
		return "done " + s, nil
	})
	r.Serve(pair)
	c := newClient(t, pair)
	res := make(chan string, 3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			got, err := c.Call(ctx, "held", strconv.Itoa(i))
			if err != nil {
				got = err.Error()
			}
			res <- got
		}(i)
		<-entered
	}
	drained := make(chan bool)
	go func() { drained <- r.Shutdown(ctx) }()
	for !r.links0Draining() {
		waitTick(t, ctx)
	}
	close(release)
	if !<-drained {
		t.Error("not drained")
	}
	for i := 0; i < 3; i++ {
		if got := <-res; len(got) < 5 || got[:5] != "done " {
			t.Error(got)
		}
	}
	// New calls wait for the next connection (going away: none on this one).
	sctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := c.Call(sctx, "held", "late")
	wantCode(t, err, DeadlineExceeded, false)
}

// links0Draining reports whether the responder's connections were told to
// go away (a test hook).
func (r *Responder[T]) links0Draining() bool {
	for _, l := range r.allLinks() {
		if !l.draining() {
			return false
		}
	}
	return r.stopping.Load()
}

func TestShutdownCancelsWhatDoesNotFinish(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	events := make(chan string, 10)
	r, _ := NewResponder(fifochan.String())
	ops(r, events)
	r.Serve(pair)
	c := newClient(t, pair)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, "hang", "h")
		errc <- err
	}()
	await(t, events, "HANG h")
	sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if r.Shutdown(sctx) {
		t.Error("drained a call that never finishes")
	}
	if got := await(t, events, "CANCELLED h"); got != "CANCELLED h UNAVAILABLE" {
		t.Error(got)
	}
	err := <-errc
	var pg *PeerGoneError
	if !errors.As(err, &pg) || pg.Reason != Ended || !pg.RequestWritten {
		t.Errorf("%v", err)
	}
}

func TestSlowHandlerDoesNotBlockOthers(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	events := make(chan string, 10)
	newResponder(t, pair, events)
	c := newClient(t, pair)
	held := make(chan error, 1)
	hctx, cancel := context.WithCancel(ctx)
	go func() {
		_, err := c.Call(hctx, "hang", "slow")
		held <- err
	}()
	await(t, events, "HANG slow")
	for i := 0; i < 200; i++ {
		if got, err := c.Call(ctx, "echo", strconv.Itoa(i)); err != nil || got != strconv.Itoa(i) {
			t.Fatal(got, err)
		}
	}
	select {
	case err := <-held:
		t.Fatalf("the held call ended: %v", err)
	default:
	}
	cancel()
	<-held
}

// TestPeerGoneFailsPendingCalls: the responder's side of the connection
// breaks (its streams closed at once, as a crash closes them); every
// pending call fails at once with its written flag.
func TestPeerGoneFailsPendingCalls(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	events := make(chan string, 200)
	r := newResponder(t, pair, events)
	c := newClient(t, pair)
	const n = 50
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			_, err := c.Call(ctx, "hang", strconv.Itoa(i))
			errc <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		await(t, events, "HANG")
	}
	start := time.Now()
	for _, l := range r.allLinks() {
		l.c.Abort(doneCtx, "crash") // an aborted end: the client sees ENDED
		l.c.CloseRead()
	}
	for i := 0; i < n; i++ {
		err := <-errc
		var pg *PeerGoneError
		if !errors.As(err, &pg) || !pg.RequestWritten || pg.Reason != Ended || StatusCode(err) != Unavailable {
			t.Fatalf("%v", err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if s := c.Stats(); s.Failed(Unavailable) != n || s.CallsInFlight != 0 {
		t.Errorf("%v", s)
	}
}

func TestLateRepliesAreDroppedAndCounted(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	r, _ := NewResponder(fifochan.String())
	release := make(chan struct{})
	r.Handle("late", func(ctx context.Context, s string) (string, error) {
		<-release
		return s, nil
	})
	r.Serve(pair)
	t.Cleanup(func() { r.Close() })
	// The handler ignores its ctx: the reply is sent unless the cancel
	// arrived first.
	c := newClient(t, pair)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		_, err := c.Call(cctx, "late", "x")
		done <- err
	}()
	for r.Stats().CallsInFlight == 0 {
		waitTick(t, ctx)
	}
	cancel()
	wantCode(t, <-done, Canceled, false)
	close(release)
	if got, err := c.Call(ctx, "late", "y"); err != nil || got != "y" {
		t.Fatal(got, err)
	}
	// The cancel reached the responder (nothing late was sent) or crossed
	// the reply (which was dropped and counted): never delivered elsewhere.
	if s, rs := c.Stats(), r.Stats(); s.LateFramesDropped+rs.CancelsReceived != 1 {
		t.Errorf("client %v responder %v", s, rs)
	}
}

func TestStreamBufferOverflowCancels(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	newResponder(t, pair, nil)
	c := newClient(t, pair, MaxStreamBuffer(10))
	s := c.CallStream(ctx, "count", "100")
	for !s.Done() {
		waitTick(t, ctx)
	}
	var err error
	n := 0
	for err == nil {
		_, err = s.Recv()
		n++
	}
	wantCode(t, err, ResourceExhausted, false)
	if n != 11 || err == io.EOF {
		t.Errorf("%d items then %v", n-1, err)
	}
}

// TestFirstFrameConnectionErrorIsAMismatchDetectedByThePeer: docs/rpc.md
// §4 item 2: a first frame that is a connection error (an error without a valid
// fc-id: here a malformed one) is a mismatch detected by the peer; the
// client sends no error frame of its own and stops. Java:
// HandshakeTest.aFirstFrameThatIsAConnectionErrorIsAMismatchDetectedByThePeer.
func TestFirstFrameConnectionErrorIsAMismatchDetectedByThePeer(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	pair := testPair(t)
	seen := make(chan []string, 1)
	go func() {
		raw, err := pair.Accept(ctx, ConnConfig{Codec: "string", CloseTimeout: time.Second, MaxFrameLength: 1 << 20})
		if err != nil {
			seen <- []string{err.Error()}
			return
		}
		defer raw.CloseRead()
		h := fifochan.Headers(kindHeaders(kindError, 5).str(hID, "x").str(hStatus, "9").str(hField, FieldService).
			str(hMessage, "service mismatch: this side has 'other', the peer has 'default'"))
		raw.Send(ctx, Frame{Headers: h})
		raw.Flush(ctx)
		var kinds []string
		for {
			f, err := raw.Receive(ctx)
			if err != nil {
				break // the client closed
			}
			k, _ := f.Headers.Get(hKind)
			kinds = append(kinds, string(k))
		}
		seen <- kinds
	}()
	cl := newClient(t, pair)
	err := cl.AwaitConnected(ctx)
	var he *HandshakeError
	if !errors.As(err, &he) {
		t.Fatalf("client: %v", err)
	}
	if he.Field != FieldService || !he.DetectedByPeer || he.Local != DefaultService || !he.RemoteAbsent {
		t.Errorf("client: %+v", he)
	}
	if _, err := cl.Call(ctx, "echo", "x"); !errors.As(err, &he) {
		t.Errorf("call after the mismatch: %v", err)
	}
	if kinds := <-seen; len(kinds) != 1 || kinds[0] != "hello" {
		t.Errorf("the client sent %q; want its hello and nothing else", kinds)
	}
}

// TestStaleBytesWithoutAPreambleBreakTheConnection: docs/rpc.md §10
// (stale bytes): a connection's inbound stream must begin at a preamble;
// bytes of an older writer session (here: the worked example's hello
// frame without its preamble) make the stream corrupt, the responder
// closes that connection without an error frame (not a mismatch) and
// accepts the next one, on which a client calls as usual.
func TestStaleBytesWithoutAPreambleBreakTheConnection(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	pair := testPair(t)
	for _, p := range []string{pair.Request, pair.Response} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	events := make(chan ConnectionEvent, 10)
	newResponder(t, pair, nil, OnConnectionEvent(func(e ConnectionEvent) { events <- e }))
	// The old client's ends, as a client that has not yet noticed the loss holds them.
	rsp, err := os.OpenFile(pair.Response, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	req, err := os.OpenFile(pair.Request, os.O_WRONLY, 0) // waits for the responder's read end
	if err != nil {
		t.Fatal(err)
	}
	stale := []byte{0, 0, 0, 0, 0x04, 0, 0, 0x0f, 0x07, 'f', 'c', '-', 'k', 'i', 'n', 'd', 0, 0x05, 'h', 'e', 'l', 'l', 'o'}
	if _, err := req.Write(stale); err != nil {
		t.Fatal(err)
	}
	var ev ConnectionEvent
	select {
	case ev = <-events:
	case <-ctx.Done():
		t.Fatal("the responder did not give up the connection")
	}
	var he *HandshakeError
	if ev.Connected || ev.Err == nil || errors.As(ev.Err, &he) || !errors.Is(ev.Err, fifochan.ErrCorruptFrame) {
		t.Fatalf("want a failed attempt with a corrupt stream, not a mismatch: %+v", ev)
	}
	req.Close()
	rsp.Close()
	c := newClient(t, pair)
	// The responder may have re-opened the response FIFO for the next connection before the old
	// client's read end was closed: then the pipe still holds the stale session it wrote (its
	// preamble, hello and aborted end), which begins at a preamble and is read as a connection that
	// is then lost (docs/rpc.md §10, "a few attempts may fail the same way, which costs only time").
	// Such a loss is a *PeerGoneError; anything else fails the test, and the next call must succeed.
	for attempt := 1; ; attempt++ {
		got, err := c.Call(ctx, "echo", "fresh")
		if err == nil && got == "fresh" {
			break
		}
		var gone *PeerGoneError
		if attempt == 3 || !errors.As(err, &gone) {
			t.Fatal(attempt, got, err)
		}
	}
}
