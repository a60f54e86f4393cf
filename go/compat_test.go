package fifochan

// Wire format 1.1 against the released 0.1 code, both directions, over
// real FIFOs (issue 10: "test both directions against the released 0.1
// code, not against the new code in a compatibility mode"). The 0.1 side
// is the frozen Go package in ../compat/v0.1/go (a copy of v0.1.0:go/)
// with its command fifochan-v01; testdata/compat_check.py does the same
// for the Python peer and the Java api.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var compatLines = []string{"first", "grüße 🙂", "", strings.Repeat("x", 5000), "last"}

var (
	v01Once sync.Once
	v01Bin  string
	v01Err  error
)

// v01 builds the frozen 0.1 command once.
func v01(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "compat", "v0.1", "go")
	if _, err := os.Stat(filepath.Join(dir, "cmd", "fifochan-v01")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the frozen 0.1 code is missing: %v", err)
		}
		t.Skipf("no frozen 0.1 code in %s", dir)
	}
	v01Once.Do(func() {
		tmp, err := os.MkdirTemp("", "fifochan-v01")
		if err != nil {
			v01Err = err
			return
		}
		v01Bin = filepath.Join(tmp, "fifochan-v01")
		cmd := exec.Command("go", "build", "-o", v01Bin, "./cmd/fifochan-v01")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			v01Err = errors.New(string(out))
		}
	})
	if v01Err != nil {
		t.Fatalf("building fifochan-v01: %v", v01Err)
	}
	return v01Bin
}

type v01Result struct {
	frames  []string
	outcome map[string]any
	err     error
}

// v01Read runs the 0.1 reader on path (a FIFO) and returns what it read.
func v01Read(t *testing.T, path string) <-chan v01Result {
	t.Helper()
	cmd := exec.Command(v01(t), "read", path)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	res := make(chan v01Result, 1)
	go func() {
		err := cmd.Wait()
		var r v01Result
		r.err = err
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) != nil {
				continue
			}
			if o, ok := m["outcome"].(map[string]any); ok {
				r.outcome = o
			} else if m["kind"] == "frame" {
				b, _ := hex.DecodeString(m["payload_hex"].(string))
				r.frames = append(r.frames, string(b))
			}
		}
		res <- r
	}()
	return res
}

// goWrite writes compatLines with a Sender, ending with a clean close or
// an abort. A reader that refuses the stream may leave early: then the
// Sender fails with ErrPeerClosed, which refused allows.
func goWrite(t *testing.T, path string, abort, refused bool, opts ...SenderOption) {
	t.Helper()
	ctx := testCtx(t, 30*time.Second)
	w, err := OpenWriter(ctx, path, String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	check := func(err error) {
		if err != nil && !(refused && errors.Is(err, ErrPeerClosed)) {
			t.Fatal(err)
		}
	}
	for _, l := range compatLines {
		check(w.Send(ctx, l))
	}
	if abort {
		check(w.Abort("boom"))
	} else {
		check(w.Close())
	}
}

func TestCompatGo11WriterToV01Reader(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    []SenderOption
		abort   bool
		frames  []string
		outcome string
	}{
		{"1.1: refused at the preamble", nil, false, nil, "incompatible"},
		{"1.1 with headers and heartbeats: refused at the preamble", []SenderOption{Heartbeat(time.Millisecond)}, false, nil, "incompatible"},
		{"1.0 mode: clean", []SenderOption{WireVersion10()}, false, compatLines, "clean"},
		{"1.0 mode with checksums: clean", []SenderOption{WireVersion10(), WithChecksum()}, false, compatLines, "clean"},
		{"1.0 mode aborting: truncated after every message", []SenderOption{WireVersion10()}, true, compatLines, "truncated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := newFIFO(t)
			res := v01Read(t, path)
			goWrite(t, path, c.abort, c.outcome == "incompatible", c.opts...)
			r := <-res
			got := r.outcome["status"]
			if got == "error" {
				got = r.outcome["error"]
			}
			if got != c.outcome || strings.Join(r.frames, "|") != strings.Join(c.frames, "|") {
				t.Fatalf("0.1 reader: %d frames, outcome %v (%v)", len(r.frames), r.outcome, r.err)
			}
			if c.outcome == "incompatible" && (r.outcome["offset"] != 0.0 || !strings.Contains(r.outcome["message"].(string), "version")) {
				t.Fatalf("refused at %v: %v", r.outcome["offset"], r.outcome["message"])
			}
		})
	}
}

func TestCompatV01WriterToGo11Reader(t *testing.T) {
	for _, checksum := range []bool{false, true} {
		path := newFIFO(t)
		ctx := testCtx(t, 30*time.Second)
		r := openReceiver(t, path, String())
		args := []string{"write", path}
		if checksum {
			args = []string{"write", "-checksum", path}
		}
		cmd := exec.Command(v01(t), args...)
		cmd.Stdin = strings.NewReader(strings.Join(compatLines, "\n") + "\n")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		got, err := receiveAll(ctx, r)
		if werr := cmd.Wait(); werr != nil || err != io.EOF || strings.Join(got, "|") != strings.Join(compatLines, "|") {
			t.Fatalf("checksum %v: got %d messages, %v (writer %v)", checksum, len(got), err, werr)
		}
	}
}

// TestCompatV10BytesEqualV01 compares 1.0 mode with the 0.1 writer byte
// for byte.
func TestCompatV10BytesEqualV01(t *testing.T) {
	for _, checksum := range []bool{false, true} {
		file := filepath.Join(t.TempDir(), "old.bin")
		args := []string{"write", file}
		var opts []WriterOption
		if checksum {
			args = []string{"write", "-checksum", file}
			opts = append(opts, WithChecksum())
		}
		cmd := exec.Command(v01(t), args...)
		cmd.Stdin = strings.NewReader(strings.Join(compatLines, "\n") + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		old, _ := os.ReadFile(file)
		var cur bytes.Buffer
		w, _ := NewWriter(&cur, "string", append(opts, WireVersion10())...)
		for _, l := range compatLines {
			w.WriteFrame("", []byte(l))
		}
		w.Close()
		if !bytes.Equal(old, cur.Bytes()) {
			t.Fatalf("checksum %v: 1.0 mode differs from 0.1:\n0.1 %x\n1.0 %x", checksum, old, cur.Bytes())
		}
	}
}

// TestCompatRefusedAtTheSecondPreamble: a 0.1 reader reads a 1.0 session,
// then refuses a 1.1 session at its preamble (never mid-stream).
func TestCompatRefusedAtTheSecondPreamble(t *testing.T) {
	path := newFIFO(t)
	res := v01Read(t, path)
	ctx := testCtx(t, 30*time.Second)
	f, err := OpenWriteEnd(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	w1, _ := NewWriter(&first, "string", WireVersion10())
	w1.WriteFrame("", []byte("old"))
	w1.Close()
	var second bytes.Buffer
	w2, _ := NewWriter(&second, "string")
	w2.WriteFrame("", []byte("new"))
	w2.Close()
	f.Write(append(first.Bytes(), second.Bytes()...))
	f.Close()
	r := <-res
	if strings.Join(r.frames, "|") != "old" || r.outcome["error"] != "incompatible" || r.outcome["offset"] != float64(first.Len()) {
		t.Fatalf("0.1 reader: %v, %v", r.frames, r.outcome)
	}
}
