package fcnats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"fifochan.dev/fifochan"
)

// TestJetStreamLostDeliveryBeforeEnd: a frame JetStream delivered to the
// consumer that never reached the receiver (in flight when the server or the
// connection died) comes again only after AckWait, after the session's end.
// The receiver must hold the end back until it comes (Java:
// JetStreamLostDeliveryTest). A second client of the durable takes the
// start and frames 1..30, hands 29 frames and the start back (nak) and
// "loses" frame 30.
func TestJetStreamLostDeliveryBeforeEnd(t *testing.T) {
	url := server(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	subject := "go.lost.inflight"
	opts := Options{Mode: ModeJetStream, Durable: "lost", DeliverAll: true, AckWait: 4 * time.Second, MaxInFlight: 256}
	s, err := OpenSender(ctx, nc, subject, fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := 0; i < n; i++ {
		if err := s.Send(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, StreamName(subject), jetstream.ConsumerConfig{Durable: "lost",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: opts.AckWait, FilterSubject: subject, MaxAckPending: 2 * opts.MaxInFlight,
		DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(31, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var taken []jetstream.Msg
	for m := range batch.Messages() {
		taken = append(taken, m)
	}
	if len(taken) != 31 {
		t.Fatalf("fetched %d of 31 (%v)", len(taken), batch.Error())
	}
	for _, m := range taken[:30] {
		if err := m.Nak(); err != nil {
			t.Fatal(err)
		}
	}
	r, err := OpenReceiver(ctx, nc, subject, fifochan.String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := make([]bool, n)
	got := 0
	for {
		v, err := r.Receive(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d: %v", got, err)
		}
		var i int
		fmt.Sscan(v, &i)
		if seen[i] {
			t.Fatalf("delivered twice: %d", i)
		}
		seen[i] = true
		got++
	}
	if got != n {
		for i, ok := range seen {
			if !ok {
				t.Fatalf("delivered %d of %d; missing from %d", got, n, i)
			}
		}
	}
}
