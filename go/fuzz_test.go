package fifochan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
)

// readTrace reads data with reads of at most n bytes and returns every
// record, per-message error and the outcome as text.
func readTrace(t *testing.T, data []byte, n int) []string {
	r, err := NewReader(sizedReader{bytes.NewReader(data), n}, MaxFrameLength(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var trace []string
	for i := 0; ; i++ {
		rec, err := r.ReadRecord()
		var me *MessageError
		switch {
		case err == nil:
		case errors.As(err, &me):
			if me.Offset != rec.Offset || rec.Kind != KindFrame {
				t.Fatalf("message error %v for a %v at %d", err, rec.Kind, rec.Offset)
			}
			trace = append(trace, fmt.Sprintf("message error %v", err))
			continue
		case err == io.EOF:
			return append(trace, "clean")
		default:
			var se *StreamError
			var ae *AbortedError
			switch {
			case errors.As(err, &ae):
				if ae.Offset < 0 || ae.Offset >= int64(len(data)) {
					t.Fatalf("aborted outcome outside the input: %v", err)
				}
			case errors.As(err, &se):
				if se.Offset < 0 || se.Offset > int64(len(data)) {
					t.Fatalf("error %v is not within the input", err)
				}
				known := false
				for _, s := range []error{ErrTruncatedStream, ErrCorruptFrame, ErrFrameTooLong, ErrIncompatibleStream} {
					known = known || errors.Is(err, s)
				}
				if !known {
					t.Fatalf("unexpected error kind: %v", err)
				}
			default:
				t.Fatalf("error %v is neither a stream error nor an aborted end", err)
			}
			// Sticky.
			if _, again := r.ReadRecord(); again != err {
				t.Fatalf("not sticky: %v then %v", err, again)
			}
			return append(trace, err.Error())
		}
		if len(rec.Payload) > len(data) || cap(r.buf) > 2*len(data)+2*readBufferSize {
			t.Fatalf("buffer of %d bytes for %d bytes of input", cap(r.buf), len(data))
		}
		if i > len(data) {
			t.Fatal("more records than input bytes")
		}
		trace = append(trace, fmt.Sprintf("%v@%d v%d %q f%02x %q %v %x %q", rec.Kind, rec.Offset, rec.Version, rec.Codec, rec.Flags, rec.Tag, rec.Headers, rec.Payload, rec.Reason))
	}
}

// FuzzReader feeds arbitrary bytes to a Reader: it may only return
// records, per-message errors, io.EOF, an aborted end or one of the stream
// sentinels (sticky), never panic, never hold much more memory than the
// input, and the result must not depend on how the bytes are split into
// reads. Seeded with every vector, so the mutations start from headers,
// aborted ends and heartbeats.
func FuzzReader(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Bin)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := readTrace(t, data, len(data)+1)
		if bytewise := readTrace(t, data, 1); !reflect.DeepEqual(whole, bytewise) {
			t.Fatalf("read whole:\n%q\nread byte by byte:\n%q", whole, bytewise)
		}
	})
}

// FuzzWriteRead writes frames with arbitrary tags, headers and payloads,
// heartbeats and an end (clean or aborted, with an arbitrary reason) and
// reads them back: what the writer accepts reads back exactly, what it
// refuses leaves no byte behind.
func FuzzWriteRead(f *testing.F) {
	f.Add("tag", "fc-id", []byte("7"), []byte("payload"), "reason", true, false, uint8(3))
	f.Add("", "", []byte{}, []byte{}, "", false, true, uint8(0))
	f.Add("\xff", "Bad Key", []byte{0xff}, []byte{0}, "\xed\xa0\x80", true, true, uint8(200))
	f.Fuzz(func(t *testing.T, tag, key string, value, payload []byte, reason string, abort, checksum bool, n uint8) {
		var b bytes.Buffer
		var opts []WriterOption
		if checksum {
			opts = append(opts, WithChecksum())
		}
		w, err := NewWriter(&b, "bytes", opts...)
		if err != nil {
			t.Fatal(err)
		}
		type sent struct {
			tag     string
			h       Headers
			payload []byte
		}
		var want []sent
		for i := 0; i < int(n%8); i++ {
			h := Headers{{Key: key, Value: value}}
			if i%2 == 0 {
				h = nil
			} else if i%3 == 0 {
				h = append(h, Header{Key: fmt.Sprint("k", i), Value: payload})
			}
			before := b.Len() + w.Buffered()
			err := w.WriteFrameHeaders(tag, h, payload)
			if err != nil {
				var me *MessageError
				if !errors.As(err, &me) || b.Len()+w.Buffered() != before {
					t.Fatalf("refusal %v left %d bytes behind", err, b.Len()+w.Buffered()-before)
				}
				continue
			}
			want = append(want, sent{tag, h, payload})
			if i%4 == 1 {
				w.WriteHeartbeat()
			}
		}
		if abort {
			err = w.Abort(reason)
		} else {
			err = w.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewReader(bytes.NewReader(b.Bytes()))
		var got []sent
		for {
			rec, err := r.ReadRecord()
			if err != nil {
				var ae *AbortedError
				switch {
				case err == io.EOF && !abort:
				case errors.As(err, &ae) && abort && ae.Reason == truncateReason(reason):
				default:
					t.Fatalf("outcome %v (abort %v, reason %q)", err, abort, reason)
				}
				break
			}
			if rec.Kind == KindFrame {
				got = append(got, sent{rec.Tag, rec.Headers.Clone(), bytes.Clone(rec.Payload)})
			}
		}
		if len(got) != len(want) {
			t.Fatalf("read %d frames, wrote %d", len(got), len(want))
		}
		for i := range got {
			if got[i].tag != want[i].tag || !bytes.Equal(got[i].payload, want[i].payload) || len(got[i].h) != len(want[i].h) {
				t.Fatalf("frame %d: %+v, want %+v", i, got[i], want[i])
			}
			for j, h := range want[i].h {
				if got[i].h[j].Key != h.Key || !bytes.Equal(got[i].h[j].Value, h.Value) {
					t.Fatalf("frame %d header %d: %+v, want %+v", i, j, got[i].h[j], h)
				}
			}
		}
	})
}
