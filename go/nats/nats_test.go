package fcnats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

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
			return url
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("nats-server did not start")
	return ""
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
