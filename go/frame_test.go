package fifochan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// stream builds a stream with a Writer; opts apply to the Writer.
func stream(t testing.TB, codec string, frames []string, opts ...WriterOption) []byte {
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

func newReader(t testing.TB, src io.Reader, opts ...ReaderOption) *Reader {
	t.Helper()
	r, err := NewReader(src, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
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

// raw builds records by hand.
type raw []byte

func (b raw) preamble(version byte, codec string) raw {
	b = append(b, magic[:]...)
	b = append(b, version, byte(len(codec)))
	return append(b, codec...)
}

// record appends a record with the given flags; hdr is the header block
// (written with its length iff flags has HEADERS); CHECKSUM adds the CRC.
func (b raw) record(flags byte, tag string, hdr []byte, payload string) raw {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, flags, byte(len(tag)))
	b = append(b, tag...)
	if flags&flagHeaders != 0 {
		b = binary.BigEndian.AppendUint16(b, uint16(len(hdr)))
		b = append(b, hdr...)
	}
	b = append(b, payload...)
	if flags&flagChecksum != 0 {
		b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
	}
	return b
}

func hdrBlock(kv ...string) []byte {
	var b []byte
	for i := 0; i < len(kv); i += 2 {
		b = append(b, byte(len(kv[i])))
		b = append(b, kv[i]...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(kv[i+1])))
		b = append(b, kv[i+1]...)
	}
	return b
}

func TestRoundTripSplitReads(t *testing.T) {
	frames := []string{"", "a", strings.Repeat("x", 300000), "tail"}
	for _, sum := range []bool{false, true} {
		var opts []WriterOption
		if sum {
			opts = append(opts, WithChecksum())
		}
		var b bytes.Buffer
		w, _ := NewWriter(&b, "bytes", opts...)
		for i, f := range frames {
			var h Headers
			if i%2 == 1 {
				h = Headers{{"fc-id", []byte(fmt.Sprint(i))}, {"content-type", []byte("text/plain")}}
			}
			if err := w.WriteFrameHeaders("t", h, []byte(f)); err != nil {
				t.Fatal(err)
			}
			if err := w.WriteHeartbeat(); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		data := b.Bytes()
		for name, src := range map[string]io.Reader{
			"whole":    bytes.NewReader(data),
			"one-byte": oneByteReader{bytes.NewReader(data)},
			"halves":   io.MultiReader(bytes.NewReader(data[:len(data)/2]), bytes.NewReader(data[len(data)/2:])),
		} {
			r := newReader(t, src)
			var got []string
			for {
				rec, err := r.ReadRecord()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("checksum=%v %s: %v", sum, name, err)
				}
				if rec.Kind != KindFrame {
					continue
				}
				i := len(got)
				got = append(got, string(rec.Payload))
				if id, ok := rec.Headers.Get("fc-id"); (i%2 == 1) != ok || (ok && string(id) != fmt.Sprint(i)) {
					t.Fatalf("frame %d: headers %v", i, rec.Headers)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(frames) {
				t.Fatalf("checksum=%v %s: got %d frames, want %d", sum, name, len(got), len(frames))
			}
		}
	}
}

func TestReaderErrorsAreSticky(t *testing.T) {
	data := stream(t, "bytes", []string{"a"})
	r := newReader(t, bytes.NewReader(data[:len(data)-3]))
	if _, err := readAll(t, r); !errors.Is(err, ErrTruncatedStream) {
		t.Fatalf("got %v, want truncated", err)
	}
	if _, _, err := r.Next(); !errors.Is(err, ErrTruncatedStream) {
		t.Fatalf("second call: %v", err)
	}
}

// flakyReader returns an error every other call, then data.
type flakyReader struct {
	r   io.Reader
	odd bool
}

var errFlaky = errors.New("try again")

func (f *flakyReader) Read(p []byte) (int, error) {
	f.odd = !f.odd
	if f.odd {
		return 0, errFlaky
	}
	return f.r.Read(p[:min(len(p), 3)])
}

// TestReaderResumesAfterReadErrors: an error of the underlying reader
// consumes nothing; the next call goes on where the stream stopped.
func TestReaderResumesAfterReadErrors(t *testing.T) {
	data := stream(t, "bytes", []string{"hello", "world", strings.Repeat("z", 1000)})
	r := newReader(t, &flakyReader{r: bytes.NewReader(data)})
	var got []string
	errs := 0
	for {
		_, p, err := r.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errFlaky) {
			errs++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(p))
	}
	if len(got) != 3 || got[0] != "hello" || got[1] != "world" || len(got[2]) != 1000 || errs == 0 {
		t.Fatalf("got %q after %d read errors", got, errs)
	}
}

// TestReaderCheckOrder checks design-1.0 §2.3's order where one record
// breaks several rules at once.
func TestReaderCheckOrder(t *testing.T) {
	pre := raw(nil).preamble(1, "bytes")
	pre2 := raw(nil).preamble(2, "bytes")
	hdr := func(length uint32, flags, tagLen byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, length), flags, tagLen)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name string
		data []byte
		max  int
		want error
		not  error
		off  int64
	}{
		{"no writer before top bit", hdr(0x80000000, 0xff, 0), 0, ErrCorruptFrame, nil, 0},
		{"top bit before too long", cat(pre, hdr(0x80000001, 0, 0)), 16, ErrCorruptFrame, ErrFrameTooLong, 11},
		{"too long before reserved flag", cat(pre, hdr(17, 0x80, 0)), 16, ErrFrameTooLong, nil, 11},
		{"too long before truncation", cat(pre, []byte{0, 0, 0, 17}), 16, ErrFrameTooLong, nil, 11},
		{"too long at the absolute cap", cat(pre, hdr(MaxFrameLengthLimit, 0, 0)), 0, ErrFrameTooLong, nil, 11},
		{"reserved flag before bad end", cat(pre, hdr(1, 0x05, 0)), 0, ErrCorruptFrame, nil, 11},
		{"flags and tag-len read together", cat(pre, []byte{0, 0, 0, 0, 0x80}), 0, ErrTruncatedStream, nil, 11},
		{"end with tag", cat(pre, hdr(0, 0x01, 1)), 0, ErrCorruptFrame, nil, 11},
		{"1.1 flag after a 1.0 preamble", cat(pre, hdr(0, flagHeartbeat, 0)), 0, ErrCorruptFrame, nil, 11},
		{"headers flag after a 1.0 preamble", cat(pre, hdr(0, flagHeaders, 0)), 0, ErrCorruptFrame, nil, 11},
		{"aborted without end", cat(pre2, hdr(0, flagAborted, 0)), 0, ErrCorruptFrame, nil, 11},
		{"end with headers", cat(pre2, hdr(0, flagEnd|flagHeaders, 0)), 0, ErrCorruptFrame, nil, 11},
		{"heartbeat with payload", cat(pre2, hdr(1, flagHeartbeat, 0)), 0, ErrCorruptFrame, nil, 11},
		{"heartbeat with end", cat(pre2, hdr(0, flagHeartbeat|flagEnd, 0)), 0, ErrCorruptFrame, nil, 11},
		{"aborted reason too long", cat(pre2, hdr(1025, flagEnd|flagAborted, 0)), 0, ErrCorruptFrame, nil, 11},
		{"aborted reason too long for max", cat(pre2, hdr(100, flagEnd|flagAborted, 0)), 16, ErrFrameTooLong, nil, 11},
		{"aborted with tag", cat(pre2, hdr(0, flagEnd|flagAborted, 1)), 0, ErrCorruptFrame, nil, 11},
		{"header block too long, before reading it", cat(pre2, hdr(0, flagHeaders, 0), []byte{0x20, 0x01}), 0, ErrCorruptFrame, nil, 11},
		{"headers-len missing", cat(pre2, hdr(0, flagHeaders, 0), []byte{0}), 0, ErrTruncatedStream, nil, 11},
		{"codec length before version", []byte{0x89, 'F', 'C', 'H', 3, 0}, 0, ErrCorruptFrame, nil, 0},
		{"codec name before version", []byte{0x89, 'F', 'C', 'H', 3, 2, 'a', ' '}, 0, ErrCorruptFrame, nil, 0},
		{"version after a valid name", []byte{0x89, 'F', 'C', 'H', 3, 1, 'a'}, 0, ErrIncompatibleStream, nil, 0},
		{"version 0", []byte{0x89, 'F', 'C', 'H', 0, 1, 'a'}, 0, ErrIncompatibleStream, nil, 0},
		{"codec length above 64", []byte{0x89, 'F', 'C', 'H', 1, 65}, 0, ErrCorruptFrame, nil, 0},
		{"codec name not printable", []byte{0x89, 'F', 'C', 'H', 1, 2, 'a', 0}, 0, ErrCorruptFrame, nil, 0},
		{"truncated after length", cat(pre, []byte{0, 0, 0, 1}), 0, ErrTruncatedStream, nil, 11},
		{"truncated checksum", cat(pre, hdr(1, 2, 0), []byte{'x', 0, 0}), 0, ErrTruncatedStream, nil, 11},
		{"checksum mismatch", cat(pre, hdr(1, 2, 0), []byte{'x', 0, 0, 0, 0}), 0, ErrChecksumMismatch, nil, 11},
		{"checksum before bad headers", cat(pre2, hdr(0, flagHeaders|flagChecksum, 0), []byte{0, 0, 0, 0, 0, 0}), 0, ErrChecksumMismatch, nil, 11},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []ReaderOption
			if c.max > 0 {
				opts = append(opts, MaxFrameLength(c.max))
			}
			_, err := readAll(t, newReader(t, bytes.NewReader(c.data), opts...))
			var se *StreamError
			if !errors.Is(err, c.want) || (c.not != nil && errors.Is(err, c.not)) || !errors.As(err, &se) || se.Offset != c.off {
				t.Fatalf("got %v, want %v at %d", err, c.want, c.off)
			}
		})
	}
}

