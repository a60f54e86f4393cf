// Command fifochan-peer is the Go peer of the fifochan interop and
// container tests. It sends, receives or echoes a known message sequence
// on a FIFO and reports the outcome through its exit code:
//
//	fifochan-peer send -path FIFO -codec protobuf|json|string|bytes -count N
//	                   [-checksum] [-create] [-kill-after K] [-fanin] [-delimited]
//	                   [-wire-version 1.0|1.1] [-header KEY=VALUE]... [-abort REASON]
//	                   [-heartbeat DURATION] [-interval DURATION]
//	fifochan-peer recv -path FIFO -codec ... [-count N] [-create] [-follow] [-delimited]
//	                   [-expect-header KEY=VALUE]... [-liveness DURATION] [-progress]
//	fifochan-peer echo -in FIFO -out FIFO -codec ... [-wire-version 1.0|1.1]
//	fifochan-peer rpc-serve  -req FIFO -rsp FIFO [-codec NAME] [-service S] [-heartbeat D] [-liveness D]
//	fifochan-peer rpc-client -req FIFO -rsp FIFO [-codec NAME] [-service S] [-heartbeat D] [-liveness D]
//
// rpc-serve and rpc-client are a request/response responder and client
// (package rpc) driven by commands on stdin; see rpc.go.
//
// Message seq (0, 1, 2, ... per writer session): protobuf sends
// Ping{seq, text:"ping-<seq>"} for even seq and Pong{seq, payload: 8-byte
// big-endian seq} for odd seq (Ping only with -delimited); json sends
// {"seq":<seq>,"text":"ping-<seq>"}; string sends "msg-<seq>"; bytes sends
// the 8-byte big-endian seq.
//
// Wire format: send and echo write format 1.1 (the default since the Java
// reader reads 1.1); -wire-version 1.0 writes format 1.0, exactly the bytes
// fifochan 0.1 wrote, for 0.1 readers (it refuses -header and -heartbeat,
// and with -abort it ends the stream without an end-of-stream frame: a
// truncated stream). recv reads both formats.
//
// send: -header adds the header to every message (repeatable; keys are
// lowercase a-z 0-9 - . _); -abort ends the stream after -count messages
// with an aborted end carrying REASON instead of a clean end; -heartbeat
// sends heartbeats after DURATION without writes; -interval waits DURATION
// between messages (flushing each one), so that heartbeats have time to
// show. The sender is the library's Sender, except with -kill-after (the
// framing alone, so the half frame is exact) and -delimited.
//
// recv: -expect-header fails (exit 6) a message that lacks the header with
// that value; -liveness fails (exit 3) when a writer session is open and
// nothing, not even a heartbeat, arrived for DURATION. An aborted end
// prints "ABORTED <n> <reason>" and exits 8 (with -follow it is reported on
// stderr and reading goes on). A second reader of the FIFO exits 9.
// -progress prints "PROGRESS <n>" on stderr after each message (tests wait
// for it instead of sleeping).
//
// echo copies every message, with its tag and headers, and ends its output
// as its input ended: cleanly, or aborted with the same reason (exit 8),
// or aborted with the error's text (exit code of the error).
//
// Opens time out after 30 s (FIFOCHAN_PEER_OPEN_TIMEOUT, a Go duration,
// overrides this). Every command prints READY on stdout when its FIFO is open (recv and
// echo: when the read end is open and a writer may connect). recv prints
// "OK <n>" at a clean end of stream or after -count messages (with -follow
// and no -count, on SIGINT or SIGTERM). Exit codes:
// 0 success, 1 other failure, 2 usage, 3 timeout, 4 truncated stream,
// 5 corrupt frame, checksum mismatch or frame too long, 6 decode or
// verification failure, 7 peer closed, 8 aborted by the writer, 9 FIFO
// busy (another reader). Errors are one line on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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
	exitAborted   = 8
	exitBusy      = 9
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
	case "rpc-serve":
		err = cmdRPCServe(ctx, os.Args[2:])
	case "rpc-client":
		err = cmdRPCClient(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fifochan-peer:", oneLine(err.Error()))
		os.Exit(exitCode(err))
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fifochan-peer send|recv|echo|rpc-serve|rpc-client [flags] (see -h of each command)")
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
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, fifochan.ErrLivenessTimeout):
		return exitTimeout
	case errors.Is(err, fifochan.ErrAborted):
		return exitAborted
	case errors.Is(err, fifochan.ErrFIFOBusy):
		return exitBusy
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

