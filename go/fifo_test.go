package fifochan

import (
	"context"
	"errors"
	"fmt"
	"io"
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
func testCtx(t testing.TB, d time.Duration) context.Context {
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

func openReceiver[T any](t testing.TB, path string, codec Codec[T], opts ...ReceiverOption) *Receiver[T] {
	t.Helper()
	r, err := OpenReceiver(context.Background(), path, codec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func openWriter[T any](t testing.TB, ctx context.Context, path string, codec Codec[T], opts ...SenderOption) *Sender[T] {
	t.Helper()
	w, err := OpenWriter(ctx, path, codec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Abort("test cleanup") })
	return w
}

// receiveAll receives until an error and returns the values and it.
func receiveAll[T any](ctx context.Context, r *Receiver[T]) ([]T, error) {
	var got []T
	for {
		v, err := r.Receive(ctx)
		if err != nil {
			return got, err
		}
		got = append(got, v)
	}
}

func TestMkfifoModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, c := range []struct {
		mode, want os.FileMode
	}{{0, 0o600}, {0o640, 0o640}, {0o666, 0o666}, {0o777, 0o777}} {
		for _, viaProc := range []bool{false, true} {
			forceProcChmod = viaProc
			p := filepath.Join(dir, fmt.Sprintf("f%o-%v", c.mode, viaProc))
			err := Mkfifo(p, c.mode)
			forceProcChmod = false
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode()&fs.ModeNamedPipe == 0 || fi.Mode().Perm() != c.want {
				t.Errorf("Mkfifo(%o), /proc: %v: mode %v, want FIFO %o", c.mode, viaProc, fi.Mode(), c.want)
			}
		}
	}
	if err := Mkfifo(filepath.Join(dir, "f0-false"), 0); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Mkfifo over an existing FIFO: %v", err)
	}
	if err := Mkfifo(filepath.Join(dir, "bad"), 0o4600); err == nil {
		t.Errorf("Mkfifo with a setuid bit accepted")
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

	type tc struct {
		path   string
		opts   []OpenOption
		want   error
		reason string
	}
	cases := []tc{
		{regular, nil, ErrNotFIFO, "regular file"},
		{dir, nil, ErrNotFIFO, "directory"},
		{link, nil, ErrUnsafePath, "symbolic link"},
		{filepath.Join(open, "f"), nil, ErrUnsafePath, "sticky"},
		{filepath.Join(sticky, "f"), nil, nil, ""},
		{filepath.Join(dir, "missing"), []OpenOption{CreateIfMissing(false)}, fs.ErrNotExist, ""},
		{filepath.Join(dir, "created"), nil, nil, ""},
		{filepath.Join(dir, "created640"), []OpenOption{Mode(0o640)}, nil, ""},
	}
	if os.Geteuid() == 0 {
		other := filepath.Join(dir, "other")
		Mkfifo(other, 0o666)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{other, nil, ErrUnsafePath, "owned by uid 65534"}, tc{other, []OpenOption{AllowOtherOwner()}, nil, ""})
	} else if os.Getenv("CI") == "true" {
		t.Fatal("CI runs as root; the other-owner case needs it")
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
	for name, want := range map[string]os.FileMode{"created": 0o600, "created640": 0o640} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 || fi.Mode().Perm() != want {
			t.Errorf("created %s: %v %v, want %o", name, fi.Mode(), err, want)
		}
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

// settle polls f until it returns want (resources released by goroutines
// that are ending) or 2 s pass; it returns the last value. It orders
// nothing: the goroutines give no signal when they are gone.
func settle(want int, f func() int) int {
	deadline := time.Now().Add(2 * time.Second)
	n := f()
	for n != want && time.Now().Before(deadline) {
		runtime.Gosched()
		<-time.After(time.Millisecond)
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
		ch, errf, err := ReadChan(ctx, path, Bytes())
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, ok := <-ch; ok {
			t.Fatal("message from nowhere")
		}
		if err := errf(); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled ReadChan: %v", err)
		}
		r, err := OpenReceiver(context.Background(), path, Bytes())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
		if _, err := r.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Receive with no writer: %v", err)
		}
		cancel()
		r.Close()
	}
	if n := settle(fds, func() int { return countFDs(t) }); n != fds {
		t.Errorf("descriptors: %d before, %d after", fds, n)
	}
	// More goroutines after is a leak; fewer only means one of an earlier
	// test (counted in the baseline) ended meanwhile (CI saw 3 before, 2 after).
	if n := settle(gs, runtime.NumGoroutine); n > gs {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", gs, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestTypedBothWays: a request/reply pair of FIFOs, protobuf one way and
// JSON back, through Sender and Receiver, headers included.
func TestTypedBothWays(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	reqPath, repPath := newFIFO(t), newFIFO(t)
	type reply struct {
		Seq  int64  `json:"seq"`
		Kind string `json:"kind"`
	}
	const n = 2000
	serverErr := make(chan error, 1)
	reqs := openReceiver(t, reqPath, ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{}))
	go func() {
		serverErr <- func() error {
			out, err := OpenWriter(ctx, repPath, JSON[reply](nil), WithChecksum())
			if err != nil {
				return err
			}
			for {
				e, err := reqs.ReceiveEnvelope(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				id, _ := e.Headers.Get("fc-id")
				var rep reply
				switch m := e.Value.(type) {
				case *interoppb.Ping:
					rep = reply{m.Seq, "ping:" + m.Text}
				case *interoppb.Pong:
					rep = reply{m.Seq, fmt.Sprintf("pong:%x", m.Payload)}
				}
				if err := out.SendHeaders(ctx, rep, Headers{{"fc-id", id}}); err != nil {
					return err
				}
			}
			return out.Close()
		}()
	}()
	reps := openReceiver(t, repPath, JSON[reply](nil))
	w := openWriter(t, ctx, reqPath, ProtoRegistry())
	go func() {
		for i := int64(0); i < n; i++ {
			var m proto.Message = &interoppb.Ping{Seq: i, Text: fmt.Sprint("t", i)}
			if i%2 == 1 {
				m = &interoppb.Pong{Seq: i, Payload: []byte{byte(i)}}
			}
			if err := w.SendHeaders(ctx, m, Headers{{"fc-id", []byte(fmt.Sprint(i))}}); err != nil {
				t.Error(err)
				return
			}
		}
		w.Close()
	}()
	var i int64
	for {
		e, err := reps.ReceiveEnvelope(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d replies: %v", i, err)
		}
		want := reply{i, fmt.Sprint("ping:t", i)}
		if i%2 == 1 {
			want.Kind = fmt.Sprintf("pong:%02x", byte(i))
		}
		if id, _ := e.Headers.Get("fc-id"); e.Value != want || string(id) != fmt.Sprint(i) {
			t.Fatalf("reply %d: %+v %s, want %+v", i, e.Value, id, want)
		}
		i++
	}
	if i != n {
		t.Fatalf("%d replies", i)
	}
	if err := <-serverErr; err != nil {
		t.Fatal(err)
	}
	<-w.Done()
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
	if s := w.Stats(); s.Accepted != n || s.Written != n {
		t.Fatalf("stats %+v", s)
	}
}

func TestIdleFlush(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, String(), Follow())
	for _, delay := range []time.Duration{0, 50 * time.Microsecond, 5 * time.Millisecond} {
		w := openWriter(t, ctx, path, String(), FlushDelay(delay))
		if err := w.Send(ctx, "hello"); err != nil {
			t.Fatal(err)
		}
		// No Flush: the flusher must write it.
		if v, err := r.Receive(ctx); err != nil || v != "hello" {
			t.Fatalf("delay %v: %q %v", delay, v, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashedWriter: every complete frame arrives, then ErrTruncatedStream.
func TestCrashedWriter(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, String())
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
	got, err := receiveAll(ctx, r)
	var se *StreamError
	if fmt.Sprint(got) != "[m0 m1 m2]" || !errors.Is(err, ErrTruncatedStream) || !errors.As(err, &se) || se.Offset != w.Offset() {
		t.Fatalf("got %v then %v, want 3 messages then truncated at %d", got, err, w.Offset())
	}
	if _, err2 := r.Receive(ctx); err2 != err {
		t.Fatalf("not sticky: %v", err2)
	}
}

func TestReaderGone(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	for _, delay := range []time.Duration{0, time.Hour} {
		path := newFIFO(t)
		r, err := OpenReceiver(ctx, path, Bytes())
		if err != nil {
			t.Fatal(err)
		}
		w := openWriter(t, ctx, path, Bytes(), FlushDelay(delay))
		r.Close()
		err = w.Send(ctx, []byte("x"))
		if delay > 0 {
			if err != nil {
				t.Fatalf("buffered Send: %v", err)
			}
			err = w.Flush(ctx)
		}
		var se *SendError
		if !errors.Is(err, ErrPeerClosed) || !errors.As(err, &se) || se.Written != 0 {
			t.Fatalf("delay %v: got %v, want ErrPeerClosed", delay, err)
		}
		if delay > 0 && se.Discarded != 1 {
			t.Fatalf("delay %v: %+v, want 1 discarded", delay, se)
		}
		if delay == 0 && se.Message != NotSent {
			t.Fatalf("delay 0: %+v, want the message not sent", se)
		}
		<-w.Done()
		if !errors.Is(w.Err(), ErrPeerClosed) || !errors.Is(w.Close(), ErrPeerClosed) {
			t.Fatalf("Err %v", w.Err())
		}
		if st, err := w.Offer([]byte("y")); st != SendNotConnected || !errors.Is(err, ErrPeerClosed) {
			t.Fatalf("Offer after the reader left: %v %v", st, err)
		}
	}
}

// sessionWriter writes one writer session on path: the messages from..to,
// then a clean end, a crash (half a frame) or an aborted end.
func sessionWriter(t *testing.T, ctx context.Context, path string, from, to int, end string) {
	t.Helper()
	f, err := OpenWriteEnd(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, _ := NewWriter(f, "string")
	for i := from; i < to; i++ {
		w.WriteFrame("", []byte(fmt.Sprint(i)))
	}
	switch end {
	case "clean":
		err = w.Close()
	case "abort":
		err = w.Abort("failed at " + fmt.Sprint(to))
	case "crash":
		if err = w.Flush(); err == nil {
			_, err = f.Write([]byte{0, 0}) // an incomplete frame header
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestFollowAcrossWriterSessions(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, String(), Follow())
	next := 0
	expect := func(n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			v, err := r.Receive(ctx)
			if err != nil || v != fmt.Sprint(next) {
				t.Fatalf("got %q %v, want %d", v, err, next)
			}
			next++
		}
	}
	expectErr := func(want error) {
		t.Helper()
		if _, err := r.Receive(ctx); !errors.Is(err, want) {
			t.Fatalf("got %v, want %v", err, want)
		}
	}
	sessionWriter(t, ctx, path, 0, 5, "clean")
	expect(5)
	sessionWriter(t, ctx, path, 5, 8, "crash")
	expect(3)
	expectErr(ErrTruncatedStream) // once; then the next session
	sessionWriter(t, ctx, path, 8, 10, "abort")
	expect(2)
	expectErr(ErrAborted)
	// Two writers back to back, without waiting: nothing may be lost.
	sessionWriter(t, ctx, path, 10, 12, "clean")
	sessionWriter(t, ctx, path, 12, 14, "clean")
	expect(4)
	if s := r.Stats(); s.Messages != 14 || s.Sessions != 5 {
		t.Fatalf("stats %+v", s)
	}
}

func TestFollowEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t, 10*time.Second))
	path := newFIFO(t)
	ch, errf, err := ReadChan(ctx, path, String(), Follow())
	if err != nil {
		t.Fatal(err)
	}
	sessionWriter(t, ctx, path, 0, 1, "clean")
	if v := <-ch; v != "0" {
		t.Fatalf("got %q", v)
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("message after cancel")
	}
	if err := errf(); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestFanInGoroutines(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, String())
	const writers, msgs = 4, 3000
	var wg sync.WaitGroup
	for g := 0; g < writers; g++ {
		w := openWriter(t, ctx, path, String(), FanIn(), WithChecksum())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < msgs; i++ {
				// Sizes up to ~1500 bytes so records straddle PipeBuf often.
				if err := w.Send(ctx, fmt.Sprintf("%d:%d:%s", g, i, strings.Repeat("x", i%1500))); err != nil {
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
	got, err := receiveAll(ctx, r)
	for _, v := range got {
		var g, i int
		fmt.Sscanf(v, "%d:%d:", &g, &i)
		if i != next[g] || len(v) != len(fmt.Sprintf("%d:%d:", g, i))+i%1500 {
			t.Fatalf("writer %d: message %d (%d bytes), want %d", g, i, len(v), next[g])
		}
		next[g]++
	}
	wg.Wait()
	if err != io.EOF {
		t.Fatal(err)
	}
	for g, n := range next {
		if n != msgs {
			t.Errorf("writer %d: %d messages", g, n)
		}
	}
}

// TestSenderConcurrentSends: one Sender shared by goroutines, with the
// flusher racing the sends and a small buffer forcing back-pressure;
// oversized messages are refused without harming the stream.
func TestSenderConcurrentSends(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, Bytes())
	w := openWriter(t, ctx, path, Bytes(), FlushDelay(50*time.Microsecond), MaxFrameLength(1000), BufferSize(MinBufferSize))
	const senders, msgs = 4, 20000
	var wg sync.WaitGroup
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < msgs; i++ {
				if err := w.Send(ctx, []byte{byte(g), byte(i), byte(i >> 8), byte(i >> 16)}); err != nil {
					t.Error(err)
					return
				}
				if i%5000 == 0 {
					if err := w.Send(ctx, make([]byte, 1001)); !errors.Is(err, ErrFrameTooLong) {
						t.Errorf("oversized: %v", err)
					}
				}
			}
		}()
	}
	go func() { wg.Wait(); w.Close() }()
	next := make([]int, senders)
	got, err := receiveAll(ctx, r)
	if err != io.EOF {
		t.Fatal(err)
	}
	for _, p := range got {
		g, i := int(p[0]), int(p[1])|int(p[2])<<8|int(p[3])<<16
		if len(p) != 4 || i != next[g] {
			t.Fatalf("sender %d: message %d, want %d", g, i, next[g])
		}
		next[g]++
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

func TestOfferStatuses(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	for _, delay := range []time.Duration{0, time.Hour} {
		path := newFIFO(t)
		r := openReceiver(t, path, Bytes())
		w := openWriter(t, ctx, path, Bytes(), FlushDelay(delay), BufferSize(MinBufferSize), PipeSize(0))
		// Nobody reads: offers fill the pipe and the buffer, then back-pressure.
		var accepted int
		for {
			st, err := w.Offer(make([]byte, 1000))
			if err != nil {
				t.Fatal(err)
			}
			if st == SendBackPressured {
				break
			}
			if st != SendAccepted {
				t.Fatalf("status %v", st)
			}
			accepted++
			if accepted > 10000 {
				t.Fatal("never back-pressured")
			}
		}
		if delay == 0 { // (with a delay, a full buffer answers before the message is encoded)
			if st, err := w.Offer(make([]byte, DefaultMaxFrameLength+1)); st != 0 || !errors.Is(err, ErrFrameTooLong) {
				t.Fatalf("too long: %v %v", st, err)
			}
		}
		// Drain in the background; Close writes everything.
		got := make(chan int, 1)
		go func() {
			vs, err := receiveAll(ctx, r)
			if err != io.EOF {
				t.Errorf("receiving: %v", err)
			}
			got <- len(vs)
		}()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if n := <-got; n != accepted {
			t.Fatalf("delay %v: received %d of %d accepted", delay, n, accepted)
		}
		if st, err := w.Offer(nil); st != SendClosed || err != nil {
			t.Fatalf("after Close: %v %v", st, err)
		}
	}
}

func TestHeartbeats(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	f, err := OpenReadEnd(ctxWithTimeout(ctx, time.Millisecond), path)
	if f != nil || err == nil {
		t.Fatal("no writer yet")
	}
	r, err := OpenReceiver(ctx, path, Bytes(), LivenessTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w := openWriter(t, ctx, path, Bytes(), Heartbeat(10*time.Millisecond))
	w.Send(ctx, []byte("a"))
	if v, err := r.Receive(ctx); err != nil || string(v) != "a" {
		t.Fatalf("%q %v", v, err)
	}
	// Silence with heartbeats: the liveness timeout does not fire.
	quiet, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	_, err = r.Receive(quiet)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with heartbeats: %v", err)
	}
	if r.Stats().Bytes <= 14 {
		t.Fatal("no heartbeats arrived")
	}
	w.Send(ctx, []byte("b"))
	if v, err := r.Receive(ctx); err != nil || string(v) != "b" {
		t.Fatalf("%q %v", v, err)
	}
	w.Close()
	if _, err := r.Receive(ctx); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if _, err := OpenWriter(ctx, path, Bytes(), Heartbeat(time.Second), WireVersion10()); err == nil {
		t.Fatal("heartbeats with wire format 1.0 accepted")
	}
}

// TestLivenessTimeout: a writer session open and silent (no heartbeats).
func TestLivenessTimeout(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, Bytes(), LivenessTimeout(50*time.Millisecond))
	w := openWriter(t, ctx, path, Bytes())
	w.Send(ctx, []byte("a"))
	if _, err := r.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := r.Receive(ctx)
	if !errors.Is(err, ErrLivenessTimeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	// Not sticky: the writer speaks again.
	w.Send(ctx, []byte("b"))
	if v, err := r.Receive(ctx); err != nil || string(v) != "b" {
		t.Fatalf("%q %v", v, err)
	}
}

// TestSendIsNotStarvedByOtherSenders: a Send that has to write a full
// buffer writes only until there is room for its message, so senders
// that keep the buffer busy cannot keep it writing on their behalf.
func TestSendIsNotStarvedByOtherSenders(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	path := newFIFO(t)
	r := openReceiver(t, path, Bytes())
	w := openWriter(t, ctx, path, Bytes(), BufferSize(MinBufferSize))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := w.Send(ctx, make([]byte, 500)); err != nil {
					return
				}
			}
		}()
	}
	go func() {
		for {
			if _, err := r.Receive(ctx); err != nil {
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := w.Send(sctx, []byte("mine"))
		cancel()
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
}