// TestPerMessageFailures: a bad tag or a bad header block fails that
// frame alone, at its offset; the stream goes on.
func TestPerMessageFailures(t *testing.T) {
	long := strings.Repeat("k", 65)
	cases := []struct {
		name string
		tag  string
		hdr  []byte
		want error
	}{
		{"tag not UTF-8", "\xff\xfe", nil, ErrBadTag},
		{"bad tag before bad headers", "\xff", []byte{}, ErrBadTag},
		{"empty header block", "", []byte{}, ErrBadHeaders},
		{"key length 0", "", []byte{0, 0, 0}, ErrBadHeaders},
		{"key too long", "", hdrBlock(long, "v"), ErrBadHeaders},
		{"key with upper case", "", hdrBlock("Key", "v"), ErrBadHeaders},
		{"key with a space", "", hdrBlock("a b", "v"), ErrBadHeaders},
		{"duplicate key", "", hdrBlock("a", "1", "a", "2"), ErrBadHeaders},
		{"value runs past the block", "", hdrBlock("a", "123")[:5], ErrBadHeaders},
		{"value-len missing", "", []byte{1, 'a', 0}, ErrBadHeaders},
		{"value too long", "", hdrBlock("a", strings.Repeat("v", 4097)), ErrBadHeaders},
		{"65 entries", "", func() []byte {
			var kv []string
			for i := 0; i < 65; i++ {
				kv = append(kv, fmt.Sprintf("k%d", i), "")
			}
			return hdrBlock(kv...)
		}(), ErrBadHeaders},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flags := byte(0)
			if c.hdr != nil {
				flags = flagHeaders
			}
			data := raw(nil).preamble(2, "string").
				record(0, "", nil, "before").
				record(flags|flagChecksum, c.tag, c.hdr, "bad").
				record(0, "", nil, "after").
				record(flagEnd, "", nil, "")
			r := newReader(t, bytes.NewReader(data))
			var got []string
			var failures []error
			for {
				_, p, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					var me *MessageError
					if !errors.As(err, &me) {
						t.Fatalf("after %v: %v", got, err)
					}
					failures = append(failures, err)
					continue
				}
				got = append(got, string(p))
			}
			var me *MessageError
			if fmt.Sprint(got) != "[before after]" || len(failures) != 1 || !errors.Is(failures[0], c.want) ||
				!errors.Is(failures[0], ErrMalformedFrame) || !errors.Is(failures[0], ErrDecode) ||
				!errors.As(failures[0], &me) || me.Offset != 24 {
				t.Fatalf("got %v, failures %v; want before, one %v at 24, after", got, failures, c.want)
			}
		})
	}
}

