package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"fifochan.dev/fifochan"
	fcnats "fifochan.dev/fifochan/nats"
	"fifochan.dev/fifochan/rpc"
)

// Request/response over NATS (docs/nats.md §5), for the cross-language
// tests with the Java modules fifochan-rpc and fifochan-transport-nats:
//
//	fifochan-nats-peer rpc-serve  -url URL -subject S -service NAME [-heartbeat D] [-liveness D]
//	fifochan-nats-peer rpc-client -url URL -subject S -service NAME [-heartbeat D] [-liveness D]
//
// Payloads are strings (codec "string"). Both print READY, then one line
// per event on stdout (CONNECTED, DISCONNECTED ...). The responder's
// operations: echo, upper, fail (an error NOT_FOUND), slow (sleeps the
// request's milliseconds), remaining (the handler's time left in ms, or
// "none") and hang (until cancelled; prints "CANCELLED <code>" then). The
// client reads commands on stdin:
//
//	calls G N            G goroutines make N calls each, echo and upper
//	                     alternately, replies matched by content:
//	                     "CALLS-OK <G*N>" or "CALLS-FAIL <why>"
//	call ID OP MS TEXT   one call in the background, MS its deadline (0:
//	                     none): "RESULT ID OK <reply>" or "RESULT ID ERR
//	                     code=<n> remote=<bool> gone=<reason|-> written=<bool|-> <text>"
//	cancel ID            cancels call ID
//	quit                 closes the client and exits

var outMu sync.Mutex

func say(format string, args ...any) {
	line := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	outMu.Lock()
	os.Stdout.WriteString(line + "\n")
	outMu.Unlock()
}

type rpcFlags struct {
	url, subject, service string
	heartbeat, liveness   time.Duration
}

func parseRPC(name string, args []string) (*rpcFlags, []rpc.Option) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	f := &rpcFlags{}
	fs.StringVar(&f.url, "url", nats.DefaultURL, "server URL")
	fs.StringVar(&f.subject, "subject", "", "the service subject")
	fs.StringVar(&f.service, "service", "default", "the service name (hello)")
	fs.DurationVar(&f.heartbeat, "heartbeat", -1, "heartbeat interval (0: none)")
	fs.DurationVar(&f.liveness, "liveness", -1, "liveness timeout (0: none)")
	_ = fs.Parse(args)
	opts := []rpc.Option{rpc.Service(f.service), rpc.OnConnectionEvent(func(e rpc.ConnectionEvent) {
		switch {
		case e.Connected:
			say("CONNECTED")
		case e.Err != nil:
			say("DISCONNECTED %v", e.Err)
		default:
			say("DISCONNECTED")
		}
	})}
	if f.heartbeat >= 0 {
		opts = append(opts, rpc.HeartbeatInterval(f.heartbeat))
	}
	if f.liveness >= 0 {
		opts = append(opts, rpc.LivenessTimeout(f.liveness))
	}
	return f, opts
}

func rpcServe(args []string) error {
	f, opts := parseRPC("rpc-serve", args)
	nc, err := connect(f.url)
	if err != nil {
		return err
	}
	defer nc.Close()
	r, err := rpc.NewResponder(fifochan.String(), opts...)
	if err != nil {
		return err
	}
	r.Handle("echo", func(ctx context.Context, s string) (string, error) { return s, nil })
	r.Handle("upper", func(ctx context.Context, s string) (string, error) { return strings.ToUpper(s), nil })
	r.Handle("fail", func(ctx context.Context, s string) (string, error) { return "", rpc.Errorf(rpc.NotFound, "no %s", s) })
	r.Handle("slow", func(ctx context.Context, s string) (string, error) {
		ms, _ := strconv.Atoi(s)
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return "slept " + s, nil
		case <-ctx.Done():
			say("CANCELLED %d", rpc.StatusCode(context.Cause(ctx)))
			return "", context.Cause(ctx)
		}
	})
	r.Handle("remaining", func(ctx context.Context, s string) (string, error) {
		if dl, ok := ctx.Deadline(); ok {
			return strconv.FormatInt(time.Until(dl).Milliseconds(), 10), nil
		}
		return "none", nil
	})
	r.Handle("hang", func(ctx context.Context, s string) (string, error) {
		say("HANG %s", s)
		<-ctx.Done()
		say("CANCELLED %d", rpc.StatusCode(context.Cause(ctx)))
		return "", context.Cause(ctx)
	})
	l, err := fcnats.Listen(nc, f.subject, fcnats.Options{})
	if err != nil {
		return err
	}
	if err := r.Serve(l); err != nil {
		return err
	}
	say("READY")
	quit := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "quit" {
				close(quit)
				return
			}
		}
		// no stdin (a container): serve until a signal
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-quit:
	case <-sig:
	}
	r.Close()
	return nil
}

