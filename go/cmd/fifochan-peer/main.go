// Command fifochan-peer is the Go peer of the fifochan interop and
// container tests. It sends, receives or echoes a known message sequence
// on a FIFO and reports the outcome through its exit code:
//
//	fifochan-peer send -path FIFO -codec protobuf|json|string|bytes -count N
//	                   [-checksum] [-create] [-kill-after K] [-fanin] [-delimited]
//	fifochan-peer recv -path FIFO -codec ... [-count N] [-create] [-follow] [-delimited]
//	fifochan-peer echo -in FIFO -out FIFO -codec ...
//
// Message seq (0, 1, 2, ... per writer session): protobuf sends
// Ping{seq, text:"ping-<seq>"} for even seq and Pong{seq, payload: 8-byte
// big-endian seq} for odd seq (Ping only with -delimited); json sends
// {"seq":<seq>,"text":"ping-<seq>"}; string sends "msg-<seq>"; bytes sends
// the 8-byte big-endian seq.
//
// Opens time out after 30 s (FIFOCHAN_PEER_OPEN_TIMEOUT, a Go duration,
// overrides this). Every command prints READY on stdout when its FIFO is open (recv and
// echo: when the read end is open and a writer may connect). recv prints
// "OK <n>" at a clean end of stream or after -count messages (with -follow
// and no -count, on SIGINT or SIGTERM). Exit codes:
// 0 success, 1 other failure, 2 usage, 3 timeout, 4 truncated stream,
// 5 corrupt frame, checksum mismatch or frame too long, 6 decode or
// verification failure, 7 peer closed. Errors are one line on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/internal/interoppb"
)

// openTimeout bounds every wait for the FIFO to appear and for the other
// end: 30 s, or FIFOCHAN_PEER_OPEN_TIMEOUT (a Go duration, for tests).
var openTimeout = 30 * time.Second

func init() {
	if d, err := time.ParseDuration(os.Getenv("FIFOCHAN_PEER_OPEN_TIMEOUT")); err == nil && d > 0 {
		openTimeout = d
	}
}

// Exit codes.
const (
	exitOK        = 0
	exitOther     = 1
	exitUsage     = 2
	exitTimeout   = 3
	exitTruncated = 4
	exitCorrupt   = 5
	exitDecode    = 6
	exitPeer      = 7
)

// failure is an error with the exit code it maps to.
type failure struct {
	code int
	err  error
}

func (f *failure) Error() string { return f.err.Error() }

