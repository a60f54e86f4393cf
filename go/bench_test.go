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

func BenchmarkFIFOBytes100(b *testing.B) { benchTyped(b, Bytes(), make([]byte, 100), 100) }

// benchTypedFunc is benchTyped with the receiving end's ReceiveFunc (no
// copy, no allocation per message) instead of Receive.
func benchTypedFunc(b *testing.B, size int) {
	ctx := context.Background()
	path := newFIFO(b)
	r := openReceiver(b, path, Bytes())
	w := openWriter(b, ctx, path, Bytes())
	v := make([]byte, size)
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
	count := func(f Frame) error { n++; return nil }
	for {
		err := r.ReceiveFunc(ctx, count)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("%d of %d messages", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// BenchmarkFIFOBytes100Func and BenchmarkFIFOBytes64KFunc: the typed
// Sender to a Receiver's ReceiveFunc (the bytes path without a copy).
func BenchmarkFIFOBytes100Func(b *testing.B) { benchTypedFunc(b, 100) }
func BenchmarkFIFOBytes64KFunc(b *testing.B) { benchTypedFunc(b, 64<<10) }
func BenchmarkFIFOBytes64K(b *testing.B)     { benchTyped(b, Bytes(), make([]byte, 64<<10), 64<<10) }
func BenchmarkFIFOString100(b *testing.B)    { benchTyped(b, String(), string(make([]byte, 100)), 100) }

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
func BenchmarkFIFORoundTrip100(b *testing.B) { benchRoundTrip100(b, FlushDelay(0)) }

// benchRoundTrip100 times 100-byte request/echo round trips over two FIFOs,
// both writers opened with opts.
func benchRoundTrip100(b *testing.B, opts ...SenderOption) {
	ctx := context.Background()
	reqPath, repPath := newFIFO(b), newFIFO(b)
	reqR := openReceiver(b, reqPath, Bytes())
	repR := openReceiver(b, repPath, Bytes())
	reqW := openWriter(b, ctx, reqPath, Bytes(), opts...)
	repW := openWriter(b, ctx, repPath, Bytes(), opts...)
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

// BenchmarkFIFORoundTripDefault100 is a 100-byte request/echo round trip
// with default options on both writers (50 µs flush delay): what a Go
// responder built without tuning answers in (0.1's 1 ms delay gave ≥ 2 ms).
func BenchmarkFIFORoundTripDefault100(b *testing.B) { benchRoundTrip100(b) }

// BenchmarkFIFOOriginalIdea100 is "the original Go idea" of issue 14, the
// seed's byte-slice channel, written as a baseline exactly as described
// there: a writer goroutine ranges over a chan []byte and calls f.Write(b)
// once per slice on a FIFO opened O_WRONLY|O_APPEND; the reader loops
// f.Read into a fresh 1,024-byte slice and sends buf[:n] on a channel.
// Message boundaries are not kept, so the consumer counts bytes: b.N
// messages of 100 bytes are through when b.N*100 bytes have arrived.
func BenchmarkFIFOOriginalIdea100(b *testing.B) {
	const size = 100
	path := newFIFO(b)
	in := make(chan []byte)
	out := make(chan []byte)
	go func() { // the reader
		defer close(out)
		f, err := os.Open(path)
		if err != nil {
			b.Error(err)
			return
		}
		defer f.Close()
		for {
			buf := make([]byte, 1024)
			n, err := f.Read(buf)
			if n > 0 {
				out <- buf[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	writerDone := make(chan error, 1)
	go func() { // the writer
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			writerDone <- err
			for range in {
			}
			return
		}
		for p := range in {
			if _, err := f.Write(p); err != nil {
				writerDone <- err
				for range in {
				}
				f.Close()
				return
			}
		}
		writerDone <- f.Close()
	}()
	msg := make([]byte, size)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			in <- msg
		}
		close(in)
	}()
	total := 0
	for p := range out {
		total += len(p)
	}
	b.StopTimer()
	if err := <-writerDone; err != nil {
		b.Fatal(err)
	}
	if total != b.N*size {
		b.Fatalf("%d of %d bytes", total, b.N*size)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
