package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// start runs the peer with a 60 s safety timeout.
func start(t *testing.T, args ...string) <-chan result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, peerBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	go func() {
		defer cancel()
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode() // -1 when killed by a signal
		} else if err != nil {
			code = -2
		}
		done <- result{code, out.String(), errb.String()}
	}()
	return done
}

func run(t *testing.T, args ...string) result { t.Helper(); return <-start(t, args...) }

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
			expect(t, codec+" recv", <-rx, 0, "READY\nOK 3000\n")
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
		r := <-rx
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
	time.Sleep(200 * time.Millisecond) // let the reader see the crash (see Receive's Follow)
	expect(t, "third writer", run(t, "send", "-path", p, "-codec", "json", "-count", "10", "-checksum"), 0, "READY")
	expect(t, "follow", <-rx, 0, "OK 25\n")

	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create")
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			expect(t, "fan-in writer", run(t, "send", "-path", p, "-codec", "string", "-count", "20000", "-fanin"), 0, "READY")
		}()
	}
	wg.Wait()
	expect(t, "fan-in reader", <-rx, 0, "OK 60000\n")
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
	expect(t, "recv", <-rx, 0, "OK 500\n")
	expect(t, "echo", <-echo, 0, "READY")
}

func TestExitCodes(t *testing.T) {
	expect(t, "no command", run(t), 2, "")
	expect(t, "bad codec", run(t, "send", "-path", "x", "-codec", "xml", "-count", "1"), 2, "")
	expect(t, "bad flag", run(t, "recv", "-nope"), 2, "")

	// 7: the reader leaves after one message.
	p := fifoPath(t)
	rx := start(t, "recv", "-path", p, "-codec", "bytes", "-create", "-count", "1")
	r := run(t, "send", "-path", p, "-codec", "bytes", "-count", "2000000")
	expect(t, "send to a departed reader", r, 7, "READY")
	expect(t, "recv -count 1", <-rx, 0, "OK 1\n")

	// 5: garbage.
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "bytes", "-create")
	writeRaw(t, p, []byte("hello world\n"))
	expect(t, "recv of garbage", <-rx, 5, "READY")

	// 6: messages that are not the expected sequence (json read as string).
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create")
	run(t, "send", "-path", p, "-codec", "json", "-count", "3")
	r = <-rx
	expect(t, "recv of unexpected messages", r, 6, "READY")
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stderr == "" {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}

	// 4: a clean end before -count messages.
	p = fifoPath(t)
	rx = start(t, "recv", "-path", p, "-codec", "string", "-create", "-count", "10")
	run(t, "send", "-path", p, "-codec", "string", "-count", "3")
	expect(t, "recv -count 10 of 3", <-rx, 4, "READY")
}

func writeRaw(t *testing.T, path string, b []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if _, err := os.Lstat(path); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	f, err := fifochan.OpenWriteEnd(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b)
	f.Close()
}

func TestFollowStopsCleanlyOnSIGTERM(t *testing.T) {
	p := fifoPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, peerBin, "recv", "-path", p, "-codec", "bytes", "-create", "-follow")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	expect(t, "send", run(t, "send", "-path", p, "-codec", "bytes", "-count", "7"), 0, "READY")
	expect(t, "send", run(t, "send", "-path", p, "-codec", "bytes", "-count", "5"), 0, "READY")
	time.Sleep(time.Second) // both writers' bytes are in the pipe; let the reader take them
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil || out.String() != "READY\nOK 12\n" {
		t.Fatalf("exit %v, stdout %q", err, out.String())
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