func fail(code int, format string, args ...any) error {
	return &failure{code: code, err: fmt.Errorf(format, args...)}
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "send":
		err = cmdSend(ctx, os.Args[2:])
	case "recv":
		err = cmdRecv(ctx, os.Args[2:])
	case "echo":
		err = cmdEcho(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fifochan-peer:", oneLine(err.Error()))
		os.Exit(exitCode(err))
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fifochan-peer send|recv|echo [flags] (see -h of each command)")
	os.Exit(exitUsage)
}

func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

func exitCode(err error) int {
	var f *failure
	switch {
	case errors.As(err, &f):
		return f.code
	case errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	case errors.Is(err, fifochan.ErrTruncatedStream):
		return exitTruncated
	case errors.Is(err, fifochan.ErrCorruptFrame), errors.Is(err, fifochan.ErrFrameTooLong):
		return exitCorrupt
	case errors.Is(err, fifochan.ErrDecode), errors.Is(err, fifochan.ErrIncompatibleStream):
		return exitDecode
	case errors.Is(err, fifochan.ErrPeerClosed):
		return exitPeer
	}
	return exitOther
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fail(exitUsage, "%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fail(exitUsage, "%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func ready() {
	os.Stdout.WriteString("READY\n") // os.Stdout is unbuffered
}

// waitExists waits for path to appear (another process may create it).
func waitExists(ctx context.Context, path string) error {
	for {
		if _, err := os.Lstat(path); err == nil || !errors.Is(err, os.ErrNotExist) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to exist: %w", path, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func cmdSend(ctx context.Context, args []string) error {
	fs := newFlags("send")
	path := fs.String("path", "", "FIFO to write")
	codecName := fs.String("codec", "", "protobuf, json, string or bytes")
	count := fs.Int("count", 0, "number of messages")
	checksum := fs.Bool("checksum", false, "CRC-32C on every frame")
	create := fs.Bool("create", false, "create the FIFO (0600) if missing")
	killAfter := fs.Int("kill-after", -1, "after K messages, write half a frame and SIGKILL itself")
	fanIn := fs.Bool("fanin", false, "fan-in mode: atomic whole-record writes")
	delimited := fs.Bool("delimited", false, "plain varint-delimited protobuf Pings instead of fifochan framing")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := lookupMessages(*codecName)
	if *path == "" || err != nil || *count < 0 || *killAfter > *count {
		return fail(exitUsage, "send: need -path, -codec protobuf|json|string|bytes, -count N >= 0, -kill-after <= N")
	}
	if *delimited && *codecName != "protobuf" {
		return fail(exitUsage, "send: -delimited needs -codec protobuf")
	}
	var opts []fifochan.Option
	if *create {
		opts = append(opts, fifochan.Create(0o600))
	}
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if !*create {
		if err := waitExists(octx, *path); err != nil {
			return err
		}
	}
	f, err := fifochan.OpenWriteEnd(octx, *path, opts...)
	if err != nil {
		return err
	}
	defer f.Close()
	ready()
	if *delimited {
		return sendDelimited(f, *count, *killAfter)
	}
	wopts := []fifochan.Option{}
	if *checksum {
		wopts = append(wopts, fifochan.WithChecksum())
	}
	if *fanIn {
		wopts = append(wopts, fifochan.FanIn())
	}
	w, err := fifochan.NewWriter(f, *codecName, wopts...)
	if err != nil {
		return err
	}
	for seq := 0; seq < *count; seq++ {
		if seq == *killAfter {
			if err := w.Flush(); err != nil {
				return err
			}
			tag, p := m.encode(seq)
			crash(f, frameBytes(tag, p, *checksum))
		}
		tag, p := m.encode(seq)
		if err := w.WriteFrame(tag, p); err != nil {
			return err
		}
	}
	if *killAfter == *count {
		if err := w.Flush(); err != nil {
			return err
		}
		tag, p := m.encode(*count)
		crash(f, frameBytes(tag, p, *checksum))
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Close()
}

// crash writes the first half of frame and kills the process with SIGKILL.
func crash(f *os.File, frame []byte) {
	f.Write(frame[:len(frame)/2])
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // not reached
}

// frameBytes encodes one frame by hand (docs/wire-format.md §3); used only
// to write half of one before a simulated crash.
func frameBytes(tag string, payload []byte, checksum bool) []byte {
	var buf bytesBuffer
	w, _ := fifochan.NewWriter(&buf, "bytes", checksumOpt(checksum)...)
	w.Flush()
	buf.b = buf.b[:0] // drop the preamble
	w.WriteFrame(tag, payload)
	w.Flush()
	return buf.b
}

type bytesBuffer struct{ b []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }

func checksumOpt(on bool) []fifochan.Option {
	if on {
		return []fifochan.Option{fifochan.WithChecksum()}
	}
	return nil
}

func sendDelimited(f *os.File, count, killAfter int) error {
	w := fifochan.NewDelimitedWriter(f)
	for seq := 0; seq < count; seq++ {
		if seq == killAfter {
			if err := w.Flush(); err != nil {
				return err
			}
			crash(f, delimitedPing(seq))
		}
		if err := w.Write(ping(seq)); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if killAfter == count {
		crash(f, delimitedPing(count))
	}
	return f.Close()
}

func cmdRecv(ctx context.Context, args []string) error {
	fs := newFlags("recv")
	path := fs.String("path", "", "FIFO to read")
	codecName := fs.String("codec", "", "protobuf, json, string or bytes")
	count := fs.Int("count", 0, "stop after N messages (0: at the clean end of stream)")
	create := fs.Bool("create", false, "create the FIFO (0600) if missing")
	follow := fs.Bool("follow", false, "keep reading across writer restarts")
	delimited := fs.Bool("delimited", false, "plain varint-delimited protobuf Pings")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := lookupMessages(*codecName)
	if *path == "" || err != nil || *count < 0 {
		return fail(exitUsage, "recv: need -path, -codec protobuf|json|string|bytes, -count N >= 0")
	}
	if *delimited && (*codecName != "protobuf" || *follow) {
		return fail(exitUsage, "recv: -delimited needs -codec protobuf and no -follow")
	}
	var opts []fifochan.Option
	if *create {
		opts = append(opts, fifochan.Create(0o600))
	} else {
		wctx, cancel := context.WithTimeout(ctx, openTimeout)
		err := waitExists(wctx, *path)
		cancel()
		if err != nil {
			return err
		}
	}
	if *delimited {
		return recvDelimited(ctx, *path, *count, opts)
	}
	if *follow {
		opts = append(opts, fifochan.Follow(), fifochan.OnError(func(err error) {
			fmt.Fprintln(os.Stderr, "fifochan-peer: writer session ended uncleanly:", oneLine(err.Error()))
		}))
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, errc, err := fifochan.Receive(rctx, *path, seqCodec{m}, opts...)
	if err != nil {
		return err
	}
	ready()
	// The first writer must come within the open timeout.
	first := time.AfterFunc(openTimeout, cancel)
	defer first.Stop()
	var v verifier
	n := 0
	for seq := range ch {
		first.Stop()
		if err := v.check(seq); err != nil {
			return err
		}
		n++
		if *count > 0 && n == *count {
			fmt.Printf("OK %d\n", n)
			return nil
		}
	}
	if err := <-errc; err != nil {
		if *follow && ctx.Err() != nil {
			// A follower has no natural end: SIGINT/SIGTERM is its clean stop.
			fmt.Printf("OK %d\n", n)
			return nil
		}
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			return fail(exitTimeout, "recv: no writer within %v: %v", openTimeout, err)
		}
		return err
	}
	if *count > 0 && n < *count {
		return fail(exitTruncated, "recv: clean end of stream after %d of %d messages", n, *count)
	}
	fmt.Printf("OK %d\n", n)
	return nil
}

func recvDelimited(ctx context.Context, path string, count int, opts []fifochan.Option) error {
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	ready()
	f, err := fifochan.OpenReadEnd(octx, path, opts...)
	if err != nil {
		return err
	}
	defer f.Close()
	r := fifochan.NewDelimitedReader(f)
	n := 0
	for count == 0 || n < count {
		var pb interoppb.Ping
		err := r.Read(&pb)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if pb.Seq != int64(n) || pb.Text != fmt.Sprintf("ping-%d", n) {
			return fail(exitDecode, "recv: message %d: got Ping{seq:%d text:%q}", n, pb.Seq, pb.Text)
		}
		n++
	}
	if count > 0 && n < count {
		return fail(exitTruncated, "recv: end of file after %d of %d messages", n, count)
	}
	fmt.Printf("OK %d\n", n)
	return nil
}

// verifier checks that messages arrive complete and in order, seq 0, 1,
// 2, ... per writer session. Sessions may interleave (fan-in) or follow
// one another (restarts): a message must continue some session (seq one
// more than that session's last) or start a new one (seq 0).
type verifier struct {
	next map[int64]int // expected next seq -> number of sessions expecting it
}

func (v *verifier) check(seq int64) error {
	if v.next == nil {
		v.next = map[int64]int{}
	}
	if seq != 0 {
		if v.next[seq] == 0 {
			return fail(exitDecode, "verify: message seq %d out of order (no writer session was at seq %d)", seq, seq-1)
		}
		if v.next[seq]--; v.next[seq] == 0 {
			delete(v.next, seq)
		}
	}
	v.next[seq+1]++
	return nil
}

func cmdEcho(ctx context.Context, args []string) error {
	fs := newFlags("echo")
	in := fs.String("in", "", "FIFO to read")
	out := fs.String("out", "", "FIFO to write")
	codecName := fs.String("codec", "", "protobuf, json, string or bytes")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := lookupMessages(*codecName)
	if *in == "" || *out == "" || err != nil {
		return fail(exitUsage, "echo: need -in, -out, -codec protobuf|json|string|bytes")
	}
	wctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := waitExists(wctx, *in); err != nil {
		return err
	}
	rctx, rcancel := context.WithCancel(ctx)
	defer rcancel()
	ch, errc, err := fifochan.Receive(rctx, *in, rawCodec{m})
	if err != nil {
		return err
	}
	ready()
	// Open the write end in the background: the other side may open its
	// reader only after it has started writing to -in.
	type opened struct {
		f   *os.File
		err error
	}
	outc := make(chan opened, 1)
	go func() {
		if err := waitExists(wctx, *out); err != nil {
			outc <- opened{nil, err}
			return
		}
		f, err := fifochan.OpenWriteEnd(wctx, *out)
		outc <- opened{f, err}
	}()
	var w *fifochan.Writer
	var f *os.File
	getWriter := func() error {
		if w != nil {
			return nil
		}
		o := <-outc
		if o.err != nil {
			return o.err
		}
		f = o.f
		w, err = fifochan.NewWriter(f, *codecName)
		return err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for fr := range ch {
		if err := getWriter(); err != nil {
			return err
		}
		if err := w.WriteFrame(fr.tag, fr.payload); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	if err := getWriter(); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	err = f.Close()
	f = nil
	return err
}

// rawFrame is a frame passed through unchanged by echo.
type rawFrame struct {
	tag     string
	payload []byte
}

// rawCodec checks that frames decode with a real codec but keeps their bytes.
type rawCodec struct{ m messages }

func (c rawCodec) Name() string                                { return c.m.name() }
func (rawCodec) Tag(f rawFrame) string                         { return f.tag }
func (rawCodec) Append(dst []byte, f rawFrame) ([]byte, error) { return append(dst, f.payload...), nil }
func (c rawCodec) Decode(tag string, p []byte) (rawFrame, error) {
	if err := c.m.check(tag, p); err != nil {
		return rawFrame{}, err
	}
	return rawFrame{tag: tag, payload: append([]byte(nil), p...)}, nil
}

// seqCodec decodes a message of the known sequence and verifies that its
// contents match its seq; it delivers the seq.
type seqCodec struct{ m messages }

func (c seqCodec) Name() string   { return c.m.name() }
func (seqCodec) Tag(int64) string { return "" }
func (seqCodec) Append(dst []byte, _ int64) ([]byte, error) {
	return dst, errors.New("seqCodec cannot encode")
}
func (c seqCodec) Decode(tag string, p []byte) (int64, error) { return c.m.verify(tag, p) }
