//go:build findings01

// The findings of issue 10 (part 2), written against the 0.1 API. run.sh
// copies this file into a throwaway copy of `git archive v0.1.0 go` and runs
// it there; go/FINDINGS-0.1.md records the result. The 1.0 tests that check
// the same behaviour are named in each comment (findings_test.go).
package fifochan

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// within runs f and fails the test if it has not returned after d.
func within(t *testing.T, d time.Duration, what string, f func()) bool {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		t.Errorf("%s: still blocked after %v", what, d)
		return false
	}
}

// fillPipe opens a reader that never reads and a Sender, and sends until a
// Send blocks (the pipe and the buffer are full). It returns the Sender and
// a channel that receives the blocked Send's result.
func fillPipe(t *testing.T) (*Sender[[]byte], <-chan error) {
	t.Helper()
	path := newFIFO(t)
	cfg := newConfig(nil)
	r, err := openRead(path, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	w, err := OpenWriter(context.Background(), path, Bytes(), FlushDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 60<<10)
	blocked := make(chan error, 1)
	sent := make(chan struct{}, 1)
	go func() {
		for {
			err := w.Send(msg)
			if err != nil {
				blocked <- err
				return
			}
			select {
			case sent <- struct{}{}:
			default:
			}
		}
	}()
	// The pipe holds at most 1 MiB: after that a Send blocks.
	for {
		select {
		case <-sent:
			continue
		case <-time.After(300 * time.Millisecond):
		}
		break
	}
	return w, blocked
}

// F1 (1.0: TestCloseWakesPendingSend): Close from another goroutine must
// return promptly and fail the pending Send as not sent.
func TestFinding1CloseWakesPendingSend(t *testing.T) {
	w, blocked := fillPipe(t)
	var cerr error
	if within(t, 5*time.Second, "Close while a Send waits for a reader that does not read", func() { cerr = w.Close() }) {
		t.Logf("Close returned %v", cerr)
	}
	select {
	case err := <-blocked:
		t.Logf("the pending Send returned %v", err)
	case <-time.After(time.Second):
		t.Errorf("the pending Send is still blocked")
	}
}

// F1b (1.0: TestCloseIsBounded): a graceful close is bounded. 0.1 has no
// CloseTimeout; its Close is the only close.
func TestFinding1bCloseIsBounded(t *testing.T) {
	w, _ := fillPipe(t)
	within(t, 5*time.Second, "Close with a reader that never reads", func() { w.Close() })
}

// F1c (1.0: TestAbortReachesReader): a writer that failed must not look
// finished. 0.1 has no Abort; a writer that gives up can only Close.
func TestFinding1cFailedWriterLooksFinished(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	ch, errc, err := Receive(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	w.Send("a")
	w.Send("b")
	// The application fails here ("cannot encode"): all it can do is Close.
	w.Close()
	var got []string
	for v := range ch {
		got = append(got, v)
	}
	err = <-errc
	if err == nil {
		t.Errorf("got %v and a clean end: the reader cannot tell the failed writer from a finished one", got)
	}
}

// F1d (1.0: TestErrorsSayWhatHappened): when the reader leaves while a
// frame is half written, the error says how many messages were written,
// how many discarded, and that a frame was torn.
func TestFinding1dErrorsSayWhatHappened(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	cfg := newConfig(nil)
	r, err := openRead(path, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, Bytes(), FlushDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	w.Send([]byte("first"))
	go func() {
		// Let the pipe take part of a 4 MiB frame, then leave.
		buf := make([]byte, 1<<16)
		r.Read(buf)
		r.Close()
	}()
	err = w.Send(make([]byte, 4<<20))
	t.Logf("0.1 error: %v (%T)", err, err)
	v := reflect.Indirect(reflect.ValueOf(err))
	for _, field := range []string{"Written", "Discarded", "Torn"} {
		if v.Kind() != reflect.Struct || !v.FieldByName(field).IsValid() {
			t.Errorf("the error has no %s field", field)
		}
	}
}

// F8 (1.0: TestWriteChanFailedWriterNeverLooksFinished, ExampleWriteChan):
// the seed's channel shape, WriteChan and ReadChan.
func TestFinding8ChannelShape(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
					found[fn.Name.Name] = true
				}
			}
		}
	}
	for _, name := range []string{"WriteChan", "ReadChan"} {
		if !found[name] {
			t.Errorf("no %s: the seed's channel shape is not offered", name)
		}
	}
}