func rpcClient(args []string) error {
	f, opts := parseRPC("rpc-client", args)
	nc, err := connect(f.url)
	if err != nil {
		return err
	}
	defer nc.Close()
	c, err := rpc.NewClient(fcnats.Dialer(nc, f.subject, fcnats.Options{}), fifochan.String(), opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	say("READY")
	var mu sync.Mutex
	cancels := map[string]context.CancelFunc{}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		w := strings.SplitN(strings.TrimSpace(sc.Text()), " ", 5)
		switch w[0] {
		case "quit":
			return nil
		case "calls":
			g, _ := strconv.Atoi(w[1])
			n, _ := strconv.Atoi(w[2])
			go manyCalls(c, g, n)
		case "call":
			if len(w) < 4 {
				say("USAGE call ID OP MS TEXT")
				continue
			}
			id, op := w[1], w[2]
			ms, _ := strconv.Atoi(w[3])
			text := ""
			if len(w) == 5 {
				text = w[4]
			}
			ctx, cancel := context.WithCancel(context.Background())
			if ms > 0 {
				ctx, cancel = context.WithTimeout(context.Background(), time.Duration(ms)*time.Millisecond)
			}
			mu.Lock()
			cancels[id] = cancel
			mu.Unlock()
			go func() {
				defer cancel()
				v, err := c.Call(ctx, op, text)
				if err == nil {
					say("RESULT %s OK %s", id, v)
					return
				}
				say("RESULT %s ERR %s", id, describe(err))
			}()
		case "cancel":
			mu.Lock()
			if cancel := cancels[w[1]]; cancel != nil {
				cancel()
			}
			mu.Unlock()
		}
	}
	return nil
}

// manyCalls: g goroutines, n calls each, replies matched by content.
func manyCalls(c *rpc.Client[string], g, n int) {
	var wg sync.WaitGroup
	var failed sync.Once
	ok := true
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < n; j++ {
				text := fmt.Sprintf("go-%d-%d", i, j)
				op, want := "echo", text
				if j%2 == 1 {
					op, want = "upper", strings.ToUpper(text)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				v, err := c.Call(ctx, op, text)
				cancel()
				if err != nil || v != want {
					failed.Do(func() {
						ok = false
						say("CALLS-FAIL %s %q: got %q, %v", op, text, v, err)
					})
					return
				}
			}
		}()
	}
	wg.Wait()
	if ok {
		say("CALLS-OK %d", g*n)
	}
}

func describe(err error) string {
	code := rpc.StatusCode(err)
	remote := false
	var re *rpc.Error
	if errors.As(err, &re) {
		remote = re.Remote
	}
	gone, written := "-", "-"
	var pg *rpc.PeerGoneError
	if errors.As(err, &pg) {
		gone, written = pg.Reason.String(), strconv.FormatBool(pg.RequestWritten)
	}
	return fmt.Sprintf("code=%d remote=%v gone=%s written=%s %v", int(code), remote, gone, written, err)
}
