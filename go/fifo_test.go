package fifochan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan/internal/interoppb"
)

// testCtx returns a context that ends well before the test's deadline.
func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newFIFO(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "test.fifo")
	if err := Mkfifo(p, 0); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMkfifoModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, c := range []struct {
		mode, want os.FileMode
	}{{0, 0o600}, {0o640, 0o640}, {0o666, 0o666}} {
		p := filepath.Join(dir, fmt.Sprintf("f%o", c.mode))
		if err := Mkfifo(p, c.mode); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&fs.ModeNamedPipe == 0 || fi.Mode().Perm() != c.want {
			t.Errorf("Mkfifo(%o): mode %v, want FIFO %o", c.mode, fi.Mode(), c.want)
		}
	}
	if err := Mkfifo(filepath.Join(dir, "f0"), 0); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Mkfifo over an existing FIFO: %v", err)
	}
}

func TestPathRefusals(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ok.fifo")
	if err := Mkfifo(fifo, 0); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "regular")
	os.WriteFile(regular, nil, 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink(fifo, link)
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o755)
	os.Chmod(open, 0o777)
	Mkfifo(filepath.Join(open, "f"), 0)
	sticky := filepath.Join(t.TempDir(), "sticky")
	os.Mkdir(sticky, 0o755)
	os.Chmod(sticky, 0o777|os.ModeSticky)
	Mkfifo(filepath.Join(sticky, "f"), 0)

	cases := []struct {
		path   string
		opts   []Option
		want   error
		reason string
	}{
		{regular, nil, ErrNotFIFO, "regular file"},
		{dir, nil, ErrNotFIFO, "directory"},
		{link, nil, ErrUnsafePath, "symbolic link"},
		{filepath.Join(open, "f"), nil, ErrUnsafePath, "sticky"},
		{filepath.Join(sticky, "f"), nil, nil, ""},
		{filepath.Join(dir, "missing"), nil, fs.ErrNotExist, ""},
		{filepath.Join(dir, "created"), []Option{Create(0)}, nil, ""},
	}
	if os.Geteuid() == 0 {
		other := filepath.Join(dir, "other")
		Mkfifo(other, 0o666)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			struct {
				path   string
				opts   []Option
				want   error
				reason string
			}{other, nil, ErrUnsafePath, "owned by uid 65534"},
			struct {
				path   string
				opts   []Option
				want   error
				reason string
			}{other, []Option{AllowOtherOwner()}, nil, ""})
	} else {
		t.Log("not root: the other-owner case is skipped")
	}
	for _, c := range cases {
		f, err := OpenReadEnd(ctxWithTimeout(ctx, 20*time.Millisecond), c.path, c.opts...)
		if f != nil {
			f.Close()
		}
		if c.want == nil {
			// A usable FIFO: the open itself works and only the wait times out.
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: got %v, want a wait timeout", c.path, err)
			}
			continue
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: got %v, want %v naming the path and %q", c.path, err, c.want, c.reason)
		}
		if _, err := OpenWriteEnd(ctx, c.path, c.opts...); !errors.Is(err, c.want) {
			t.Errorf("%s: write end: got %v, want %v", c.path, err, c.want)
		}
	}
	if fi, err := os.Lstat(filepath.Join(dir, "created")); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("Create: %v %v", fi.Mode(), err)
	}
}