// F2 (1.0: TestDefaultsEqualJava, TestDefaultRoundTripLatency): defaults
// equal Java's (flush delay 50 µs, buffer 256 KiB, create if missing).
func TestFinding2Defaults(t *testing.T) {
	cfg := newConfig(nil)
	if cfg.flushDelay != 50*time.Microsecond {
		t.Errorf("flush delay %v, Java 50µs", cfg.flushDelay)
	}
	if cfg.bufSize != 256<<10 {
		t.Errorf("buffer %d, Java %d", cfg.bufSize, 256<<10)
	}
	if !cfg.create {
		t.Errorf("create-if-missing off, Java on")
	}
	ctx := testCtx(t, 200*time.Millisecond)
	missing := filepath.Join(t.TempDir(), "missing.fifo")
	_, err := OpenWriter(ctx, missing, Bytes())
	if _, serr := os.Lstat(missing); serr != nil {
		t.Errorf("OpenWriter on a missing path: %v; the FIFO was not created (%v)", err, serr)
	}
}

// F2b: the round trip of a Go responder with default options.
func TestFinding2bDefaultRoundTripLatency(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	reqPath, repPath := newFIFO(t), newFIFO(t)
	reqs, _, err := Receive(ctx, reqPath, Bytes())
	if err != nil {
		t.Fatal(err)
	}
	reps, _, err := Receive(ctx, repPath, Bytes())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		out, err := OpenWriter(ctx, repPath, Bytes())
		if err != nil {
			t.Error(err)
			return
		}
		defer out.Close()
		for m := range reqs {
			out.Send(m)
		}
	}()
	in, err := OpenWriter(ctx, reqPath, Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var rtts []time.Duration
	for i := 0; i < 21; i++ {
		start := time.Now()
		in.Send([]byte("ping"))
		<-reps
		rtts = append(rtts, time.Since(start))
	}
	sort.Slice(rtts, func(i, j int) bool { return rtts[i] < rtts[j] })
	t.Logf("round trip with default options: median %v", rtts[10])
	if rtts[10] > time.Millisecond {
		t.Errorf("median round trip %v > 1 ms", rtts[10])
	}
}

