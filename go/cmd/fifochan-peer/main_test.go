package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fifochan.dev/fifochan"
)

var peerBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fifochan-peer")
	if err != nil {
		panic(err)
	}
	peerBin = filepath.Join(dir, "fifochan-peer")
	if out, err := exec.Command("go", "build", "-o", peerBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the peer: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code   int
	stdout string
	stderr string
}

// proc is a running peer. Its output lines are kept and can be waited for.
type proc struct {
	cmd  *exec.Cmd
	done chan result

	mu     sync.Mutex
	lines  []string // "out: ..." and "err: ..." in order of arrival
	change chan struct{}
}

// start runs the peer with a 60 s safety timeout.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, peerBin, args...)
	p := &proc{cmd: cmd, done: make(chan result, 1), change: make(chan struct{})}
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var out, errb strings.Builder
	collect := func(r io.Reader, prefix string, b *strings.Builder) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			p.mu.Lock()
			p.lines = append(p.lines, prefix+sc.Text())
			close(p.change)
			p.change = make(chan struct{})
			p.mu.Unlock()
		}
	}
	wg.Add(2)
	go collect(stdout, "out: ", &out)
	go collect(stderr, "err: ", &errb)
	go func() {
		defer cancel()
		wg.Wait()
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode() // -1 when killed by a signal
		} else if err != nil {
			code = -2
		}
		p.done <- result{code, out.String(), errb.String()}
	}()
	return p
}

// waitLine waits until the peer has printed a line starting with prefix
// ("out: READY", "err: PROGRESS 12").
func (p *proc) waitLine(t *testing.T, prefix string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if strings.HasPrefix(l, prefix) {
				p.mu.Unlock()
				return
			}
		}
		ch := p.change
		p.mu.Unlock()
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("no line %q; lines: %q", prefix, p.lines)
		}
	}
}

func (p *proc) wait() result { return <-p.done }

func run(t *testing.T, args ...string) result { t.Helper(); return start(t, args...).wait() }

func fifoPath(t *testing.T) string { return filepath.Join(t.TempDir(), "peer.fifo") }

func expect(t *testing.T, what string, r result, code int, stdout string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stdout, stdout) {
		t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", what, r.code, r.stdout, r.stderr, code, stdout)
	}
}

func TestSendRecvEveryCodec(t *testing.T) {
	for _, codec := range []string{"protobuf", "json", "string", "bytes"} {
		for _, sum := range []bool{false, true} {
			p := fifoPath(t)
			rx := start(t, "recv", "-path", p, "-codec", codec, "-create")
			args := []string{"send", "-path", p, "-codec", codec, "-count", "3000"}
			if sum {
				args = append(args, "-checksum")
			}
			expect(t, codec+" send", run(t, args...), 0, "READY")
			expect(t, codec+" recv", rx.wait(), 0, "READY\nOK 3000\n")
		}
	}
}

func TestKillAfterIsTruncated(t *testing.T) {
	for _, delimited := range []bool{false, true} {
		p := fifoPath(t)
		args := []string{"recv", "-path", p, "-codec", "protobuf", "-create"}
		if delimited {
			args = append(args, "-delimited")
		}
		rx := start(t, args...)
		args = []string{"send", "-path", p, "-codec", "protobuf", "-count", "100", "-kill-after", "40"}
		if delimited {
			args = append(args, "-delimited")
		}
		if r := run(t, args...); r.code != -1 {
			t.Errorf("send -kill-after: exit %d, want killed by a signal; %s", r.code, r.stderr)
		}
		r := rx.wait()
		expect(t, fmt.Sprintf("recv (delimited=%v) of a killed writer", delimited), r, 4, "READY")
		if !strings.Contains(r.stderr, "truncated") {
			t.Errorf("stderr %q", r.stderr)
		}
	}
}

func TestCountFollowAndFanIn(t *testing.T) {
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "json", "-create", "-follow", "-count", "25")
	expect(t, "first writer", run(t, "send", "-path", p, "-codec", "json", "-count", "10"), 0, "READY")
	run(t, "send", "-path", p, "-codec", "json", "-count", "10", "-kill-after", "5")
	// A writer that connects before the reader has seen the crashed writer's
	// end of file continues the broken stream and is lost with it (the format
	// cannot resynchronise): wait until the reader reports the crash.
	rx.waitLine(t, "err: fifochan-peer: writer session ended uncleanly")
	expect(t, "third writer", run(t, "send", "-path", p, "-codec", "json", "-count", "10", "-checksum"), 0, "READY")
	expect(t, "follow", rx.wait(), 0, "OK 25\n")

	// Fan-in: three writers at once. The reader follows and counts, so a
	// writer whose process starts after the others have finished (a loaded
	// machine) is still read, instead of finding no reader at all.
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create", "-follow", "-count", "60000")
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			expect(t, "fan-in writer", run(t, "send", "-path", p, "-codec", "string", "-count", "20000", "-fanin"), 0, "READY")
		}()
	}
	wg.Wait()
	expect(t, "fan-in reader", rx.wait(), 0, "OK 60000\n")
}

