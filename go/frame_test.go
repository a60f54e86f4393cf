package fifochan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// stream builds a stream with a Writer; opts apply to the Writer.
func stream(t testing.TB, codec string, frames []string, opts ...Option) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, codec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := w.WriteFrame("", []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readAll(t testing.TB, r *Reader) ([]string, error) {
	t.Helper()
	var got []string
	for {
		_, p, err := r.Next()
		if err != nil {
			return got, err
		}
		got = append(got, string(p))
	}
}

func TestRoundTripSplitReads(t *testing.T) {
	frames := []string{"", "a", strings.Repeat("x", 70000), "tail"}
	for _, sum := range []bool{false, true} {
		var opts []Option
		if sum {
			opts = append(opts, WithChecksum())
		}
		data := stream(t, "bytes", frames, opts...)
		for name, src := range map[string]io.Reader{
			"whole":    bytes.NewReader(data),
			"one-byte": oneByteReader{bytes.NewReader(data)},
			"halves":   io.MultiReader(bytes.NewReader(data[:len(data)/2]), bytes.NewReader(data[len(data)/2:])),
		} {
			got, err := readAll(t, NewReader(src))
			if err != io.EOF {
				t.Fatalf("checksum=%v %s: %v", sum, name, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(frames) {
				t.Fatalf("checksum=%v %s: got %d frames, want %d", sum, name, len(got), len(frames))
			}
		}
	}
}

func TestReaderErrorsAreSticky(t *testing.T) {
	data := stream(t, "bytes", []string{"a"})
	r := NewReader(bytes.NewReader(data[:len(data)-3]))
	if _, err := readAll(t, r); !errors.Is(err, ErrTruncatedStream) {
		t.Fatalf("got %v, want truncated", err)
	}
	if _, _, err := r.Next(); !errors.Is(err, ErrTruncatedStream) {
		t.Fatalf("second call: %v", err)
	}
}

// TestReaderCheckOrder checks docs/wire-format.md §5's order where one
// header breaks several rules at once.
func TestReaderCheckOrder(t *testing.T) {
	pre := stream(t, "bytes", nil)
	pre = pre[: len(pre)-6 : len(pre)-6] // preamble only; appends copy
	hdr := func(length uint32, flags, tagLen byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, length), flags, tagLen)
	}
	cases := []struct {
		name string
		data []byte
		max  int
		want error
		not  error
	}{
		{"no writer before top bit", hdr(0x80000000, 0xff, 0), 0, ErrCorruptFrame, nil},
		{"top bit before too long", append(pre, hdr(0x80000001, 0, 0)...), 16, ErrCorruptFrame, ErrFrameTooLong},
		{"too long before reserved flag", append(pre, hdr(17, 0x80, 0)...), 16, ErrFrameTooLong, nil},
		{"too long at the absolute cap", append(pre, hdr(MaxFrameLengthLimit, 0, 0)...), 0, ErrFrameTooLong, nil},
		{"reserved flag before bad end", append(pre, hdr(1, 0x05, 0)...), 0, ErrCorruptFrame, nil},
		{"end with tag", append(pre, hdr(0, 0x01, 1)...), 0, ErrCorruptFrame, nil},
		{"codec length before version", []byte{0x89, 'F', 'C', 'H', 2, 0}, 0, ErrCorruptFrame, nil},
		{"codec name before version", []byte{0x89, 'F', 'C', 'H', 2, 2, 'a', ' '}, 0, ErrCorruptFrame, nil},
		{"version after a valid name", []byte{0x89, 'F', 'C', 'H', 2, 1, 'a'}, 0, ErrIncompatibleStream, nil},
		{"codec length above 64", []byte{0x89, 'F', 'C', 'H', 1, 65}, 0, ErrCorruptFrame, nil},
		{"codec name not printable", []byte{0x89, 'F', 'C', 'H', 1, 2, 'a', 0}, 0, ErrCorruptFrame, nil},
		{"truncated after length", append(pre, 0, 0, 0, 1), 0, ErrTruncatedStream, nil},
		{"truncated checksum", append(append(pre, hdr(1, 2, 0)...), 'x', 0, 0), 0, ErrTruncatedStream, nil},
		{"checksum mismatch", append(append(pre, hdr(1, 2, 0)...), 'x', 0, 0, 0, 0), 0, ErrChecksumMismatch, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []Option
			if c.max > 0 {
				opts = append(opts, MaxFrameLength(c.max))
			}
			_, err := readAll(t, NewReader(bytes.NewReader(c.data), opts...))
			if !errors.Is(err, c.want) || (c.not != nil && errors.Is(err, c.not)) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestExpectCodec(t *testing.T) {
	for _, c := range []struct {
		reader, wire string
		ok           bool
	}{
		{"string", "string", true}, {"string", "json", true}, {"bytes", "protobuf", true},
		{"json", "string", false}, {"protobuf", "json", false}, {"my-codec", "my-codec", true},
	} {
		data := stream(t, c.wire, []string{"1"})
		_, err := readAll(t, NewReader(bytes.NewReader(data), ExpectCodec(c.reader)))
		if c.ok != (err == io.EOF) || (!c.ok && !errors.Is(err, ErrIncompatibleStream)) {
			t.Errorf("reader %s, stream %s: %v", c.reader, c.wire, err)
		}
	}
}

// TestHugeLengthAllocatesLittle: a bogus length must not allocate up to
// it when the data is not there.
func TestHugeLengthAllocatesLittle(t *testing.T) {
	pre := stream(t, "bytes", nil)
	data := append(pre[:len(pre)-6], 0x00, 0xff, 0xff, 0xff, 0, 0, 'x')
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readAll(t, NewReader(bytes.NewReader(data)))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncatedStream) {
		t.Fatalf("got %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Fatalf("allocated %d bytes for a 7-byte frame claiming 16 MiB", n)
	}
}

// recorder records every Write call.
type recorder struct {
	writes [][]byte
	err    error
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	r.writes = append(r.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestWriterBuffers(t *testing.T) {
	var rec recorder
	w, _ := NewWriter(&rec, "bytes")
	for i := 0; i < 100; i++ {
		if err := w.WriteFrame("", make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.writes) != 0 {
		t.Fatalf("%d writes before the buffer filled", len(rec.writes))
	}
	for i := 0; i < 1000; i++ {
		w.WriteFrame("", make([]byte, 100))
	}
	if len(rec.writes) == 0 || len(rec.writes[0]) < DefaultBufferSize {
		t.Fatalf("writes %d, want one of at least %d bytes", len(rec.writes), DefaultBufferSize)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame("", nil); err == nil {
		t.Fatal("write after Close succeeded")
	}
	got, err := readAll(t, NewReader(bytes.NewReader(bytes.Join(rec.writes, nil))))
	if err != io.EOF || len(got) != 1100 {
		t.Fatalf("read back %d frames, %v", len(got), err)
	}
}

// TestFanInWrites: every write is at most PipeBuf bytes of whole records.
func TestFanInWrites(t *testing.T) {
	var rec recorder
	w, _ := NewWriter(&rec, "bytes", FanIn(), WithChecksum())
	for i := 0; i < 500; i++ {
		if err := w.WriteFrame("t", make([]byte, i*7%1000)); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, PipeBuf)
	if err := w.WriteFrame("", big); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("a %d-byte record in fan-in mode: %v", len(big)+10, err)
	}
	if err := w.WriteFrame("", big[:PipeBuf-10]); err != nil {
		t.Fatalf("a record of exactly PipeBuf bytes: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	frames := 0
	for i, p := range rec.writes {
		if len(p) > PipeBuf {
			t.Fatalf("write %d has %d bytes", i, len(p))
		}
		// Each write must parse as whole records on its own.
		r := NewReader(bytes.NewReader(append([]byte{0x89, 'F', 'C', 'H', 1, 1, 'b'}, p...)))
		r.writers = 2 // as if preambles were already seen
		for {
			rec, err := r.ReadRecord()
			if err == io.EOF || (errors.Is(err, ErrTruncatedStream) && r.Offset() == int64(7+len(p))) {
				break
			}
			if err != nil {
				t.Fatalf("write %d is not whole records: %v", i, err)
			}
			if rec.Kind == KindFrame {
				frames++
			}
		}
	}
	if frames != 501 {
		t.Fatalf("%d frames in the writes, want 501", frames)
	}
}

func TestWriterLimits(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, "bytes", MaxFrameLength(10))
	if err := w.WriteFrame("", make([]byte, 11)); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("11 bytes with max 10: %v", err)
	}
	if err := w.WriteFrame(strings.Repeat("t", 256), nil); err == nil {
		t.Fatal("256-byte tag accepted")
	}
	if err := w.WriteFrame(strings.Repeat("t", 255), make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r := NewReader(&b)
	tag, p, err := r.Next()
	if err != nil || len(tag) != 255 || len(p) != 10 {
		t.Fatalf("got %d-byte tag, %d-byte payload, %v", len(tag), len(p), err)
	}
	for _, name := range []string{"", strings.Repeat("c", 65), "a\x00"} {
		if _, err := NewWriter(&b, name); err == nil {
			t.Errorf("codec name %q accepted", name)
		}
	}
}

func TestWriterPeerClosed(t *testing.T) {
	w, _ := NewWriter(&recorder{err: &fsError{syscall.EPIPE}}, "bytes")
	w.WriteFrame("", []byte("x"))
	err := w.Flush()
	var se *StreamError
	if !errors.Is(err, ErrPeerClosed) || !errors.Is(err, syscall.EPIPE) || !errors.As(err, &se) {
		t.Fatalf("got %v", err)
	}
	if err2 := w.WriteFrame("", nil); !errors.Is(err2, ErrPeerClosed) {
		t.Fatalf("after failure: %v", err2)
	}
}

type fsError struct{ err error }

func (e *fsError) Error() string { return "write x: " + e.err.Error() }
func (e *fsError) Unwrap() error { return e.err }

func TestCodecs(t *testing.T) {
	if _, err := String().Decode("", []byte{0xff}); !errors.Is(err, ErrDecode) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := String().Append(nil, "\xff"); err == nil {
		t.Error("string codec encoded invalid UTF-8")
	}
	type order struct{ ID int }
	j := JSON[order](func(order) string { return "order" })
	p, _ := j.Append(nil, order{7})
	if v, err := j.Decode("order", p); err != nil || v.ID != 7 || j.Tag(v) != "order" {
		t.Errorf("json: %v %v", v, err)
	}
	if _, err := j.Decode("", []byte("{")); !errors.Is(err, ErrDecode) {
		t.Errorf("bad json: %v", err)
	}
	b := Bytes()
	in := []byte("abc")
	out, _ := b.Decode("", in)
	in[0] = 'X'
	if string(out) != "abc" {
		t.Error("bytes codec does not copy")
	}
	if _, err := interopTypes.Decode("no.Such", nil); !errors.Is(err, ErrUnknownType) || !errors.Is(err, ErrDecode) {
		t.Errorf("unknown tag: %v", err)
	}
	if _, err := interopTypes.Decode("fifochan.interop.Ping", []byte{0xff}); !errors.Is(err, ErrDecode) || errors.Is(err, ErrUnknownType) {
		t.Errorf("bad protobuf: %v", err)
	}
}

func TestErrorRelations(t *testing.T) {
	err := error(streamErr(ErrChecksumMismatch, 42, "x"))
	var se *StreamError
	if !errors.Is(err, ErrCorruptFrame) || !errors.As(err, &se) || se.Offset != 42 {
		t.Fatalf("%v", err)
	}
	if errors.Is(ErrCorruptFrame, ErrChecksumMismatch) || errors.Is(ErrDecode, ErrUnknownType) {
		t.Fatal("sentinel relations are reversed")
	}
}

var errEPIPE = syscall.EPIPE
