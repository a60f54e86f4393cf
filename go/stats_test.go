package fifochan

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// TestStatsCountWhatHappened checks the Sender's and Receiver's counters
// (Java's SenderStats and ReceiverStats, same meanings) over a real FIFO.
func TestStatsCountWhatHappened(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, String())
	w := openWriter(t, ctx, path, String(), MaxFrameLength(16), Heartbeat(5*time.Millisecond))
	for _, s := range []string{"one", "two", "three"} {
		if err := w.Send(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Send(ctx, "\xff"); !errors.Is(err, ErrEncode) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	if err := w.Send(ctx, "far too long for sixteen bytes"); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("too long: %v", err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	for i := 0; i < 3; i++ {
		if v, err := r.Receive(ctx); err != nil || v == "" {
			t.Fatal(v, err)
		}
	}
	if _, err := r.Receive(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled receive: %v", err)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for w.Stats().HeartbeatsSent == 0 { // the heartbeat shows only in the counter
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("no heartbeat")
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Receive(ctx); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	ws := w.Stats()
	want := SenderStats{Accepted: 3, Written: 3, PayloadBytesAccepted: 11, EncodeFailures: 1, TooLongRefusals: 1,
		SessionsStarted: 1, SessionsEnded: 1}
	got := ws
	got.BytesWritten, got.Flushes, got.HeartbeatsSent, got.BackPressureWaits, got.BackPressureNanos = 0, 0, 0, 0, 0
	if got != want {
		t.Errorf("sender stats %+v, want %+v", got, want)
	}
	if ws.Flushes < 1 || ws.HeartbeatsSent < 1 || ws.BytesWritten < 12+3*6+11 {
		t.Errorf("sender stats %+v: want a flush, a heartbeat, every byte", ws)
	}
	rs := r.Stats()
	if rs.Messages != 3 || rs.PayloadBytes != 11 || rs.Frames != 3 || rs.Sessions != 1 || rs.SessionsEnded != 1 ||
		rs.Timeouts != 1 || rs.Heartbeats < 1 || rs.Bytes != ws.BytesWritten || rs.Failed != 0 || rs.StreamFailures != 0 {
		t.Errorf("receiver stats %+v", rs)
	}
}

// TestStatsCountFailures checks the failure counters: an undecodable
// frame, a truncated stream, a sender whose reader left.
func TestStatsCountFailures(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, String())
	w := openWriter(t, ctx, path, namedBytes{"string"}, FlushDelay(0))
	for _, p := range [][]byte{[]byte("ok"), {0xff}, []byte("ok")} {
		if err := w.Send(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		_, err := r.Receive(ctx)
		if (i == 1) != errors.Is(err, ErrDecode) {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	r.Close()
	for w.Err() == nil {
		if err := w.Send(ctx, make([]byte, 1000)); err != nil {
			break
		}
	}
	ws := w.Stats()
	if ws.SessionsTruncated != 1 || ws.SessionsEnded != 0 || ws.Pending != 0 {
		t.Errorf("sender stats after the reader left: %+v", ws)
	}
	rs := r.Stats()
	if rs.Messages != 2 || rs.Frames != 3 || rs.Failed != 1 || rs.Undecodable != 1 || rs.UnknownTypes != 0 {
		t.Errorf("receiver stats %+v", rs)
	}

	// A writer that stops without an end: a truncated stream.
	path = newFIFO(t)
	r2 := openReceiver(t, path, Bytes())
	f, err := OpenWriteEnd(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fw, _ := NewWriter(f, "bytes")
	fw.WriteFrame("", []byte("x"))
	fw.Flush()
	f.Close()
	if _, err := r2.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Receive(ctx); !errors.Is(err, ErrTruncatedStream) {
		t.Fatal(err)
	}
	if rs := r2.Stats(); rs.SessionsTruncated != 1 || rs.StreamFailures != 1 || rs.SessionsEnded != 0 {
		t.Errorf("receiver stats of a truncated stream %+v", rs)
	}
}

// namedBytes writes raw bytes under another codec's name.
type namedBytes struct{ name string }

func (c namedBytes) Name() string                              { return c.name }
func (namedBytes) Tag([]byte) string                           { return "" }
func (namedBytes) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (namedBytes) Decode(_ string, p []byte) ([]byte, error)   { return append([]byte(nil), p...), nil }
