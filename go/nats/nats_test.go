package fcnats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"fifochan.dev/fifochan"
)

func TestValueEncoding(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{[]byte("plain value"), "plain value"},
		{[]byte(""), ""},
		{[]byte(" lead"), "b64:IGxlYWQ="},
		{[]byte("trail "), "b64:dHJhaWwg"},
		{[]byte("café"), "b64:Y2Fmw6k="},
		{[]byte("b64:x"), "b64:YjY0Ong="},
		{[]byte{0, 0xE9, '\n'}, "b64:AOkK"},
	} {
		if got := EncodeValue(c.in); got != c.want {
			t.Errorf("EncodeValue(%q) = %q, want %q", c.in, got, c.want)
		}
		back, err := DecodeValue(EncodeValue(c.in))
		if err != nil || string(back) != string(c.in) {
			t.Errorf("round trip of %q: %q, %v", c.in, back, err)
		}
	}
	if StreamName("orders.eu-1.>") != "FC_orders_eu-1__" {
		t.Errorf("StreamName: %s", StreamName("orders.eu-1.>"))
	}
}

// server starts nats-server with JetStream on a free loopback port.
func server(t *testing.T) string {
	t.Helper()
	url, _ := serverProcess(t)
	return url
}

// serverProcess is server with the server's process.
func serverProcess(t *testing.T) (string, *os.Process) {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/nats-server"); e == nil {
			bin = "/usr/sbin/nats-server"
		} else if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no nats-server binary: apt-get install -y nats-server")
		} else {
			t.Skip("SKIPPED: no nats-server binary on PATH or in /usr/sbin (with CI=true this is a failure)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-js", "-sd", t.TempDir(), "-a", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	for i := 0; i < 500; i++ {
		if nc, err := nats.Connect(url); err == nil {
			nc.Close()
			return url, cmd.Process
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("nats-server did not start")
	return "", nil
}

func roundTrip(t *testing.T, mode Mode) {
	url := server(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := Options{Mode: mode, DeliverAll: true}
	r, err := OpenReceiver(ctx, nc, "go.rt", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := OpenSender(ctx, nc, "go.rt", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := 0; i < n; i++ {
		h := fifochan.Headers{{Key: "k", Value: []byte(fmt.Sprint(i))}, {Key: "u", Value: []byte("café")}}
		if err := s.SendHeaders(ctx, fmt.Sprintf("m%d", i), h); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, nc.MaxPayload()+1)
	if err := s.Send(ctx, string(big)); !errors.Is(err, fifochan.ErrFrameTooLong) {
		t.Fatalf("oversize: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		e, err := r.ReceiveEnvelope(ctx)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if e.Value != fmt.Sprintf("m%d", i) || e.Seq != int64(i+1) {
			t.Fatalf("message %d: %q seq %d", i, e.Value, e.Seq)
		}
		if k, _ := e.Headers.Get("k"); string(k) != fmt.Sprint(i) {
			t.Fatalf("message %d: header k %q", i, k)
		}
		if u, _ := e.Headers.Get("u"); string(u) != "café" {
			t.Fatalf("message %d: header u %q", i, u)
		}
	}
	if _, err := r.Receive(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("end: %v", err)
	}
}

func TestCoreRoundTrip(t *testing.T)      { roundTrip(t, ModeCore) }
func TestJetStreamRoundTrip(t *testing.T) { roundTrip(t, ModeJetStream) }

func TestGapReported(t *testing.T) {
	url := server(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := OpenReceiver(ctx, nc, "go.gap", fifochan.String(), Options{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pub := func(rec string, seq int, body string) {
		h := nats.Header{}
		if rec != "" {
			h[HdrRec] = []string{rec}
		}
		h[HdrSession] = []string{"s1"}
		if rec == "start" {
			h[HdrCodec] = []string{"string"}
			h[HdrVersion] = []string{"1.1"}
		} else {
			h[HdrSeq] = []string{fmt.Sprint(seq)}
		}
		nc.PublishMsg(&nats.Msg{Subject: "go.gap", Header: h, Data: []byte(body)})
	}
	pub("start", 0, "")
	pub("", 1, "one")
	pub("", 3, "three")
	nc.Flush()
	if v, err := r.Receive(ctx); err != nil || v != "one" {
		t.Fatalf("%q %v", v, err)
	}
	var lost *LostError
	if _, err := r.Receive(ctx); !errors.As(err, &lost) || lost.Expected != 2 || lost.Lost != 1 {
		t.Fatalf("gap: %v", err)
	}
	if v, err := r.Receive(ctx); err != nil || v != "three" {
		t.Fatalf("%q %v", v, err)
	}
}

func TestSessionRanges(t *testing.T) {
	s := &session{}
	for _, n := range []int64{5, 3, 7, 6, 9, 4} {
		s.mark(n)
	}
	if s.floor != 0 || len(s.ranges) != 2 || s.ranges[0] != [2]int64{3, 7} || s.ranges[1] != [2]int64{9, 9} {
		t.Fatalf("floor %d ranges %v", s.floor, s.ranges)
	}
	for n, want := range map[int64]bool{1: false, 2: false, 3: true, 7: true, 8: false, 9: true, 10: false} {
		if s.seen(n) != want {
			t.Errorf("seen(%d) = %v", n, !want)
		}
	}
	s.mark(1)
	s.mark(2)
	if s.floor != 7 || len(s.ranges) != 1 {
		t.Fatalf("after 1, 2: floor %d ranges %v", s.floor, s.ranges)
	}
	s.mark(8)
	if s.floor != 9 || len(s.ranges) != 0 || !s.late(1) || s.late(10) {
		t.Fatalf("after 8: floor %d ranges %v", s.floor, s.ranges)
	}
}

// TestJetStreamConsumerRestart: a receiver dies with messages taken and not
// acknowledged; a receiver restarted with the same durable gets them again
// only after AckWait, after newer ones, and must deliver them (it joins the
// session at the first newer frame): also after the session's end.
func TestJetStreamConsumerRestart(t *testing.T) {
	url := server(t)
	for _, endFirst := range []bool{false, true} {
		subject := fmt.Sprintf("go.restart.%v", endFirst)
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		opts := Options{Mode: ModeJetStream, Durable: fmt.Sprintf("d%v", endFirst), DeliverAll: true, AckWait: 2 * time.Second,
			MaxInFlight: 256}
		s, err := OpenSender(ctx, nc, subject, fifochan.String(), opts)
		if err != nil {
			t.Fatal(err)
		}
		const n = 3000
		for i := 0; i < n/2; i++ {
			if err := s.Send(ctx, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		seen := make([]bool, n)
		got := 0
		take := func(v string) {
			var i int
			fmt.Sscan(v, &i)
			if !seen[i] {
				seen[i] = true
				got++
			}
		}
		first, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		a, err := OpenReceiver(ctx, first, subject, fifochan.String(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for got < 500 {
			v, err := a.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			take(v)
		}
		first.Close() // gone without acknowledging what it had prefetched
		for i := n / 2; i < n; i++ {
			if err := s.Send(ctx, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		if endFirst {
			err = s.Close()
		} else {
			err = s.Flush(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		o := opts
		o.Follow = true
		b, err := OpenReceiver(ctx, nc, subject, fifochan.String(), o)
		if err != nil {
			t.Fatal(err)
		}
		for got < n {
			v, err := b.Receive(ctx)
			if err != nil {
				t.Fatalf("after %d of %d (endFirst %v): %v", got, n, endFirst, err)
			}
			take(v)
		}
		if st := b.Stats(); st.OutOfOrder == 0 {
			t.Errorf("endFirst %v: the taken records should have come after newer ones: %+v", endFirst, st)
		}
		b.Close()
		s.Close()
		cancel()
		nc.Close()
	}
}

// TestJetStreamConsumerDeleted: the durable consumer is deleted while a
// receiver waits. Re-created, the receiver goes on with it; gone, the
// receiver returns ErrConsumerGone. Either way within a bound, never
// receiving nothing silently.
func TestJetStreamConsumerDeleted(t *testing.T) {
	url := server(t)
	for _, recreate := range []bool{true, false} {
		t.Run(fmt.Sprintf("recreate=%v", recreate), func(t *testing.T) {
			subject := fmt.Sprintf("go.deleted.%v", recreate)
			nc, err := nats.Connect(url)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			opts := Options{Mode: ModeJetStream, Durable: "dur", Follow: true}
			r, err := OpenReceiver(ctx, nc, subject, fifochan.String(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			s, err := OpenSender(ctx, nc, subject, fifochan.String(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Send(ctx, "before"); err != nil {
				t.Fatal(err)
			}
			if v, err := r.Receive(ctx); err != nil || v != "before" {
				t.Fatalf("before: %q %v", v, err)
			}
			// the receiver waits on its pull while the consumer is deleted
			waiting := make(chan struct{})
			type result struct {
				v   string
				err error
			}
			got := make(chan result, 1)
			go func() {
				close(waiting)
				v, err := r.Receive(ctx)
				got <- result{v, err}
			}()
			<-waiting
			time.Sleep(500 * time.Millisecond)
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			st, err := js.Stream(ctx, StreamName(subject))
			if err != nil {
				t.Fatal(err)
			}
			info, err := st.Consumer(ctx, "dur")
			if err != nil {
				t.Fatal(err)
			}
			cfg := info.CachedInfo().Config
			if err := st.DeleteConsumer(ctx, "dur"); err != nil {
				t.Fatal(err)
			}
			if recreate {
				time.Sleep(200 * time.Millisecond)
				if _, err := st.CreateOrUpdateConsumer(ctx, cfg); err != nil { // DeliverNew: "after" only
					t.Fatal(err)
				}
				if err := s.Send(ctx, "after"); err != nil {
					t.Fatal(err)
				}
				if err := s.Flush(ctx); err != nil {
					t.Fatal(err)
				}
			}
			var res result
			select {
			case res = <-got:
			case <-time.After(45 * time.Second):
				t.Fatal("Receive neither returned a message nor an error within 45 s of the consumer's deletion")
			}
			if !recreate {
				var gone *ConsumerGoneError
				if !errors.Is(res.err, ErrConsumerGone) || !errors.As(res.err, &gone) || gone.Consumer != "dur" {
					t.Fatalf("want ErrConsumerGone for dur, got %q %v", res.v, res.err)
				}
				if _, err := r.Receive(ctx); !errors.Is(err, ErrConsumerGone) {
					t.Fatalf("the next call: want ErrConsumerGone, got %v", err)
				}
				return
			}
			if res.err != nil || res.v != "after" {
				t.Fatalf("after re-creation: want \"after\", got %q %v", res.v, res.err)
			}
		})
	}
}

// TestJetStreamServerPaused: the server stops (SIGSTOP) for longer than
// a pull's expiry and two idle heartbeats while a receiver waits, then
// goes on. The receiver neither gives up (the consumer is there) nor
// stays silent: a record published after the pause arrives.
func TestJetStreamServerPaused(t *testing.T) {
	url, proc := serverProcess(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := Options{Mode: ModeJetStream, Durable: "paused", Follow: true}
	r, err := OpenReceiver(ctx, nc, "go.paused", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := OpenSender(ctx, nc, "go.paused", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Send(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Receive(ctx); err != nil || v != "before" {
		t.Fatalf("before: %q %v", v, err)
	}
	got := make(chan error, 1)
	go func() {
		for {
			v, err := r.Receive(ctx)
			if err != nil || v == "after" {
				got <- err
				return
			}
		}
	}()
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pullWait + 2*pullHeartbeat + time.Second)
	if err := proc.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, "after"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("after the pause: %v", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("no record within 45 s of the server's pause")
	}
}

// TestJetStreamPullRefused: the consumer's MaxRequestBatch is lowered
// under the receiver's pulls: the server answers each with a 409; the
// receiver returns ErrPullRefused instead of waiting for ever.
func TestJetStreamPullRefused(t *testing.T) {
	url := server(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := Options{Mode: ModeJetStream, Durable: "small", Follow: true}
	r, err := OpenReceiver(ctx, nc, "go.refused", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, StreamName("go.refused"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Consumer(ctx, "small")
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.CachedInfo().Config
	cfg.MaxRequestBatch = 10
	if _, err := st.UpdateConsumer(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := r.Receive(ctx)
		got <- err
	}()
	select {
	case err := <-got:
		if !errors.Is(err, ErrPullRefused) {
			t.Fatalf("want ErrPullRefused, got %v", err)
		}
		t.Log(err)
	case <-time.After(45 * time.Second):
		t.Fatal("Receive neither returned a message nor an error within 45 s")
	}
	if _, err := r.Receive(ctx); !errors.Is(err, ErrPullRefused) {
		t.Fatalf("the next call: want ErrPullRefused, got %v", err)
	}
}
