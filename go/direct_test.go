package fifochan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"
)

// TestLargePayloadsAreWrittenFromTheCallersSlice: a Bytes Sender writes
// payloads of half its buffer and more (here 32 KiB) straight from the
// caller's slice, so Send returns once the frame is in the pipe and the
// slice may be reused at once; small and large messages keep their order.
func TestLargePayloadsAreWrittenFromTheCallersSlice(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, Bytes())
	w := openWriter(t, ctx, path, Bytes(), WithChecksum(), BufferSize(MinBufferSize))
	big := make([]byte, 64<<10)
	const n = 200
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			var err error
			if i%3 == 0 {
				err = w.Send(ctx, binary.BigEndian.AppendUint64(nil, uint64(i)))
			} else {
				binary.BigEndian.PutUint64(big, uint64(i))
				err = w.Send(ctx, big)
				big[0] ^= 0xff // reused at once: the frame is already in the pipe
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- w.Close()
	}()
	for i := 0; i < n; i++ {
		v, err := r.Receive(ctx)
		if err != nil {
			t.Fatal(i, err)
		}
		if got := binary.BigEndian.Uint64(v); got != uint64(i) {
			t.Fatalf("message %d carries %d", i, got)
		}
		if i%3 != 0 && (len(v) != 64<<10 || !bytes.Equal(v[8:], make([]byte, len(v)-8))) {
			t.Fatalf("message %d: %d bytes, corrupt", i, len(v))
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := r.Receive(ctx); err != io.EOF {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Accepted != n || s.Written != n || s.PayloadBytesAccepted != n/3*8+8+(n-n/3-1)*(64<<10) {
		t.Errorf("%+v", s)
	}
}

// TestLargeSendInterruptedMidFrameIsFinishedLater: a large Send whose ctx
// ends while the pipe is full either sent nothing or leaves the rest of
// its frame to the next writer; the reader gets every accepted message
// whole.
func TestLargeSendInterruptedMidFrameIsFinishedLater(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, Bytes(), MaxFrameLength(1<<20))
	w := openWriter(t, ctx, path, Bytes(), PipeSize(64<<10), BufferSize(MinBufferSize))
	big := make([]byte, 100<<10)
	accepted := 0
	for i := 0; i < 20; i++ {
		sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		binary.BigEndian.PutUint64(big, uint64(i))
		err := w.Send(sctx, big)
		cancel()
		var se *SendError
		switch {
		case err == nil:
			accepted++
		case errors.As(err, &se) && se.Message == NotSent && errors.Is(err, context.DeadlineExceeded):
		default:
			t.Fatal(err)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- w.Close() }()
	got := 0
	for {
		v, err := r.Receive(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != 100<<10 {
			t.Fatalf("message of %d bytes", len(v))
		}
		got++
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got != accepted || w.Stats().Accepted != int64(accepted) || accepted == 0 {
		t.Errorf("received %d, accepted %d, stats %+v", got, accepted, w.Stats())
	}
}

// TestReceiveFuncHandsOverFramesWithoutCopying: ReceiveFunc delivers each
// message's bytes, tag and headers to the function, allocating nothing
// per message, and reports ends as ReceiveEnvelope does.
func TestReceiveFuncHandsOverFramesWithoutCopying(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, Bytes())
	w := openWriter(t, ctx, path, Bytes())
	for i := 0; i < 100; i++ {
		h := Headers{{Key: "seq", Value: []byte{byte(i)}}}
		if err := w.SendHeaders(ctx, []byte{byte(i), 1, 2}, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := 0
	check := func(f Frame) error {
		if v, _ := f.Headers.Get("seq"); len(f.Payload) != 3 || f.Payload[0] != byte(got) || v[0] != byte(got) {
			return errors.New("wrong frame")
		}
		got++
		return nil
	}
	if err := r.ReceiveFunc(ctx, check); err != nil { // the first waits for the writer
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if err := r.ReceiveFunc(ctx, check); err != nil {
			t.Fatal(err)
		}
	})
	for got < 100 {
		if err := r.ReceiveFunc(ctx, check); err != nil {
			t.Fatal(got, err)
		}
	}
	if err := r.ReceiveFunc(ctx, check); err != io.EOF {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Errorf("%v allocations per message", allocs)
	}
	stop := errors.New("stop")
	if err := r.ReceiveFunc(ctx, func(Frame) error { return stop }); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
	if s := r.Stats(); s.Messages != 100 || s.PayloadBytes != 300 {
		t.Errorf("%+v", s)
	}
}