// headerFlags collects repeated KEY=VALUE flags.
type headerFlags fifochan.Headers

func (h *headerFlags) String() string { return fmt.Sprint(*h) }
func (h *headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*h = append(*h, fifochan.Header{Key: k, Value: []byte(val)})
	return fifochan.Headers(*h).Validate()
}

// wireFlag is -wire-version: "", "1.0" or "1.1".
func wireFlag(fs *flag.FlagSet) *string {
	return fs.String("wire-version", "", "wire format to write: 1.1 (the default) or 1.0 (for fifochan 0.1 readers)")
}

// wireOpts returns the writer options for -wire-version v.
func wireOpts(v string) ([]fifochan.WriterOption, error) {
	switch v {
	case "1.1", "":
		return nil, nil
	case "1.0":
		return []fifochan.WriterOption{fifochan.WireVersion10()}, nil
	}
	return nil, fail(exitUsage, "-wire-version %q: want 1.0 or 1.1", v)
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
	wire := wireFlag(fs)
	var headers headerFlags
	fs.Var(&headers, "header", "KEY=VALUE header on every message (repeatable; wire format 1.1)")
	abort := fs.String("abort", "", "end with an aborted end carrying this reason instead of a clean end")
	heartbeat := fs.Duration("heartbeat", 0, "heartbeat interval (wire format 1.1)")
	interval := fs.Duration("interval", 0, "pause between messages, each one flushed")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := lookupMessages(*codecName)
	if *path == "" || err != nil || *count < 0 || *killAfter > *count {
		return fail(exitUsage, "send: need -path, -codec protobuf|json|string|bytes, -count N >= 0, -kill-after <= N")
	}
	if *delimited && (*codecName != "protobuf" || len(headers) > 0 || *abort != "" || *heartbeat > 0 || *wire != "") {
		return fail(exitUsage, "send: -delimited needs -codec protobuf and no 1.1 flags")
	}
	wopts, err := wireOpts(*wire)
	if err != nil {
		return err
	}
	if len(wopts) > 0 && (len(headers) > 0 || *heartbeat > 0) {
		return fail(exitUsage, "send: -header and -heartbeat need wire format 1.1")
	}
	if *checksum {
		wopts = append(wopts, fifochan.WithChecksum())
	}
	if *fanIn {
		wopts = append(wopts, fifochan.FanIn())
	}
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if !*create {
		if err := waitExists(octx, *path); err != nil {
			return err
		}
	}
	if (*killAfter >= 0 || *delimited) && (*abort != "" || *heartbeat > 0 || *interval > 0) {
		return fail(exitUsage, "send: -kill-after and -delimited go with neither -abort, -heartbeat nor -interval")
	}
	if *killAfter >= 0 || *delimited {
		return sendRaw(octx, *path, m, *count, *killAfter, *delimited, wopts, fifochan.Headers(headers))
	}
	sopts := []fifochan.SenderOption{}
	for _, o := range wopts {
		sopts = append(sopts, o)
	}
	if *heartbeat > 0 {
		sopts = append(sopts, fifochan.Heartbeat(*heartbeat))
	}
	w, err := fifochan.OpenWriter(octx, *path, seqSender{m}, sopts...)
	if err != nil {
		return err
	}
	ready()
	for seq := 0; seq < *count; seq++ {
		if err := w.SendHeaders(ctx, seq, fifochan.Headers(headers)); err != nil {
			w.Abort(err.Error())
			return err
		}
		if *interval > 0 {
			if err := w.Flush(ctx); err != nil {
				return err
			}
			select {
			case <-time.After(*interval):
			case <-ctx.Done():
				w.Abort(ctx.Err().Error())
				return ctx.Err()
			}
		}
	}
	if *abort != "" {
		return w.Abort(*abort)
	}
	return w.Close()
}