func TestEcho(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	for _, p := range []string{in, out} {
		if err := fifochan.Mkfifo(p, 0); err != nil {
			t.Fatal(err)
		}
	}
	echo := start(t, "echo", "-in", in, "-out", out, "-codec", "protobuf")
	rx := start(t, "recv", "-path", out, "-codec", "protobuf")
	expect(t, "send", run(t, "send", "-path", in, "-codec", "protobuf", "-count", "500", "-checksum"), 0, "READY")
	expect(t, "recv", rx.wait(), 0, "OK 500\n")
	expect(t, "echo", echo.wait(), 0, "READY")
}

// TestEchoPassesHeadersAndAbort: headers go through echo, and an aborted
// input ends the output aborted with the same reason.
func TestEchoPassesHeadersAndAbort(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	for _, p := range []string{in, out} {
		if err := fifochan.Mkfifo(p, 0); err != nil {
			t.Fatal(err)
		}
	}
	echo := start(t, "echo", "-in", in, "-out", out, "-codec", "json", "-wire-version", "1.1")
	rx := start(t, "recv", "-path", out, "-codec", "json", "-expect-header", "fc-id=7")
	expect(t, "send", run(t, "send", "-path", in, "-codec", "json", "-count", "50", "-header", "fc-id=7", "-abort", "upstream failed"), 0, "READY")
	expect(t, "recv", rx.wait(), 8, "ABORTED 50 upstream failed\n")
	expect(t, "echo", echo.wait(), 8, "READY")
}

func TestHeadersAbortAndWireVersions(t *testing.T) {
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "string", "-create", "-expect-header", "content-type=text/plain", "-expect-header", "fc-id=1")
	expect(t, "send -header", run(t, "send", "-path", p, "-codec", "string", "-count", "100", "-header", "content-type=text/plain", "-header", "fc-id=1"), 0, "READY")
	expect(t, "recv -expect-header", rx.wait(), 0, "OK 100\n")

	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create", "-expect-header", "fc-id=1")
	run(t, "send", "-path", p, "-codec", "string", "-count", "3")
	expect(t, "recv of messages without the header", rx.wait(), 6, "READY")

	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "bytes", "-create")
	expect(t, "send -abort", run(t, "send", "-path", p, "-codec", "bytes", "-count", "10", "-abort", "out of disk"), 0, "READY")
	expect(t, "recv of an aborted stream", rx.wait(), 8, "ABORTED 10 out of disk\n")

	// -wire-version 1.0 with -abort: no end at all, a truncated stream.
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "bytes", "-create")
	expect(t, "send 1.0 -abort", run(t, "send", "-path", p, "-codec", "bytes", "-count", "10", "-abort", "x", "-wire-version", "1.0"), 0, "READY")
	expect(t, "recv of a 1.0 abort", rx.wait(), 4, "READY")

	// The peer writes format 1.1 by default; -wire-version 1.0 writes 0.1's bytes.
	for _, c := range []struct {
		args    []string
		version byte
	}{{nil, 2}, {[]string{"-wire-version", "1.0"}, 1}, {[]string{"-wire-version", "1.1"}, 2}, {[]string{"-header", "a=b"}, 2}} {
		p = fifoPath(t)
		if err := fifochan.Mkfifo(p, 0); err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() {
			f, err := fifochan.OpenReadEnd(context.Background(), p)
			if err != nil {
				t.Error(err)
				got <- nil
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			got <- b
		}()
		expect(t, "send", run(t, append([]string{"send", "-path", p, "-codec", "bytes", "-count", "1"}, c.args...)...), 0, "READY")
		if b := <-got; len(b) < 5 || b[4] != c.version {
			t.Errorf("%v: stream % x, want version byte %d", c.args, b, c.version)
		}
	}
	expect(t, "-header with 1.0", run(t, "send", "-path", p, "-codec", "bytes", "-count", "1", "-header", "a=b", "-wire-version", "1.0"), 2, "")
	expect(t, "bad header key", run(t, "send", "-path", p, "-codec", "bytes", "-count", "1", "-header", "A=b"), 2, "")
}

