package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/internal/rpcversion"
	"fifochan.dev/fifochan/rpc"
)

// The request/response commands (docs/rpc.md), for the cross-language
// tests with the Java fifochan-rpc module:
//
//	fifochan-peer rpc-serve  -req FIFO -rsp FIFO [-codec string|json] [common flags]
//	fifochan-peer rpc-client -req FIFO -rsp FIFO [-codec string|json] [common flags]
//
// common flags: -service S, -heartbeat D, -liveness D, -hello-version V
// (announce another protocol version, to test a mismatch).
//
// Both print READY, then one line per event on stdout (an out line is
// written whole, so tests can wait for it) and read commands from stdin.
// Payloads are UTF-8 strings (the codec's name is -codec's; the bytes go
// as they are, so invalid UTF-8 can be sent with callhex).

var out struct {
	mu sync.Mutex
}

// say prints one line on stdout.
func say(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	out.mu.Lock()
	os.Stdout.WriteString(oneLine(line) + "\n")
	out.mu.Unlock()
}

// rawCodecNamed passes payload bytes as they are under a codec name.
type rawCodecNamed struct{ name string }

func (c rawCodecNamed) Name() string                              { return c.name }
func (rawCodecNamed) Tag([]byte) string                           { return "" }
func (rawCodecNamed) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (rawCodecNamed) Decode(_ string, p []byte) ([]byte, error) {
	return append([]byte(nil), p...), nil
}

// stringNamed is the string codec (UTF-8 validated) under a codec name.
type stringNamed struct{ name string }

func (c stringNamed) Name() string    { return c.name }
func (stringNamed) Tag(string) string { return "" }
func (stringNamed) Append(dst []byte, v string) ([]byte, error) {
	return fifochan.String().Append(dst, v)
}
func (stringNamed) Decode(tag string, p []byte) (string, error) {
	return fifochan.String().Decode(tag, p)
}

type rpcFlags struct {
	req, rsp, codec, service, helloVersion string
	heartbeat, liveness                    time.Duration
}

func parseRPC(name string, args []string) (*rpcFlags, []rpc.Option, error) {
	fs := newFlags(name)
	f := &rpcFlags{}
	fs.StringVar(&f.req, "req", "", "request FIFO")
	fs.StringVar(&f.rsp, "rsp", "", "response FIFO")
	fs.StringVar(&f.codec, "codec", "string", "codec name announced (string payloads)")
	fs.StringVar(&f.service, "service", "", "service name")
	fs.StringVar(&f.helloVersion, "hello-version", "", "protocol version to announce (tests of a mismatch)")
	fs.DurationVar(&f.heartbeat, "heartbeat", -1, "heartbeat interval (0: none)")
	fs.DurationVar(&f.liveness, "liveness", -1, "liveness timeout (0: none)")
	if err := parse(fs, args); err != nil {
		return nil, nil, err
	}
	if f.req == "" || f.rsp == "" {
		return nil, nil, fail(exitUsage, "%s: need -req and -rsp", name)
	}
	if f.helloVersion != "" {
		rpcversion.Version = f.helloVersion
	}
	var opts []rpc.Option
	if f.service != "" {
		opts = append(opts, rpc.Service(f.service))
	}
	if f.heartbeat >= 0 {
		opts = append(opts, rpc.HeartbeatInterval(f.heartbeat))
	}
	if f.liveness >= 0 {
		opts = append(opts, rpc.LivenessTimeout(f.liveness))
	}
	opts = append(opts, rpc.OnConnectionEvent(func(e rpc.ConnectionEvent) {
		var he *rpc.HandshakeError
		switch {
		case e.Connected:
			say("CONNECTED")
		case errors.As(e.Err, &he):
			say("HANDSHAKE-FAILED %s local=%s remote=%s byPeer=%v | %s", he.Field, orNothing(he.Local, he.LocalAbsent),
				orNothing(he.Remote, he.RemoteAbsent), he.DetectedByPeer, he.Error())
		case e.Err != nil:
			say("DISCONNECTED %v", e.Err)
		default:
			say("DISCONNECTED")
		}
	}))
	return f, opts, nil
}

