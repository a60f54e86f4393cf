package fifochan

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes to a Reader: it may only return
// records, io.EOF or one of the stream sentinels, never panic, and never
// hold a payload larger than the data it was given.
func FuzzReader(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Bin)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), MaxFrameLength(1<<20))
		for i := 0; ; i++ {
			rec, err := r.ReadRecord()
			if err == io.EOF {
				return
			}
			if err != nil {
				var se *StreamError
				if !errors.As(err, &se) || se.Offset < 0 || se.Offset > int64(len(data)) {
					t.Fatalf("error %v is not a StreamError within the input", err)
				}
				for _, s := range []error{ErrTruncatedStream, ErrCorruptFrame, ErrFrameTooLong, ErrIncompatibleStream} {
					if errors.Is(err, s) {
						return
					}
				}
				t.Fatalf("unexpected error kind: %v", err)
			}
			if len(rec.Payload) > len(data) || cap(r.payload) > 2*len(data)+(1<<20) {
				t.Fatalf("payload buffer of %d bytes for %d bytes of input", cap(r.payload), len(data))
			}
			if i > len(data) {
				t.Fatal("more records than input bytes")
			}
		}
	})
}