func ctxWithTimeout(parent context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(parent, d)
	_ = cancel // released by its timer
	return ctx
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// settle waits until f() == want or gives up; it returns the last value.
func settle(want int, f func() int) int {
	n := f()
	for i := 0; i < 200 && n != want; i++ {
		time.Sleep(5 * time.Millisecond)
		n = f()
	}
	return n
}

func TestCancelledOpensLeakNothing(t *testing.T) {
	path := newFIFO(t)
	// Warm up lazily created runtime state (poller, timers).
	OpenWriteEnd(ctxWithTimeout(context.Background(), time.Millisecond), path)
	fds, gs := countFDs(t), runtime.NumGoroutine()
	for i := 0; i < 40; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
		if _, err := OpenWriteEnd(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("write end with no reader: %v", err)
		}
		if _, err := OpenReadEnd(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("read end with no writer: %v", err)
		}
		cancel()
		// Cancelled (not timed out) while waiting.
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(time.Millisecond, cancel)
		if _, err := OpenReadEnd(ctx, path); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled read end: %v", err)
		}
		ctx, cancel = context.WithCancel(context.Background())
		ch, errc, err := Receive(ctx, path, Bytes())
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, ok := <-ch; ok {
			t.Fatal("message from nowhere")
		}
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Receive: %v", err)
		}
	}
	if n := settle(fds, func() int { return countFDs(t) }); n != fds {
		t.Errorf("descriptors: %d before, %d after", fds, n)
	}
	if n := settle(gs, runtime.NumGoroutine); n != gs {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", gs, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestTypedBothWays: a request/reply pair of FIFOs, protobuf one way
// and JSON back, through Sender and Receive.
func TestTypedBothWays(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	reqPath, repPath := newFIFO(t), newFIFO(t)
	type reply struct {
		Seq  int64  `json:"seq"`
		Kind string `json:"kind"`
	}
	const n = 2000
	serverErr := make(chan error, 1)
	go func() {
		serverErr <- func() error {
			reqs, errc, err := Receive(ctx, reqPath, ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{}))
			if err != nil {
				return err
			}
			out, err := OpenWriter(ctx, repPath, JSON[reply](nil), WithChecksum())
			if err != nil {
				return err
			}
			for m := range reqs {
				switch m := m.(type) {
				case *interoppb.Ping:
					err = out.Send(reply{m.Seq, "ping:" + m.Text})
				case *interoppb.Pong:
					err = out.Send(reply{m.Seq, fmt.Sprintf("pong:%x", m.Payload)})
				}
				if err != nil {
					return err
				}
			}
			if err := <-errc; err != nil {
				return err
			}
			return out.Close()
		}()
	}()
	reps, errc, err := Receive(ctx, repPath, JSON[reply](nil))
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, reqPath, ProtoRegistry())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := int64(0); i < n; i++ {
			var m proto.Message = &interoppb.Ping{Seq: i, Text: fmt.Sprint("t", i)}
			if i%2 == 1 {
				m = &interoppb.Pong{Seq: i, Payload: []byte{byte(i)}}
			}
			if err := w.Send(m); err != nil {
				t.Error(err)
				return
			}
		}
		w.Close()
	}()
	var i int64
	for r := range reps {
		want := reply{i, fmt.Sprint("ping:t", i)}
		if i%2 == 1 {
			want.Kind = fmt.Sprintf("pong:%02x", byte(i))
		}
		if r != want {
			t.Fatalf("reply %d: %+v, want %+v", i, r, want)
		}
		i++
	}
	if err := <-errc; err != nil || i != n {
		t.Fatalf("%d replies, %v", i, err)
	}
	if err := <-serverErr; err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
}

