package fifochan

// Interoperation with testdata/peer.py, the spec's standard-library
// Python peer of wire format 1.1 (an implementation written from the
// spec alone), both directions over real FIFOs: headers, heartbeats,
// checksums, aborted ends, and the exclusive-reader lock across
// languages.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func pyPeer(t *testing.T) []string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is missing (CI installs it)")
		}
		t.Skip("no python3")
	}
	peer := filepath.Join("..", "testdata", "peer.py")
	if _, err := os.Stat(peer); err != nil {
		t.Skipf("no %s", peer)
	}
	return []string{py, peer}
}

func TestPythonReaderOfGoWriter(t *testing.T) {
	py := pyPeer(t)
	for _, abort := range []bool{false, true} {
		path := newFIFO(t)
		cmd := exec.Command(py[0], append(py[1:], "recv", path, "--codec", "string", "--json")...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ctx := testCtx(t, 30*time.Second)
		w, err := OpenWriter(ctx, path, String(), WithChecksum(), Heartbeat(time.Millisecond), FlushDelay(0))
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range compatLines {
			if err := w.SendHeaders(ctx, l, Headers{{"fc-id", []byte(fmt.Sprint(i))}}); err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				// Idle long enough for a heartbeat; the reader's count of
				// them is checked below.
				for !sawHeartbeat(w) {
					<-time.After(time.Millisecond) // polls the counter; orders nothing
				}
			}
		}
		if abort {
			err = w.Abort("disk full")
		} else {
			err = w.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		werr := cmd.Wait()
		var frames []string
		var heartbeats int
		var outcome map[string]any
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			switch {
			case m["outcome"] != nil:
				outcome = m["outcome"].(map[string]any)
			case m["kind"] == "heartbeat":
				heartbeats++
			case m["kind"] == "frame":
				frames = append(frames, m["value"].(string))
				h := m["headers"].([]any)[0].(map[string]any)
				if h["key"] != "fc-id" || h["value_hex"] != fmt.Sprintf("%x", fmt.Sprint(len(frames)-1)) {
					t.Fatalf("frame %d headers %v", len(frames)-1, m["headers"])
				}
			}
		}
		want := "clean"
		if abort {
			want = "error"
		}
		if strings.Join(frames, "|") != strings.Join(compatLines, "|") || outcome["status"] != want || heartbeats == 0 ||
			(abort && (outcome["error"] != "aborted" || outcome["reason"] != "disk full")) || (werr == nil) == abort {
			t.Fatalf("abort %v: python read %d frames, %d heartbeats, outcome %v (%v %s)", abort, len(frames), heartbeats, outcome, werr, errb.String())
		}
	}
}

// sawHeartbeat reports whether w has written more than its messages: a
// heartbeat after the first two frames.
func sawHeartbeat(w *Sender[string]) bool {
	return w.Stats().BytesWritten > int64(12+2*(6+2+9+4)+len("first")+len("grüße 🙂"))
}

func TestGoReaderOfPythonWriter(t *testing.T) {
	py := pyPeer(t)
	ctx := testCtx(t, 30*time.Second)
	for _, abort := range []bool{false, true} {
		path := newFIFO(t)
		r := openReceiver(t, path, String(), LivenessTimeout(10*time.Second))
		args := append(py[1:], "send", path, "--checksum", "--heartbeat", "--header", "fc-id=7", "--tag", "t")
		if abort {
			args = append(args, "--abort", "disk full")
		}
		cmd := exec.Command(py[0], args...)
		cmd.Stdin = strings.NewReader(strings.Join(compatLines, "\n") + "\n")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var got []string
		var end error
		for {
			e, err := r.ReceiveEnvelope(ctx)
			if err != nil {
				end = err
				break
			}
			if id, _ := e.Headers.Get("fc-id"); string(id) != "7" || e.Tag != "t" {
				t.Fatalf("envelope %+v", e)
			}
			got = append(got, e.Value)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("python writer: %v %s", err, errb.String())
		}
		var ae *AbortedError
		if strings.Join(got, "|") != strings.Join(compatLines, "|") || (abort && (!errors.As(end, &ae) || ae.Reason != "disk full")) || (!abort && end != io.EOF) {
			t.Fatalf("abort %v: got %d messages, then %v", abort, len(got), end)
		}
	}
}

// TestLockAcrossLanguages: a Go reader holds the FIFO; the Python peer is
// refused as "FIFO busy" naming this process; and the other way round.
func TestLockAcrossLanguages(t *testing.T) {
	py := pyPeer(t)
	path := newFIFO(t)
	r := openReceiver(t, path, String())
	out, err := exec.Command(py[0], append(py[1:], "recv", path)...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !bytes.Contains(out, []byte("FIFO busy")) || !bytes.Contains(out, []byte(fmt.Sprint(os.Getpid()))) {
		t.Fatalf("python reader of a FIFO Go holds: %v %s", err, out)
	}
	r.Close()

	path = newFIFO(t)
	cmd := exec.Command(py[0], append(py[1:], "recv", path)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Wait until /proc/locks shows Python's lock (polls; orders nothing).
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); lockHolder(&st) != cmd.Process.Pid; {
		if time.Now().After(deadline) {
			t.Fatal("python never took the lock")
		}
		<-time.After(5 * time.Millisecond)
	}
	var be *BusyError
	if _, err := OpenReceiver(testCtx(t, time.Second), path, String()); !errors.As(err, &be) {
		t.Fatalf("Go reader of a FIFO python holds: %v", err)
	}
	if be.PID != cmd.Process.Pid {
		t.Fatalf("busy: %+v, want pid %d", be, cmd.Process.Pid)
	}
}
