package fifochan

import (
	"context"
	"io"
	"testing"

	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan/internal/interoppb"
)

// benchTyped sends b.N copies of v from a Sender to Receive over a real
// FIFO (two goroutines, one process) and reports msg/s and MB/s of payload.
func benchTyped[T any](b *testing.B, codec Codec[T], v T, size int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := newFIFO(b)
	ch, errc, err := Receive(ctx, path, codec)
	if err != nil {
		b.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, codec)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			if err := w.Send(v); err != nil {
				b.Error(err)
				break
			}
		}
		w.Close()
	}()
	n := 0
	for range ch {
		n++
	}
	b.StopTimer()
	if err := <-errc; err != nil || n != b.N {
		b.Fatalf("%d of %d messages: %v", n, b.N, err)
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

// benchRaw measures the framing alone: Writer and Reader.Next over a real
// FIFO, no channel and no codec.
func benchRaw(b *testing.B, size int) {
	ctx := context.Background()
	path := newFIFO(b)
	cfg := newConfig(nil)
	rf, err := openRead(path, &cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer rf.Close()
	wf, err := OpenWriteEnd(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, size)
	b.SetBytes(int64(size))
	b.ResetTimer()
	go func() {
		w, _ := NewWriter(wf, "bytes")
		for i := 0; i < b.N; i++ {
			if err := w.WriteFrame("", payload); err != nil {
				b.Error(err)
				break
			}
		}
		w.Close()
		wf.Close()
	}()
	if err := waitReadable(ctx, rf); err != nil {
		b.Fatal(err)
	}
	r := NewReader(rf)
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
// over two FIFOs between two goroutines of one process (Writer flushed
// per message, Reader.Next), i.e. the latency of a synchronous exchange.
func BenchmarkFIFORoundTrip100(b *testing.B) {
	ctx := context.Background()
	reqPath, repPath := newFIFO(b), newFIFO(b)
	cfg := newConfig(nil)
	pair := func(path string) (*Reader, *Writer, func()) {
		rf, err := openRead(path, &cfg)
		if err != nil {
			b.Fatal(err)
		}
		wf, err := OpenWriteEnd(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		w, _ := NewWriter(wf, "bytes")
		w.Flush()
		if err := waitReadable(ctx, rf); err != nil {
			b.Fatal(err)
		}
		return NewReader(rf), w, func() { w.Close(); wf.Close(); rf.Close() }
	}
	reqR, reqW, closeReq := pair(reqPath)
	repR, repW, closeRep := pair(repPath)
	defer closeRep()
	done := make(chan struct{})
	go func() { // echo
		defer close(done)
		for {
			_, p, err := reqR.Next()
			if err != nil {
				return
			}
			repW.WriteFrame("", p)
			if repW.Flush() != nil {
				return
			}
		}
	}()
	msg := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reqW.WriteFrame("", msg)
		if err := reqW.Flush(); err != nil {
			b.Fatal(err)
		}
		if _, _, err := repR.Next(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	closeReq()
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}
