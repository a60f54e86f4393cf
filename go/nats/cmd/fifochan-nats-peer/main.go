// Command fifochan-nats-peer is the Go peer of the NATS interop and bridge
// tests. It sends or receives a known message sequence over NATS, or reads
// it from a FIFO (the far end of a bridge), and reports through its output
// and exit code:
//
//	fifochan-nats-peer send -url URL -subject S -codec protobuf|json -count N [-js] [-heartbeat D]
//	fifochan-nats-peer recv -url URL -subject S -codec protobuf|json -count N [-js] [-durable NAME] [-all]
//	fifochan-nats-peer fifo-recv -path FIFO -codec protobuf|json -count N
//
// Message seq 0..N-1: protobuf sends Ping{seq, text "ping-<seq>"}, json
// {"seq":<seq>,"text":"ping-<seq>"}; every message carries the header
// "n" = seq and, for seq%100 == 0, "bin" = the bytes 0x00 0xE9 0x0A and
// "u" = "cafe-<seq>" in UTF-8 with an accent.
//
// recv checks order (each message is the next seq), content and headers,
// and prints "READY" once subscribed and "OK <n>" at a clean end. It exits
// 1 on any mismatch. fifo-recv follows the FIFO across writer sessions
// (a bridge that restarts is a new session), accepts duplicates and
// truncated sessions, requires every seq 0..N-1, and prints
// "OK <n> duplicates=<d> truncated=<t>" once it has all of them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/internal/interoppb"
	fcnats "fifochan.dev/fifochan/nats"
)