func TestHeartbeatsAndLiveness(t *testing.T) {
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "bytes", "-create", "-liveness", "150ms")
	expect(t, "send with heartbeats", run(t, "send", "-path", p, "-codec", "bytes", "-count", "3", "-heartbeat", "20ms", "-interval", "500ms"), 0, "READY")
	expect(t, "recv -liveness with heartbeats", rx.wait(), 0, "OK 3\n")

	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "bytes", "-create", "-liveness", "150ms")
	tx := start(t, "send", "-path", p, "-codec", "bytes", "-count", "3", "-interval", "2s", "-wire-version", "1.1")
	r := rx.wait()
	expect(t, "recv -liveness without heartbeats", r, 3, "READY")
	if !strings.Contains(r.stderr, "no sign of life") {
		t.Errorf("stderr %q", r.stderr)
	}
	tx.cmd.Process.Kill()
	tx.wait()
}

func TestSecondReaderIsBusy(t *testing.T) {
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "bytes", "-create")
	rx.waitLine(t, "out: READY")
	r := run(t, "recv", "-path", p, "-codec", "bytes")
	expect(t, "second reader", r, 9, "")
	if want := fmt.Sprintf("pid %d", rx.cmd.Process.Pid); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not name the holder (%s)", r.stderr, want)
	}
	expect(t, "send", run(t, "send", "-path", p, "-codec", "bytes", "-count", "5"), 0, "READY")
	expect(t, "first reader", rx.wait(), 0, "OK 5\n")
}

func TestExitCodes(t *testing.T) {
	expect(t, "no command", run(t), 2, "")
	expect(t, "bad codec", run(t, "send", "-path", "x", "-codec", "xml", "-count", "1"), 2, "")
	expect(t, "bad flag", run(t, "recv", "-nope"), 2, "")
	expect(t, "bad wire version", run(t, "send", "-path", "x", "-codec", "bytes", "-count", "1", "-wire-version", "2"), 2, "")

	// 7: the reader leaves after one message.
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "bytes", "-create", "-count", "1")
	r := run(t, "send", "-path", p, "-codec", "bytes", "-count", "2000000")
	expect(t, "send to a departed reader", r, 7, "READY")
	expect(t, "recv -count 1", rx.wait(), 0, "OK 1\n")

	// 5: garbage.
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "bytes", "-create")
	rx.waitLine(t, "out: READY")
	writeRaw(t, p, []byte("hello world\n"))
	expect(t, "recv of garbage", rx.wait(), 5, "READY")

	// 6: messages that are not the expected sequence (json read as string).
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create")
	run(t, "send", "-path", p, "-codec", "json", "-count", "3")
	r = rx.wait()
	expect(t, "recv of unexpected messages", r, 6, "READY")
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stderr == "" {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}

	// 4: a clean end before -count messages.
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create", "-count", "10")
	run(t, "send", "-path", p, "-codec", "string", "-count", "3")
	expect(t, "recv -count 10 of 3", rx.wait(), 4, "READY")
}

func writeRaw(t *testing.T, path string, b []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := fifochan.OpenWriteEnd(ctx, path, fifochan.CreateIfMissing(false))
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b)
	f.Close()
}

func TestFollowStopsCleanlyOnSIGTERM(t *testing.T) {
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "bytes", "-create", "-follow", "-progress")
	expect(t, "send", run(t, "send", "-path", p, "-codec", "bytes", "-count", "7"), 0, "READY")
	expect(t, "send", run(t, "send", "-path", p, "-codec", "bytes", "-count", "5"), 0, "READY")
	rx.waitLine(t, "err: PROGRESS 12")
	rx.cmd.Process.Signal(syscall.SIGTERM)
	if r := rx.wait(); r.code != 0 || r.stdout != "READY\nOK 12\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestOpenTimeouts(t *testing.T) {
	t.Setenv("FIFOCHAN_PEER_OPEN_TIMEOUT", "300ms")
	p := fifoPath(t)
	if err := fifochan.Mkfifo(p, 0); err != nil {
		t.Fatal(err)
	}
	expect(t, "send with no reader", run(t, "send", "-path", p, "-codec", "bytes", "-count", "1"), 3, "")
	expect(t, "recv with no writer", run(t, "recv", "-path", p, "-codec", "bytes"), 3, "READY")
	expect(t, "recv of a missing FIFO", run(t, "recv", "-path", p+".missing", "-codec", "bytes"), 3, "")
}