// sendRaw sends with the framing alone (for -kill-after) or delimited.
func sendRaw(ctx context.Context, path string, m messages, count, killAfter int, delimited bool, wopts []fifochan.WriterOption, h fifochan.Headers) error {
	f, err := fifochan.OpenWriteEnd(ctx, path)
	if err != nil {
		return err
	}
	defer f.Close()
	ready()
	if delimited {
		return sendDelimited(f, count, killAfter)
	}
	w, err := fifochan.NewWriter(f, m.name(), wopts...)
	if err != nil {
		return err
	}
	for seq := 0; seq <= count; seq++ {
		if seq == killAfter {
			if err := w.Flush(); err != nil {
				return err
			}
			tag, p := m.encode(seq)
			crash(f, frameBytes(tag, h, p, wopts))
		}
		if seq == count {
			break
		}
		tag, p := m.encode(seq)
		if err := w.WriteFrameHeaders(tag, h, p); err != nil {
			return err
		}
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

// frameBytes encodes one frame with the library's framing (docs/wire-format.md);
// used only to write half of one before a simulated crash.
func frameBytes(tag string, h fifochan.Headers, payload []byte, wopts []fifochan.WriterOption) []byte {
	var buf bytesBuffer
	w, _ := fifochan.NewWriter(&buf, "bytes", wopts...)
	w.Flush()
	buf.b = buf.b[:0] // drop the preamble
	w.WriteFrameHeaders(tag, h, payload)
	w.Flush()
	return buf.b
}

type bytesBuffer struct{ b []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }

func sendDelimited(f *os.File, count, killAfter int) error {
	w, err := fifochan.NewDelimitedWriter(f)
	if err != nil {
		return err
	}
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
	var want headerFlags
	fs.Var(&want, "expect-header", "KEY=VALUE every message must carry (repeatable)")
	liveness := fs.Duration("liveness", 0, "fail when an open writer session sends nothing for this long")
	progress := fs.Bool("progress", false, "print PROGRESS <n> on stderr after each message")
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
	opts := []fifochan.ReceiverOption{fifochan.CreateIfMissing(*create)}
	if !*create {
		wctx, cancel := context.WithTimeout(ctx, openTimeout)
		err := waitExists(wctx, *path)
		cancel()
		if err != nil {
			return err
		}
	}
	if *delimited {
		return recvDelimited(ctx, *path, *count, *create)
	}
	if *follow {
		opts = append(opts, fifochan.Follow())
	}
	if *liveness > 0 {
		opts = append(opts, fifochan.LivenessTimeout(*liveness))
	}
	r, err := fifochan.OpenReceiver(ctx, *path, seqCodec{m}, opts...)
	if err != nil {
		return err
	}
	defer r.Close()
	ready()
	// The first writer must come within the open timeout.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first := time.AfterFunc(openTimeout, cancel)
	defer first.Stop()
	var v verifier
	n := 0
	for *count == 0 || n < *count {
		e, err := r.ReceiveEnvelope(rctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			switch {
			case *follow && ctx.Err() != nil:
				// A follower has no natural end: SIGINT/SIGTERM is its clean stop.
				fmt.Printf("OK %d\n", n)
				return nil
			case errors.Is(err, context.Canceled) && ctx.Err() == nil:
				return fail(exitTimeout, "recv: no writer within %v: %v", openTimeout, err)
			case *follow && errors.Is(err, fifochan.ErrAborted):
				fmt.Fprintln(os.Stderr, "fifochan-peer: writer session aborted:", oneLine(err.Error()))
				continue
			case *follow && isSessionEnd(err):
				fmt.Fprintln(os.Stderr, "fifochan-peer: writer session ended uncleanly:", oneLine(err.Error()))
				continue
			case errors.Is(err, fifochan.ErrAborted):
				var ae *fifochan.AbortedError
				errors.As(err, &ae)
				fmt.Printf("ABORTED %d %s\n", n, oneLine(ae.Reason))
			}
			return err
		}
		first.Stop()
		for _, h := range want {
			if got, ok := e.Headers.Get(h.Key); !ok || string(got) != string(h.Value) {
				return fail(exitDecode, "recv: message %d at offset %d: header %s=%q, want %q", n, e.Offset, h.Key, got, h.Value)
			}
		}
		if err := v.check(e.Value); err != nil {
			return err
		}
		n++
		if *progress {
			fmt.Fprintf(os.Stderr, "PROGRESS %d\n", n)
		}
	}
	if *count > 0 && n < *count {
		return fail(exitTruncated, "recv: clean end of stream after %d of %d messages", n, *count)
	}
	fmt.Printf("OK %d\n", n)
	return nil
}

// isSessionEnd reports whether err ended a writer session (a following
// receiver goes on after it).
func isSessionEnd(err error) bool {
	var se *fifochan.StreamError
	return errors.As(err, &se) && !errors.Is(err, fifochan.ErrLivenessTimeout)
}

func recvDelimited(ctx context.Context, path string, count int, create bool) error {
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	ready()
	f, err := fifochan.OpenReadEnd(octx, path, fifochan.CreateIfMissing(create))
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := fifochan.NewDelimitedReader(f)
	if err != nil {
		return err
	}
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
	wire := wireFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := lookupMessages(*codecName)
	if *in == "" || *out == "" || err != nil {
		return fail(exitUsage, "echo: need -in, -out, -codec protobuf|json|string|bytes")
	}
	wopts, err := wireOpts(*wire)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := waitExists(wctx, *in); err != nil {
		return err
	}
	r, err := fifochan.OpenReceiver(ctx, *in, rawCodec{m}, fifochan.CreateIfMissing(false))
	if err != nil {
		return err
	}
	defer r.Close()
	ready()
	// Open the write end in the background: the other side may open its
	// reader only after it has started writing to -in.
	type opened struct {
		w   *fifochan.Sender[rawFrame]
		err error
	}
	outc := make(chan opened, 1)
	go func() {
		if err := waitExists(wctx, *out); err != nil {
			outc <- opened{nil, err}
			return
		}
		sopts := []fifochan.SenderOption{fifochan.CreateIfMissing(false), fifochan.FlushDelay(0)}
		for _, o := range wopts {
			sopts = append(sopts, o)
		}
		w, err := fifochan.OpenWriter(wctx, *out, rawCodec{m}, sopts...)
		outc <- opened{w, err}
	}()
	var w *fifochan.Sender[rawFrame]
	getWriter := func() error {
		if w != nil {
			return nil
		}
		o := <-outc
		w = o.w
		return o.err
	}
	defer func() {
		if w != nil {
			w.Abort("echo: stopped") // a no-op after Close or Abort
		}
	}()
	for {
		e, err := r.ReceiveEnvelope(ctx)
		if err == io.EOF {
			break
		}
		if gerr := getWriter(); gerr != nil {
			return gerr
		}
		if err != nil {
			var ae *fifochan.AbortedError
			if errors.As(err, &ae) {
				w.Abort(ae.Reason)
			} else {
				w.Abort(err.Error())
			}
			return err
		}
		if err := w.SendHeaders(ctx, e.Value, e.Headers); err != nil {
			return err
		}
	}
	if err := getWriter(); err != nil {
		return err
	}
	return w.Close()
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

// seqSender encodes message seq of the known sequence.
type seqSender struct{ m messages }

func (c seqSender) Name() string { return c.m.name() }
func (c seqSender) Tag(seq int) string {
	tag, _ := c.m.encode(seq)
	return tag
}
func (c seqSender) Append(dst []byte, seq int) ([]byte, error) {
	_, p := c.m.encode(seq)
	return append(dst, p...), nil
}
func (seqSender) Decode(string, []byte) (int, error) { return 0, errors.New("seqSender cannot decode") }