func TestIdleFlush(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	ch, _, err := Receive(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	for _, delay := range []time.Duration{0, 5 * time.Millisecond} {
		w, err := OpenWriter(ctx, path, String(), FlushDelay(delay))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Send("hello"); err != nil {
			t.Fatal(err)
		}
		select {
		case v := <-ch:
			if v != "hello" {
				t.Fatalf("got %q", v)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("delay %v: a sent message was not flushed when idle", delay)
		}
		defer w.Close()
	}
}

// TestCrashedWriter: every complete frame arrives, then ErrTruncatedStream.
func TestCrashedWriter(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	ch, errc, err := Receive(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	f, err := OpenWriteEnd(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := NewWriter(f, "string", WithChecksum())
	for i := 0; i < 3; i++ {
		w.WriteFrame("", []byte(fmt.Sprint("m", i)))
	}
	w.Flush()
	f.Write([]byte{0, 0, 0, 9, 2, 0, 'h', 'a'}) // half a frame
	f.Close()
	var got []string
	for v := range ch {
		got = append(got, v)
	}
	err = <-errc
	var se *StreamError
	if fmt.Sprint(got) != "[m0 m1 m2]" || !errors.Is(err, ErrTruncatedStream) || !errors.As(err, &se) || se.Offset != w.Offset() {
		t.Fatalf("got %v then %v, want 3 messages then truncated at %d", got, err, w.Offset())
	}
}

func TestReaderGone(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	for _, delay := range []time.Duration{0, time.Hour} {
		cfg := newConfig(nil)
		r, err := openRead(path, &cfg)
		if err != nil {
			t.Fatal(err)
		}
		w, err := OpenWriter(ctx, path, Bytes(), FlushDelay(delay))
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		err = w.Send([]byte("x"))
		if delay > 0 {
			if err != nil {
				t.Fatalf("buffered Send: %v", err)
			}
			err = w.Flush()
		}
		if !errors.Is(err, ErrPeerClosed) {
			t.Fatalf("delay %v: got %v, want ErrPeerClosed", delay, err)
		}
		select {
		case <-w.Done():
		case <-time.After(time.Second):
			t.Fatal("Done not closed on failure")
		}
		if !errors.Is(w.Err(), ErrPeerClosed) || !errors.Is(w.Close(), ErrPeerClosed) {
			t.Fatalf("Err %v", w.Err())
		}
	}
}

func TestFollowAcrossWriterRestarts(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	var mu sync.Mutex
	var reported []error
	ch, errc, err := Receive(ctx, path, String(), Follow(), OnError(func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	expect := func(n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			select {
			case v, ok := <-ch:
				if !ok {
					t.Fatalf("channel closed: %v", <-errc)
				}
				if v != fmt.Sprint(next) {
					t.Fatalf("got %q, want %d", v, next)
				}
				next++
			case <-time.After(5 * time.Second):
				t.Fatalf("timed out waiting for %d", next)
			}
		}
	}
	send := func(from, to int, crash bool) {
		t.Helper()
		w, err := OpenWriter(ctx, path, String())
		if err != nil {
			t.Fatal(err)
		}
		for i := from; i < to; i++ {
			w.Send(fmt.Sprint(i))
		}
		if crash {
			w.Flush()
			w.f.Write([]byte{0, 0}) // an incomplete frame header
			w.f.Close()
			return
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	send(0, 5, false)
	expect(5)
	send(5, 8, true)
	expect(3)
	// A writer that connects before the reader has seen the crashed
	// writer's end of file continues the broken stream and is lost with
	// it (wire format §5); wait until the reader has moved on.
	for i := 0; ; i++ {
		mu.Lock()
		n := len(reported)
		mu.Unlock()
		if n > 0 {
			break
		}
		if i == 500 {
			t.Fatal("the crash was not reported")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Two writers back to back, without waiting: nothing may be lost.
	send(8, 10, false)
	send(10, 12, false)
	expect(4)
	mu.Lock()
	if len(reported) != 1 || !errors.Is(reported[0], ErrTruncatedStream) {
		t.Errorf("reported %v, want one truncated stream", reported)
	}
	mu.Unlock()
}

func TestFollowEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t, 10*time.Second))
	path := newFIFO(t)
	ch, errc, err := Receive(ctx, path, String(), Follow())
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	w.Send("a")
	w.Close()
	if v := <-ch; v != "a" {
		t.Fatalf("got %q", v)
	}
	time.Sleep(20 * time.Millisecond) // let it reopen and wait
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("message after cancel")
	}
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestFanInGoroutines(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	path := newFIFO(t)
	ch, errc, err := Receive(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	const writers, msgs = 4, 3000
	var wg sync.WaitGroup
	for g := 0; g < writers; g++ {
		w, err := OpenWriter(ctx, path, String(), FanIn(), WithChecksum())
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < msgs; i++ {
				// Sizes up to ~1500 bytes so records straddle PipeBuf often.
				if err := w.Send(fmt.Sprintf("%d:%d:%s", g, i, strings.Repeat("x", i%1500))); err != nil {
					t.Error(err)
					return
				}
			}
			if err := w.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	next := make([]int, writers)
	for v := range ch {
		var g, i int
		fmt.Sscanf(v, "%d:%d:", &g, &i)
		if i != next[g] || len(v) != len(fmt.Sprintf("%d:%d:", g, i))+i%1500 {
			t.Fatalf("writer %d: message %d (%d bytes), want %d", g, i, len(v), next[g])
		}
		next[g]++
	}
	wg.Wait()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	for g, n := range next {
		if n != msgs {
			t.Errorf("writer %d: %d messages", g, n)
		}
	}
}

func TestReceiveDecodeErrors(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	write := func(done chan<- struct{}) {
		defer close(done)
		w, err := OpenWriter(ctx, path, Bytes())
		if err != nil {
			t.Error(err)
			return
		}
		w.Send([]byte("ok1"))
		w.Send([]byte{0xff}) // not UTF-8
		w.Send([]byte("ok2"))
		w.Close()
	}
	// Without OnError the first decode failure ends Receive.
	ch, errc, err := Receive(ctx, path, String(), ExpectCodec("bytes"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go write(done)
	var got []string
	for v := range ch {
		got = append(got, v)
	}
	// The string codec does not accept a "bytes" stream.
	if err := <-errc; !errors.Is(err, ErrIncompatibleStream) || len(got) != 0 {
		t.Fatalf("got %v, %v; want incompatible", got, err)
	}
	<-done // the first writer must be gone before the next reader opens the FIFO
	// With a bytes-named wire codec accepted, decode failures are skipped.
	var skipped []error
	ch, errc, err = Receive(ctx, path, lenient{String()}, OnError(func(err error) { skipped = append(skipped, err) }))
	if err != nil {
		t.Fatal(err)
	}
	done = make(chan struct{})
	go write(done)
	defer func() { <-done }()
	got = nil
	for v := range ch {
		got = append(got, v)
	}
	var se *StreamError
	if err := <-errc; err != nil || fmt.Sprint(got) != "[ok1 ok2]" || len(skipped) != 1 || !errors.Is(skipped[0], ErrDecode) || !errors.As(skipped[0], &se) || se.Offset != 20 {
		t.Fatalf("got %v, %v, skipped %v", got, err, skipped)
	}
}

// lenient is a string codec that calls itself "bytes" so it can read a
// bytes stream.
type lenient struct{ Codec[string] }

func (lenient) Name() string { return "bytes" }

// TestSenderConcurrentSends: one Sender shared by goroutines, with the
// idle-flush timer racing the sends; oversized messages are refused
// without harming the stream.
func TestSenderConcurrentSends(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	ch, errc, err := Receive(ctx, path, Bytes())
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, Bytes(), FlushDelay(50*time.Microsecond), MaxFrameLength(1000))
	if err != nil {
		t.Fatal(err)
	}
	const senders, msgs = 4, 2000
	var wg sync.WaitGroup
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < msgs; i++ {
				if err := w.Send([]byte{byte(g), byte(i), byte(i >> 8)}); err != nil {
					t.Error(err)
					return
				}
				if i%500 == 0 {
					if err := w.Send(make([]byte, 1001)); !errors.Is(err, ErrFrameTooLong) {
						t.Errorf("oversized: %v", err)
					}
				}
			}
		}()
	}
	go func() { wg.Wait(); w.Close() }()
	next := make([]int, senders)
	for p := range ch {
		g, i := int(p[0]), int(p[1])|int(p[2])<<8
		if len(p) != 3 || i != next[g] {
			t.Fatalf("sender %d: message %d, want %d", g, i, next[g])
		}
		next[g]++
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	for g, n := range next {
		if n != msgs {
			t.Errorf("sender %d: %d messages", g, n)
		}
	}
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
}