// F3 (1.0: TestDecodeFailureIsReportedAndStreamGoesOn): a decode failure is
// reported and the stream goes on, without OnError.
func TestFinding3DecodeFailureEndsReceive(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	ch, errc, err := Receive(ctx, path, lenient{String()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, Bytes())
	if err != nil {
		t.Fatal(err)
	}
	w.Send([]byte("ok1"))
	w.Send([]byte{0xff})
	w.Send([]byte("ok2"))
	w.Close()
	var got []string
	for v := range ch {
		got = append(got, v)
	}
	err = <-errc
	if fmt.Sprint(got) != "[ok1 ok2]" {
		t.Errorf("got %v then %v; want ok1, a reported failure, ok2", got, err)
	}
}

// F4a (1.0: TestReceiveReportsRemovedFIFO): a removed FIFO is reported.
func TestFinding4aRemovedFIFO(t *testing.T) {
	ctx := testCtx(t, 3*time.Second)
	path := newFIFO(t)
	_, errc, err := Receive(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	start := time.Now()
	err = <-errc
	t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the removed FIFO was not noticed: Receive waited out its context")
	}
}

// F4b (1.0: TestFollowReopensRecreatedFIFO): a follower goes on with a
// re-created FIFO.
func TestFinding4bFollowRecreatedFIFO(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	ch, _, err := Receive(ctx, path, String(), Follow())
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(ctx, path, String())
	if err != nil {
		t.Fatal(err)
	}
	w.Send("before")
	w.Close()
	if v := <-ch; v != "before" {
		t.Fatalf("got %q", v)
	}
	os.Remove(path)
	if err := Mkfifo(path, 0); err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	w, err = OpenWriter(octx, path, String())
	if err != nil {
		t.Fatalf("a writer of the re-created FIFO: %v", err)
	}
	w.Send("after")
	w.Close()
	select {
	case v := <-ch:
		if v != "after" {
			t.Errorf("got %q", v)
		}
	case <-time.After(3 * time.Second):
		t.Errorf("nothing from the re-created FIFO")
	}
}

// F5 (1.0: TestInvalidOptionsAreRejected): invalid option values are
// rejected with an error.
func TestFinding5InvalidOptionsRejected(t *testing.T) {
	path := newFIFO(t)
	cfg := newConfig(nil)
	r, err := openRead(path, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := testCtx(t, 5*time.Second)
	for name, opt := range map[string]Option{
		"BufferSize(32<<10)": BufferSize(32 << 10),
		"MaxFrameLength(-1)": MaxFrameLength(-1),
		"FlushDelay(-1)":     FlushDelay(-1),
	} {
		w, err := OpenWriter(ctx, path, Bytes(), opt)
		if err == nil {
			t.Errorf("%s: accepted (ignored)", name)
			w.Close()
		}
	}
	if _, err := NewWriter(&recorder{}, "bytes", Follow()); err == nil {
		t.Errorf("Follow() given to a writer: accepted (ignored)")
	}
}

// F6 (1.0: TestMkfifoModeThroughDescriptor): Mkfifo must never change the
// mode of whatever the path names after mkfifo(2). A goroutine keeps
// swapping the path for a symbolic link to a file of mode 0600.
func TestFinding6MkfifoChmodsThroughPath(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(target, 0o600)
	path := filepath.Join(dir, "f")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			os.Remove(path)
			os.Symlink(target, path)
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		os.Remove(path)
		Mkfifo(path, 0o644)
		n++
		if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
			close(stop)
			<-done
			t.Fatalf("after %d Mkfifo calls: the symlink's target got mode %v", n, fi.Mode().Perm())
		}
	}
	close(stop)
	<-done
	t.Logf("%d Mkfifo calls, the target kept its mode", n)
}

// F7 (1.0: TestSecondReaderIsRefused): a second reader fails at once.
func TestFinding7SecondReaderRefused(t *testing.T) {
	ctx := testCtx(t, 5*time.Second)
	path := newFIFO(t)
	if _, _, err := Receive(ctx, path, String()); err != nil {
		t.Fatal(err)
	}
	_, _, err := Receive(ctx, path, String())
	if err == nil {
		t.Errorf("a second reader of the same FIFO was accepted")
	}
}

// F9 (1.0: TestExamplesHaveOutput): every example is run by go test.
func TestFinding9ExamplesHaveOutput(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_test.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fn.Name.Name, "Example") {
			continue
		}
		has := false
		for _, cg := range f.Comments {
			if cg.Pos() > fn.Pos() && cg.End() <= fn.End() && strings.HasPrefix(strings.TrimSpace(cg.Text()), "Output:") {
				has = true
			}
		}
		if !has {
			t.Errorf("%s has no // Output: comment: go test compiles it but never runs it", fn.Name.Name)
		}
	}
}

// F9b (1.0: TestNoSleepsOrderEvents): tests order events with readiness
// signals, not sleeps.
func TestFinding9bNoOrderingSleeps(t *testing.T) {
	for _, name := range []string{"fifo_test.go", "cmd/fifochan-peer/main_test.go"} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sleep" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" {
					t.Errorf("%s: time.Sleep", fset.Position(call.Pos()))
				}
			}
			return true
		})
	}
}