func orNothing(v string, absent bool) string {
	if absent {
		return "null"
	}
	return v
}

// cmdRPCServe runs a responder with the test operations (those of the
// Java tests' TestOps): "" and echo (the request), upper, fail (a plain
// error: UNKNOWN), panic, status (NOT_FOUND), slow (sleeps MS), deadline
// ("remaining-ms N"), hang (waits to be cancelled; prints HANG and
// CANCELLED lines), latch (waits for the release command; prints
// ENTERED n every 100), push (notifies "pushed"), the streams count,
// forever and streamfail, and the notification ping (answers with pong).
// Commands: release, shutdown MS, notify TEXT, stats.
func cmdRPCServe(ctx context.Context, args []string) error {
	f, opts, err := parseRPC("rpc-serve", args)
	if err != nil {
		return err
	}
	r, err := rpc.NewResponder[string](stringNamed{f.codec}, opts...)
	if err != nil {
		return fail(exitUsage, "rpc-serve: %v", err)
	}
	latch := make(chan struct{})
	var entered atomic.Int64
	r.Handle("", func(ctx context.Context, s string) (string, error) { return s, nil })
	r.Handle("echo", func(ctx context.Context, s string) (string, error) { return s, nil })
	r.Handle("upper", func(ctx context.Context, s string) (string, error) { return strings.ToUpper(s), nil })
	r.Handle("fail", func(ctx context.Context, s string) (string, error) { return "", errors.New("boom: " + s) })
	r.Handle("panic", func(ctx context.Context, s string) (string, error) { panic("boom: " + s) })
	r.Handle("status", func(ctx context.Context, s string) (string, error) {
		return "", rpc.Errorf(rpc.NotFound, "no such thing: %s", s)
	})
	r.Handle("slow", func(ctx context.Context, s string) (string, error) {
		ms, _ := strconv.Atoi(s)
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
		}
		return "slept " + s, nil
	})
	r.Handle("deadline", func(ctx context.Context, s string) (string, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return "remaining-ms -1", nil
		}
		return fmt.Sprintf("remaining-ms %d", time.Until(dl).Milliseconds()), nil
	})
	r.Handle("hang", func(ctx context.Context, s string) (string, error) {
		remaining := int64(-1)
		if dl, ok := ctx.Deadline(); ok {
			remaining = time.Until(dl).Milliseconds()
		}
		say("HANG %s remaining-ms=%d", s, remaining)
		select {
		case <-ctx.Done():
			say("CANCELLED %s %v", s, rpc.StatusCode(context.Cause(ctx)))
		case <-time.After(30 * time.Second):
			say("HANG-NOT-CANCELLED %s", s)
		}
		return "ignored", nil
	})
	r.Handle("latch", func(ctx context.Context, s string) (string, error) {
		if n := entered.Add(1); n%100 == 0 {
			say("ENTERED %d", n)
		}
		select {
		case <-latch:
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
		return "released " + s, nil
	})
	r.Handle("push", func(ctx context.Context, s string) (string, error) {
		if err := rpc.PeerFrom[string](ctx).Notify(ctx, "pushed", "pushed "+s); err != nil {
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
	r.HandleStream("forever", func(ctx context.Context, s string, send func(string) error) error {
		for i := 0; ; i++ {
			if err := send(s + "-" + strconv.Itoa(i)); err != nil {
				say("STREAM-STOPPED %s %v", s, rpc.StatusCode(err))
				return err
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	r.HandleStream("streamfail", func(ctx context.Context, s string, send func(string) error) error {
		send("a")
		send("b")
		return rpc.Errorf(rpc.Aborted, "stopped after two: %s", s)
	})
	r.HandleNotification("ping", func(ctx context.Context, op, m string, from rpc.Peer[string]) {
		say("PING %s", m)
		from.Notify(ctx, "pong", "pong "+m)
	})
	if err := r.Serve(rpc.FIFOPair(f.req, f.rsp)); err != nil {
		return err
	}
	say("READY")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		line := in.Text()
		switch {
		case line == "release":
			close(latch)
		case strings.HasPrefix(line, "shutdown "):
			ms, _ := strconv.Atoi(strings.TrimPrefix(line, "shutdown "))
			sctx, cancel := context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
			drained := r.Shutdown(sctx)
			cancel()
			say("SHUTDOWN drained=%v %v", drained, r.Stats())
			return nil
		case strings.HasPrefix(line, "notify "):
			for _, p := range r.Peers() {
				p.Notify(ctx, "news", strings.TrimPrefix(line, "notify "))
			}
			say("NOTIFIED")
		case line == "stats":
			say("STATS %v", r.Stats())
		}
	}
	r.Close()
	return nil
}

// cmdRPCClient runs a client driven by commands on stdin:
//
//	call ID OP TIMEOUT_MS REQ      a unary call (TIMEOUT_MS 0: no deadline)
//	callhex ID OP TIMEOUT_MS HEX   the same with raw payload bytes
//	stream ID OP TIMEOUT_MS REQ    a streaming call; ITEM ID v lines, then RESULT
//	cancel ID                      cancels the call's context
//	load N CALLERS OP              N calls of OP from CALLERS goroutines, each reply checked
//	burst N OP TIMEOUT_MS          N calls at once; prints BURST with how they ended
//	notify OP MSG                  a notification
//	await MS                       waits for a connection: CONNECTED-OK or NOT-CONNECTED
//	stats, close
//
// Results: "RESULT ID OK value" or "RESULT ID ERR CODE remote=B written=B|- reason=R|- text".
// Notifications from the responder print "NOTIFIED op msg".
func cmdRPCClient(ctx context.Context, args []string) error {
	f, opts, err := parseRPC("rpc-client", args)
	if err != nil {
		return err
	}
	opts = append(opts, rpc.OnNotification(func(op string, m []byte, from rpc.Peer[[]byte]) {
		say("NOTIFIED %s %s", op, m)
	}))
	c, err := rpc.NewClient[[]byte](rpc.FIFOPair(f.req, f.rsp), rawCodecNamed{f.codec}, opts...)
	if err != nil {
		return fail(exitUsage, "rpc-client: %v", err)
	}
	defer c.Close()
	say("READY")
	var cmu sync.Mutex
	cancels := map[string]context.CancelFunc{}
	callCtx := func(id string, ms int) context.Context {
		cctx, cancel := context.WithCancel(ctx)
		if ms > 0 {
			var c2 context.CancelFunc
			cctx, c2 = context.WithTimeout(cctx, time.Duration(ms)*time.Millisecond)
			c1 := cancel
			cancel = func() { c2(); c1() }
		}
		cmu.Lock()
		cancels[id] = cancel
		cmu.Unlock()
		return cctx
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		fields := strings.SplitN(in.Text(), " ", 5)
		switch fields[0] {
		case "call", "callhex", "stream":
			if len(fields) < 4 {
				say("BAD %s", in.Text())
				continue
			}
			id, op := fields[1], fields[2]
			if op == "-" {
				op = ""
			}
			ms, _ := strconv.Atoi(fields[3])
			req := []byte("")
			if len(fields) == 5 {
				req = []byte(fields[4])
			}
			if fields[0] == "callhex" {
				req, _ = hex.DecodeString(string(req))
			}
			cctx := callCtx(id, ms)
			if fields[0] == "stream" {
				go func() {
					s := c.CallStream(cctx, op, req)
					for {
						v, err := s.Recv()
						if err != nil {
							if err.Error() == "EOF" {
								err = nil
							}
							say("%s", callResult(id, []byte("done"), err))
							return
						}
						say("ITEM %s %s", id, v)
					}
				}()
				continue
			}
			go func() {
				v, err := c.Call(cctx, op, req)
				say("%s", callResult(id, v, err))
			}()
		case "cancel":
			cmu.Lock()
			cancel := cancels[fields[1]]
			cmu.Unlock()
			if cancel != nil {
				cancel()
			}
		case "load":
			n, _ := strconv.Atoi(fields[1])
			callers, _ := strconv.Atoi(fields[2])
			go load(ctx, c, n, callers, fields[3])
		case "burst":
			n, _ := strconv.Atoi(fields[1])
			ms, _ := strconv.Atoi(fields[3])
			go burst(ctx, c, n, fields[2], ms)
		case "notify":
			msg := ""
			if len(fields) > 2 {
				msg = strings.Join(fields[2:], " ")
			}
			nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.Notify(nctx, fields[1], []byte(msg))
			cancel()
			say("%s", callResult("notify", nil, err))
		case "await":
			ms, _ := strconv.Atoi(fields[1])
			actx, cancel := context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
			err := c.AwaitConnected(actx)
			cancel()
			if err != nil {
				say("NOT-CONNECTED %v", err)
			} else {
				say("CONNECTED-OK")
			}
		case "stats":
			say("STATS %v", c.Stats())
		case "close":
			c.Close()
			say("CLOSED %v", c.Stats())
			return nil
		}
	}
	return nil
}

// result formats how a call ended.
func callResult(id string, v []byte, err error) string {
	if err == nil {
		return fmt.Sprintf("RESULT %s OK %s", id, v)
	}
	remote, written, reason := false, "-", "-"
	var e *rpc.Error
	var pg *rpc.PeerGoneError
	switch {
	case errors.As(err, &e):
		remote = e.Remote
	case errors.As(err, &pg):
		written, reason = strconv.FormatBool(pg.RequestWritten), pg.Reason.String()
	}
	return fmt.Sprintf("RESULT %s ERR %v remote=%v written=%s reason=%s %v", id, rpc.StatusCode(err), remote, written, reason, err)
}

// load runs n calls of op from callers goroutines, each request distinct
// and each reply checked against it (echo: equal; upper: upper-cased).
func load(ctx context.Context, c *rpc.Client[[]byte], n, callers int, op string) {
	start := time.Now()
	var next, ok, bad atomic.Int64
	var firstBad atomic.Value
	var wg sync.WaitGroup
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				req := fmt.Sprintf("go-%d-%d", g, i)
				want := req
				if op == "upper" {
					want = strings.ToUpper(req)
				}
				cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				got, err := c.Call(cctx, op, []byte(req))
				cancel()
				if err != nil || string(got) != want {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, fmt.Sprintf("%s -> %q %v", req, got, err))
				} else {
					ok.Add(1)
				}
			}
		}(g)
	}
	wg.Wait()
	fb, _ := firstBad.Load().(string)
	say("LOAD ok=%d bad=%d ms=%d %s", ok.Load(), bad.Load(), time.Since(start).Milliseconds(), fb)
}

// burst starts n calls of op at once and reports how they ended: codes,
// written flags, reasons, answered count, and the spread of the failures.
func burst(ctx context.Context, c *rpc.Client[[]byte], n int, op string, ms int) {
	type end struct {
		at  time.Time
		err error
	}
	ends := make(chan end, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			cctx, cancel := context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
			_, err := c.Call(cctx, op, []byte(strconv.Itoa(i)))
			cancel()
			ends <- end{time.Now(), err}
		}(i)
	}
	codes := map[string]int{}
	reasons := map[string]int{}
	written, notWritten, ok := 0, 0, 0
	var first, last time.Time
	for i := 0; i < n; i++ {
		e := <-ends
		if e.err == nil {
			ok++
			continue
		}
		if first.IsZero() || e.at.Before(first) {
			first = e.at
		}
		if e.at.After(last) {
			last = e.at
		}
		codes[rpc.StatusCode(e.err).String()]++
		var pg *rpc.PeerGoneError
		if errors.As(e.err, &pg) {
			reasons[pg.Reason.String()]++
			if pg.RequestWritten {
				written++
			} else {
				notWritten++
			}
		}
	}
	say("BURST n=%d ok=%d codes=%v reasons=%v written=%d notwritten=%d spreadms=%d", n, ok, codes, reasons, written,
		notWritten, last.Sub(first).Milliseconds())
}
