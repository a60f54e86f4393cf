package fifochan

import (
	"context"
	"io"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan/internal/interoppb"
)

// benchTyped sends b.N copies of v from a Sender to a Receiver over a
// real FIFO (two goroutines, one process) and reports msg/s and MB/s of
// payload.
func benchTyped[T any](b *testing.B, codec Codec[T], v T, size int) {
	ctx := context.Background()
	path := newFIFO(b)
	r := openReceiver(b, path, codec)
	w := openWriter(b, ctx, path, codec)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			if err := w.Send(ctx, v); err != nil {
				b.Error(err)
				break
			}
		}
		w.Close()
	}()
	n := 0
	for {
		_, err := r.Receive(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("%d of %d messages", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

func BenchmarkFIFOBytes100(b *testing.B)  { benchTyped(b, Bytes(), make([]byte, 100), 100) }
func BenchmarkFIFOBytes64K(b *testing.B)  { benchTyped(b, Bytes(), make([]byte, 64<<10), 64<<10) }
func BenchmarkFIFOString100(b *testing.B) { benchTyped(b, String(), string(make([]byte, 100)), 100) }

func BenchmarkFIFOProtoPing(b *testing.B) {
	m := &interoppb.Ping{Seq: 1234567, Text: "ping-1234567"}
	benchTyped[*interoppb.Ping](b, Proto[*interoppb.Ping](), m, proto.Size(m))
}

// rawPair opens a FIFO's read end (locked) and write end directly.
func rawPair(b *testing.B, path string) (*Reader, *os.File, func() (*Writer, func())) {
	ctx := context.Background()
	cfg := defaultOpen()
	rf, _, err := openRead(path, &cfg, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rf.Close() })
	wf, err := OpenWriteEnd(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	open := func() (*Writer, func()) {
		w, _ := NewWriter(wf, "bytes")
		return w, func() { w.Close(); wf.Close() }
	}
	r, _ := NewReader(rf)
	return r, rf, open
}

// benchRaw measures the framing alone: Writer and Reader.Next over a real
// FIFO, no goroutine hand-off and no codec.
func benchRaw(b *testing.B, size int) {
	path := newFIFO(b)
	payload := make([]byte, size)
	r, rf, open := rawPair(b, path)
	b.SetBytes(int64(size))
	b.ResetTimer()
	go func() {
		w, done := open()
		defer done()
		for i := 0; i < b.N; i++ {
			if err := w.WriteFrame("", payload); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	if err := waitReadable(context.Background(), rf); err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		_, _, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("%d of %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

func BenchmarkFIFORawFrames100(b *testing.B) { benchRaw(b, 100) }
func BenchmarkFIFORawFrames64K(b *testing.B) { benchRaw(b, 64<<10) }

// BenchmarkFIFORoundTrip100 measures one 100-byte request and its reply
// over two FIFOs between two goroutines of one process (Senders with
// FlushDelay(0), Receivers), i.e. the latency of a synchronous exchange.
func BenchmarkFIFORoundTrip100(b *testing.B) {
	ctx := context.Background()
	reqPath, repPath := newFIFO(b), newFIFO(b)
	reqR := openReceiver(b, reqPath, Bytes())
	repR := openReceiver(b, repPath, Bytes())
	reqW := openWriter(b, ctx, reqPath, Bytes(), FlushDelay(0))
	repW := openWriter(b, ctx, repPath, Bytes(), FlushDelay(0))
	done := make(chan struct{})
	go func() { // echo
		defer close(done)
		for {
			p, err := reqR.Receive(ctx)
			if err != nil {
				return
			}
			if repW.Send(ctx, p) != nil {
				return
			}
		}
	}()
	msg := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := reqW.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := repR.Receive(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reqW.Close()
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}