func TestAbortedEnd(t *testing.T) {
	for _, sum := range []bool{false, true} {
		var b bytes.Buffer
		var opts []WriterOption
		if sum {
			opts = append(opts, WithChecksum())
		}
		w, _ := NewWriter(&b, "string", opts...)
		w.WriteFrame("", []byte("a"))
		w.WriteFrame("", []byte("b"))
		if err := w.Abort("disk full: é"); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame("", nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("write after Abort: %v", err)
		}
		r := newReader(t, bytes.NewReader(b.Bytes()))
		got, err := readAll(t, r)
		var ae *AbortedError
		if fmt.Sprint(got) != "[a b]" || !errors.As(err, &ae) || ae.Reason != "disk full: é" || !errors.Is(err, ErrAborted) {
			t.Fatalf("got %v then %v", got, err)
		}
		wantOff := int64(12 + 2*(7+4*boolInt(sum)))
		if ae.Offset != wantOff {
			t.Fatalf("aborted end at %d, want %d", ae.Offset, wantOff)
		}
		// At end of file the outcome is the aborted end again, never io.EOF.
		if _, _, err := r.Next(); !errors.As(err, &ae) {
			t.Fatalf("outcome: %v", err)
		}
	}
	// The smallest aborted end.
	var b bytes.Buffer
	w, _ := NewWriter(&b, "bytes")
	w.Abort("")
	if !bytes.HasSuffix(b.Bytes(), []byte{0, 0, 0, 0, 9, 0}) {
		t.Fatalf("% x", b.Bytes())
	}
	// A 1.0 writer's abort writes no end: the reader sees a truncated stream.
	b.Reset()
	w, _ = NewWriter(&b, "bytes", WireVersion10())
	w.WriteFrame("", []byte("x"))
	w.Abort("ignored")
	if _, err := readAll(t, newReader(t, &b)); !errors.Is(err, ErrTruncatedStream) {
		t.Fatalf("1.0 abort: %v", err)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAbortedEndInFanIn: an aborted end ends one writer session; the
// others go on, and the outcome at end of file is the aborted end.
func TestAbortedEndInFanIn(t *testing.T) {
	data := raw(nil).preamble(2, "bytes").preamble(2, "bytes").
		record(0, "", nil, "a1").
		record(flagEnd|flagAborted, "", nil, "boom").
		record(0, "", nil, "b1").
		record(flagEnd, "", nil, "")
	r := newReader(t, bytes.NewReader(data))
	var got []string
	var aborted int
	for {
		_, p, err := r.Next()
		if errors.Is(err, ErrAborted) {
			aborted++
			if aborted == 2 {
				break // the outcome at end of file
			}
			continue
		}
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, string(p))
	}
	if fmt.Sprint(got) != "[a1 b1]" {
		t.Fatalf("got %v", got)
	}
}

func TestDecodeReason(t *testing.T) {
	// One U+FFFD per run of bytes that are not part of a well-formed
	// sequence (wire format §4.3; the vector aborted-reason-invalid-utf8).
	for in, want := range map[string]string{
		"ok":                 "ok",
		"a\xffb":             "a\uFFFDb",
		"\xe2\x82x":          "\uFFFDx",
		"\xed\xa0\x80":       "\uFFFD",
		"\xff\xfe\uFFFD\xff": "\uFFFD\uFFFD\uFFFD",
		"\xf0\x9f\x98":       "\uFFFD",
	} {
		if got := decodeReason([]byte(in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", 600) // 1200 bytes
	if got := truncateReason(long); len(got) != 1024 || got != strings.Repeat("é", 512) {
		t.Errorf("truncated to %d bytes", len(got))
	}
	if got := truncateReason(strings.Repeat("a", 1023) + "é"); got != strings.Repeat("a", 1023) {
		t.Errorf("cut inside a character: %q", got[1020:])
	}
}

func TestHeartbeatsAreNotDelivered(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, "bytes")
	w.WriteHeartbeat()
	w.WriteFrame("", []byte("x"))
	w.WriteHeartbeat()
	w.Close()
	if !bytes.Contains(b.Bytes(), []byte{0, 0, 0, 0, flagHeartbeat, 0}) {
		t.Fatalf("no heartbeat record in % x", b.Bytes())
	}
	got, err := readAll(t, newReader(t, &b))
	if err != io.EOF || fmt.Sprint(got) != "[x]" {
		t.Fatalf("got %v, %v", got, err)
	}
	w, _ = NewWriter(&b, "bytes", WireVersion10())
	if err := w.WriteHeartbeat(); err == nil {
		t.Fatal("a 1.0 writer wrote a heartbeat")
	}
}

// TestWireVersion10 emits 0.1's bytes; the default announces version 2
// and is otherwise identical while no 1.1 feature is used.
func TestWireVersion10(t *testing.T) {
	old := stream(t, "string", []string{"hi"}, WireVersion10())
	want := []byte{0x89, 'F', 'C', 'H', 1, 6, 's', 't', 'r', 'i', 'n', 'g', 0, 0, 0, 2, 0, 0, 'h', 'i', 0, 0, 0, 0, 1, 0}
	if !bytes.Equal(old, want) {
		t.Fatalf("1.0: % x", old)
	}
	cur := stream(t, "string", []string{"hi"})
	want[4] = 2
	if !bytes.Equal(cur, want) {
		t.Fatalf("1.1: % x", cur)
	}
	var b bytes.Buffer
	w, _ := NewWriter(&b, "string", WireVersion10())
	if err := w.WriteFrameHeaders("", Headers{{"a", nil}}, nil); !errors.Is(err, ErrBadHeaders) {
		t.Fatalf("headers on a 1.0 writer: %v", err)
	}
}

func TestHeadersValidation(t *testing.T) {
	var kv Headers
	for i := 0; i < 65; i++ {
		kv = append(kv, Header{fmt.Sprintf("k%d", i), nil})
	}
	big := Headers{}
	for i := 0; i < 3; i++ {
		big = append(big, Header{fmt.Sprintf("k%d", i), make([]byte, 4000)})
	}
	for name, c := range map[string]struct {
		h    Headers
		want error
	}{
		"ok":               {Headers{{"fc-id", []byte("1")}, {"a.b_c-d9", nil}}, nil},
		"64 entries":       {kv[:64], nil},
		"65 entries":       {kv, ErrFrameTooLong},
		"empty key":        {Headers{{"", nil}}, ErrBadHeaders},
		"upper case":       {Headers{{"Content-Type", nil}}, ErrBadHeaders},
		"key of 65 bytes":  {Headers{{strings.Repeat("a", 65), nil}}, ErrBadHeaders},
		"value of 4097":    {Headers{{"a", make([]byte, 4097)}}, ErrFrameTooLong},
		"block above 8192": {big, ErrFrameTooLong},
		"duplicate":        {Headers{{"a", nil}, {"a", nil}}, ErrBadHeaders},
	} {
		err := c.h.Validate()
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		var b bytes.Buffer
		w, _ := NewWriter(&b, "bytes")
		before := b.Len() + w.Buffered()
		err = w.WriteFrameHeaders("", c.h, []byte("x"))
		if (c.want == nil) != (err == nil) {
			t.Errorf("%s: writer: %v", name, err)
		}
		if c.want != nil && b.Len()+w.Buffered() != before {
			t.Errorf("%s: a refused frame left bytes behind", name)
		}
	}
	h := Headers{{"a", []byte("1")}, {"b", []byte("2")}}
	c := h.Clone()
	h[0].Value[0] = 'X'
	if v, _ := c.Get("a"); string(v) != "1" {
		t.Error("Clone shares values")
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
		_, err := readAll(t, newReader(t, bytes.NewReader(data), ExpectCodec(c.reader)))
		if c.ok != (err == io.EOF) || (!c.ok && !errors.Is(err, ErrIncompatibleStream)) {
			t.Errorf("reader %s, stream %s: %v", c.reader, c.wire, err)
		}
	}
}

// TestHugeLengthAllocatesLittle: a bogus length must not allocate up to
// it when the data is not there.
func TestHugeLengthAllocatesLittle(t *testing.T) {
	data := append(raw(nil).preamble(2, "bytes"), 0x00, 0xff, 0xff, 0xff, 0, 0, 'x')
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readAll(t, newReader(t, bytes.NewReader(data)))
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
	for i := 0; i < 1000; i++ {
		if err := w.WriteFrame("", make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.writes) != 0 {
		t.Fatalf("%d writes before the buffer filled", len(rec.writes))
	}
	for i := 0; i < 3000; i++ {
		w.WriteFrame("", make([]byte, 100))
	}
	if len(rec.writes) == 0 || len(rec.writes[0]) < DefaultBufferSize {
		t.Fatalf("writes %d, want one of at least %d bytes", len(rec.writes), DefaultBufferSize)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Written() != 4000 {
		t.Fatalf("Written %d", w.Written())
	}
	if err := w.WriteFrame("", nil); err == nil {
		t.Fatal("write after Close succeeded")
	}
	got, err := readAll(t, newReader(t, bytes.NewReader(bytes.Join(rec.writes, nil))))
	if err != io.EOF || len(got) != 4000 {
		t.Fatalf("read back %d frames, %v", len(got), err)
	}
}

// TestFanInWrites: every write is at most PipeBuf bytes of whole records.
func TestFanInWrites(t *testing.T) {
	var rec recorder
	w, _ := NewWriter(&rec, "bytes", FanIn(), WithChecksum())
	for i := 0; i < 500; i++ {
		if err := w.WriteFrameHeaders("t", Headers{{"n", []byte(fmt.Sprint(i))}}, make([]byte, i*7%1000)); err != nil {
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
		r := newReader(t, bytes.NewReader(append(raw(nil).preamble(2, "b"), p...)))
		r.dec.writers = 2 // as if preambles were already seen
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
	if err := w.WriteFrame("\xff", nil); !errors.Is(err, ErrBadTag) {
		t.Fatalf("tag not UTF-8: %v", err)
	}
	if err := w.WriteFrame(strings.Repeat("t", 255), make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r := newReader(t, &b)
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

// TestLargeFrameWrittenFromCallersSlice: a payload of at least half the
// buffer goes out without a copy, and the counts stay exact.
func TestLargeFrameWrittenFromCallersSlice(t *testing.T) {
	for _, sum := range []bool{false, true} {
		var rec recorder
		var opts []WriterOption
		if sum {
			opts = append(opts, WithChecksum())
		}
		w, _ := NewWriter(&rec, "bytes", opts...)
		w.WriteFrame("", []byte("small"))
		w.WriteFrameHeaders("big", Headers{{"a", []byte("b")}}, make([]byte, DefaultBufferSize))
		w.WriteFrame("", []byte("small"))
		w.Close()
		if w.Written() != 3 {
			t.Fatalf("Written %d", w.Written())
		}
		r := newReader(t, bytes.NewReader(bytes.Join(rec.writes, nil)))
		got, err := readAll(t, r)
		if err != io.EOF || len(got) != 3 || len(got[1]) != DefaultBufferSize {
			t.Fatalf("checksum=%v: %d frames, %v", sum, len(got), err)
		}
	}
}

func TestWriterPeerClosed(t *testing.T) {
	w, _ := NewWriter(&recorder{err: &fsError{syscall.EPIPE}}, "bytes")
	w.WriteFrame("", []byte("x"))
	w.WriteFrame("", []byte("y"))
	err := w.Flush()
	var se *SendError
	if !errors.Is(err, ErrPeerClosed) || !errors.Is(err, syscall.EPIPE) || !errors.As(err, &se) || se.Discarded != 2 || se.Written != 0 || se.Torn {
		t.Fatalf("got %v", err)
	}
	if err2 := w.WriteFrame("", nil); !errors.Is(err2, ErrPeerClosed) {
		t.Fatalf("after failure: %v", err2)
	}
}

// shortWriter writes at most n bytes in all, then fails with EPIPE.
type shortWriter struct{ n int }

func (s *shortWriter) Write(p []byte) (int, error) {
	if len(p) <= s.n {
		s.n -= len(p)
		return len(p), nil
	}
	n := s.n
	s.n = 0
	return n, syscall.EPIPE
}

func TestWriterTornFrameIsReported(t *testing.T) {
	// preamble 11 bytes, frames of 6+3 bytes: fail inside the third frame.
	w, _ := NewWriter(&shortWriter{n: 11 + 9 + 9 + 4}, "bytes")
	for i := 0; i < 5; i++ {
		w.WriteFrame("", []byte("abc"))
	}
	err := w.Flush()
	var se *SendError
	if !errors.As(err, &se) || se.Written != 2 || se.Discarded != 3 || !se.Torn {
		t.Fatalf("got %+v", err)
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
	for _, e := range []error{ErrBadTag, ErrBadHeaders} {
		if !errors.Is(e, ErrMalformedFrame) || !errors.Is(e, ErrDecode) {
			t.Errorf("%v is not a malformed frame and a decode failure", e)
		}
	}
	if !errors.Is(&AbortedError{Reason: "x"}, ErrAborted) || !errors.Is(&BusyError{Path: "p"}, ErrFIFOBusy) {
		t.Fatal("typed errors do not match their sentinels")
	}
}

var errEPIPE = syscall.EPIPE

// TestAppendPayloadMatchesAppendFrame: the Bytes Sender's shortcut writes
// the same bytes as the general frame encoder (no tag, no headers), with
// and without checksums, and refuses what it refuses.
func TestAppendPayloadMatchesAppendFrame(t *testing.T) {
	for _, sum := range []bool{false, true} {
		e := encoder{version: version11, checksum: sum, maxFrame: 300}
		for _, n := range []int{0, 1, 100, 300, 301} {
			p := bytes.Repeat([]byte{byte(n)}, n)
			got, gerr := e.appendPayload([]byte("x"), p)
			want, werr := e.appendFrame([]byte("x"), "", nil, func(b []byte) ([]byte, error) { return append(b, p...), nil })
			if !bytes.Equal(got, want) || (gerr == nil) != (werr == nil) || (gerr != nil && !errors.Is(gerr, ErrFrameTooLong)) {
				t.Errorf("checksum %v, %d bytes: %x (%v), want %x (%v)", sum, n, got, gerr, want, werr)
			}
		}
	}
}
