package fifochan

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"

	"fifochan.dev/fifochan/internal/interoppb"
)

func TestDelimitedRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewDelimitedWriter(&b)
	for i := int64(0); i < 100; i++ {
		if err := w.Write(&interoppb.Ping{Seq: i, Text: strings.Repeat("p", int(i))}); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	// The stream is plain protodelim: the library reads it back.
	check := bytes.NewReader(b.Bytes())
	var first interoppb.Ping
	if err := protodelim.UnmarshalFrom(check, &first); err != nil || first.Seq != 0 {
		t.Fatalf("protodelim: %v %v", &first, err)
	}
	r, _ := NewDelimitedReader(oneByteReader{bytes.NewReader(b.Bytes())})
	for i := int64(0); ; i++ {
		var m interoppb.Ping
		err := r.Read(&m)
		if err == io.EOF {
			if i != 100 {
				t.Fatalf("EOF after %d", i)
			}
			break
		}
		if err != nil || m.Seq != i || len(m.Text) != int(i) {
			t.Fatalf("message %d: %v %v", i, &m, err)
		}
	}
}

func TestDelimitedErrors(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewDelimitedWriter(&b, MaxFrameLength(50))
	w.Write(&interoppb.Ping{Seq: 1, Text: "ok"})
	if err := w.Write(&interoppb.Ping{Text: strings.Repeat("x", 60)}); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("oversized write: %v", err)
	}
	w.Write(&interoppb.Ping{Seq: 2})
	w.Flush()
	good := b.Bytes() // two messages: 1+6 and 1+2 bytes
	cases := []struct {
		name string
		data []byte
		max  int
		n    int // messages read before the error
		want error
		off  int64
	}{
		{"truncated body", good[:len(good)-1], 0, 1, ErrTruncatedStream, 7},
		{"truncated size varint", append(append([]byte{}, good...), 0x80), 0, 2, ErrTruncatedStream, 10},
		{"too long", good, 3, 0, ErrFrameTooLong, 0},
		{"varint overflow", bytes.Repeat([]byte{0xff}, 11), 0, 0, ErrCorruptFrame, 0},
		{"bad message", append([]byte{2, 0xff, 0xff}, good...), 0, 0, ErrDecode, 0},
	}
	for _, c := range cases {
		var opts []ReaderOption
		if c.max > 0 {
			opts = append(opts, MaxFrameLength(c.max))
		}
		r, _ := NewDelimitedReader(bytes.NewReader(c.data), opts...)
		var err error
		n := 0
		for ; n < 10; n++ {
			if err = r.Read(&interoppb.Ping{}); err != nil {
				break
			}
		}
		if n != c.n || !errors.Is(err, c.want) || errOffset(err) != c.off {
			t.Errorf("%s: %d messages then %v, want %d then %v at %d", c.name, n, err, c.n, c.want, c.off)
			continue
		}
		if c.want == ErrDecode {
			// Recoverable: the following messages are intact.
			var m interoppb.Ping
			if err := r.Read(&m); err != nil || m.Seq != 1 {
				t.Errorf("%s: after the decode error: %v %v", c.name, &m, err)
			}
		}
	}
}

func TestDelimitedOverFIFO(t *testing.T) {
	ctx := testCtx(t, 10*time.Second)
	path := newFIFO(t)
	cfg := defaultOpen()
	rf, _, err := openRead(path, &cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	wf, err := OpenWriteEnd(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w, _ := NewDelimitedWriter(wf)
		for i := int64(0); i < 1000; i++ {
			w.Write(&interoppb.Ping{Seq: i})
		}
		w.Flush()
		wf.Close()
	}()
	if err := waitReadable(ctx, rf); err != nil {
		t.Fatal(err)
	}
	r, _ := NewDelimitedReader(rf)
	n := int64(0)
	for ; ; n++ {
		var m interoppb.Ping
		if err := r.Read(&m); err == io.EOF {
			break
		} else if err != nil || m.Seq != n {
			t.Fatalf("%d: %v %v", n, &m, err)
		}
	}
	if n != 1000 {
		t.Fatalf("%d messages", n)
	}
}

func TestDelimitedPeerClosed(t *testing.T) {
	w, _ := NewDelimitedWriter(&recorder{err: &fsError{errEPIPE}})
	if err := w.Write(&interoppb.Ping{Seq: 1}); err != nil {
		t.Fatalf("buffered write: %v", err)
	}
	if err := w.Flush(); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("got %v, want ErrPeerClosed", err)
	}
	if err := w.Write(&interoppb.Ping{}); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("after failure: %v", err)
	}
}

// errOffset returns the offset a stream or message error carries, or -2.
func errOffset(err error) int64 {
	var se *StreamError
	var me *MessageError
	switch {
	case errors.As(err, &se):
		return se.Offset
	case errors.As(err, &me):
		return me.Offset
	}
	return -2
}

func TestDelimitedRefusesOptionsThatDoNotApply(t *testing.T) {
	if _, err := NewDelimitedWriter(io.Discard, WithChecksum()); err == nil {
		t.Error("WithChecksum accepted")
	}
	if _, err := NewDelimitedReader(bytes.NewReader(nil), ExpectCodec("json")); err == nil {
		t.Error("ExpectCodec accepted")
	}
	if _, err := NewDelimitedWriter(io.Discard, BufferSize(1)); err == nil {
		t.Error("BufferSize(1) accepted")
	}
}