type jsonMsg struct {
	Seq  int64  `json:"seq"`
	Text string `json:"text"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fifochan-nats-peer send|recv|fifo-recv ...")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	url := fs.String("url", nats.DefaultURL, "server URL")
	subject := fs.String("subject", "", "subject")
	codec := fs.String("codec", "protobuf", "protobuf or json")
	count := fs.Int("count", 1000, "messages")
	js := fs.Bool("js", false, "JetStream")
	durable := fs.String("durable", "", "durable consumer")
	all := fs.Bool("all", false, "deliver the whole stream")
	hb := fs.Duration("heartbeat", 0, "heartbeat interval")
	path := fs.String("path", "", "FIFO path")
	_ = fs.Parse(os.Args[2:])
	opts := fcnats.Options{Heartbeat: *hb, Durable: *durable, DeliverAll: *all}
	if *js {
		opts.Mode = fcnats.ModeJetStream
	}
	var err error
	switch os.Args[1] {
	case "send":
		err = send(*url, *subject, *codec, *count, opts)
	case "recv":
		err = recv(*url, *subject, *codec, *count, opts)
	case "fifo-recv":
		err = fifoRecv(*path, *codec, *count)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

func headers(seq int) fifochan.Headers {
	h := fifochan.Headers{{Key: "n", Value: []byte(strconv.Itoa(seq))}}
	if seq%100 == 0 {
		h = append(h, fifochan.Header{Key: "bin", Value: []byte{0, 0xE9, 0x0A}}, fifochan.Header{Key: "u", Value: []byte("café-" + strconv.Itoa(seq))})
	}
	return h
}

func checkHeaders(seq int64, h fifochan.Headers) error {
	n, _ := h.Get("n")
	if string(n) != strconv.FormatInt(seq, 10) {
		return fmt.Errorf("message %d: header n = %q", seq, n)
	}
	if seq%100 == 0 {
		b, _ := h.Get("bin")
		u, _ := h.Get("u")
		if string(b) != "\x00\xe9\n" || string(u) != "café-"+strconv.FormatInt(seq, 10) {
			return fmt.Errorf("message %d: headers bin=%q u=%q", seq, b, u)
		}
	}
	return nil
}

func connect(url string) (*nats.Conn, error) {
	return nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond), nats.Name("fifochan-nats-peer"))
}

func send(url, subject, codec string, count int, opts fcnats.Options) error {
	nc, err := connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx := context.Background()
	switch codec {
	case "protobuf":
		s, err := fcnats.OpenSender(ctx, nc, subject, fifochan.ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{}), opts)
		if err != nil {
			return err
		}
		for i := 0; i < count; i++ {
			if err := s.SendHeaders(ctx, &interoppb.Ping{Seq: int64(i), Text: fmt.Sprintf("ping-%d", i)}, headers(i)); err != nil {
				return err
			}
		}
		return s.Close()
	case "json":
		s, err := fcnats.OpenSender(ctx, nc, subject, fifochan.JSON[jsonMsg](nil), opts)
		if err != nil {
			return err
		}
		for i := 0; i < count; i++ {
			if err := s.SendHeaders(ctx, jsonMsg{Seq: int64(i), Text: fmt.Sprintf("ping-%d", i)}, headers(i)); err != nil {
				return err
			}
		}
		return s.Close()
	}
	return fmt.Errorf("unknown codec %q", codec)
}

// seqOf checks a message's content and returns its seq.
func seqOf(v any) (int64, error) {
	switch m := v.(type) {
	case *interoppb.Ping:
		if m.Text != fmt.Sprintf("ping-%d", m.Seq) {
			return 0, fmt.Errorf("ping %d: text %q", m.Seq, m.Text)
		}
		return m.Seq, nil
	case jsonMsg:
		if m.Text != fmt.Sprintf("ping-%d", m.Seq) {
			return 0, fmt.Errorf("json %d: text %q", m.Seq, m.Text)
		}
		return m.Seq, nil
	}
	return 0, fmt.Errorf("unexpected message %T", v)
}

func recv(url, subject, codec string, count int, opts fcnats.Options) error {
	nc, err := connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx := context.Background()
	switch codec {
	case "protobuf":
		r, err := fcnats.OpenReceiver(ctx, nc, subject, fifochan.ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{}), opts)
		if err != nil {
			return err
		}
		return check(r, count, nc, func(v proto.Message) any { return v })
	case "json":
		r, err := fcnats.OpenReceiver(ctx, nc, subject, fifochan.JSON[jsonMsg](nil), opts)
		if err != nil {
			return err
		}
		return check(r, count, nc, func(v jsonMsg) any { return v })
	}
	return fmt.Errorf("unknown codec %q", codec)
}

func check[T any](r *fcnats.Receiver[T], count int, nc *nats.Conn, as func(T) any) error {
	if err := nc.Flush(); err != nil {
		return err
	}
	fmt.Println("READY")
	n := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		e, err := r.ReceiveEnvelope(ctx)
		cancel()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("after %d messages: %w", n, err)
		}
		seq, err := seqOf(as(e.Value))
		if err != nil {
			return err
		}
		if seq != int64(n) {
			return fmt.Errorf("message %d has seq %d", n, seq)
		}
		if err := checkHeaders(seq, e.Headers); err != nil {
			return err
		}
		n++
	}
	if n != count {
		return fmt.Errorf("%d messages, expected %d", n, count)
	}
	st := r.Stats()
	fmt.Printf("OK %d duplicates=%d\n", n, st.Duplicates)
	return nil
}

func fifoRecv(path, codec string, count int) error {
	ctx := context.Background()
	switch codec {
	case "protobuf":
		r, err := fifochan.OpenReceiver(ctx, path, fifochan.ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{}), fifochan.Follow())
		if err != nil {
			return err
		}
		defer r.Close()
		return fifoCheck(ctx, r, count, func(v proto.Message) any { return v })
	case "json":
		r, err := fifochan.OpenReceiver(ctx, path, fifochan.JSON[jsonMsg](nil), fifochan.Follow())
		if err != nil {
			return err
		}
		defer r.Close()
		return fifoCheck(ctx, r, count, func(v jsonMsg) any { return v })
	}
	return fmt.Errorf("unknown codec %q", codec)
}

func fifoCheck[T any](ctx context.Context, r *fifochan.Receiver[T], count int, as func(T) any) error {
	fmt.Println("READY")
	seen := make([]bool, count)
	got, dups, truncated := 0, 0, 0
	for got < count {
		e, err := r.ReceiveEnvelope(ctx)
		if err != nil {
			if errors.Is(err, fifochan.ErrTruncatedStream) || errors.Is(err, fifochan.ErrAborted) {
				truncated++ // the bridge died mid-session; following goes on with its next session
				fmt.Fprintf(os.Stderr, "SESSION-ENDED-BADLY %v\n", err)
				continue
			}
			if errors.Is(err, io.EOF) {
				continue
			}
			return fmt.Errorf("after %d messages: %w", got, err)
		}
		seq, err := seqOf(as(e.Value))
		if err != nil {
			return err
		}
		if err := checkHeaders(seq, e.Headers); err != nil {
			return err
		}
		if seq < 0 || seq >= int64(count) {
			return fmt.Errorf("seq %d out of range", seq)
		}
		if seen[seq] {
			dups++
			continue
		}
		seen[seq] = true
		got++
	}
	fmt.Printf("OK %d duplicates=%d truncated=%d\n", got, dups, truncated)
	return nil
}
