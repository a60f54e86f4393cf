package fcnats

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"fifochan.dev/fifochan"
)

func TestTmpJSThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TMPN"))
	if n == 0 {
		t.Skip()
	}
	url := server(t)
	nc, _ := nats.Connect(url)
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	opts := Options{Mode: ModeJetStream, DeliverAll: true, Durable: "d"}
	s, err := OpenSender(ctx, nc, "go.tp", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := s.Send(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	nc2, _ := nats.Connect(url)
	defer nc2.Close()
	t0 := time.Now()
	r, err := OpenReceiver(ctx, nc2, "go.tp", fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := r.Receive(ctx); err != nil {
			t.Fatal(i, err)
		}
	}
	d := time.Since(t0)
	t.Logf("received %d stored messages in %v: %.0f msg/s", n, d, float64(n)/d.Seconds())
}
