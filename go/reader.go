package fifochan

import (
	"errors"
	"fmt"
	"io"
)

// Record is one record as read: a preamble, a message frame, a clean or
// aborted end, or a heartbeat.
type Record struct {
	Kind       RecordKind
	Offset     int64   // offset of the record's first byte
	Version    byte    // preamble: the format version byte (1: format 1.0, 2: format 1.1)
	Codec      string  // preamble: codec name
	Flags      byte    // frames, ends, heartbeats: the flag bits
	Tag        string  // frame: type tag (its raw bytes, also when they are not UTF-8)
	Headers    Headers // frame: the header block's entries (nil without one, or if it is malformed); valid until the next read
	RawHeaders []byte  // frame with HEADERS: the header block as on the wire; valid until the next read
	Payload    []byte  // frame: payload; aborted end: the reason's bytes; valid until the next read
	Reason     string  // aborted end: the reason, invalid UTF-8 replaced by U+FFFD
}

// Reader reads fifochan records from any io.Reader without goroutines.
// It reads wire formats 1.0 and 1.1. It is not safe for concurrent use.
//
// Errors: a *StreamError ends the stream and is returned again by every
// later call; a *MessageError concerns one frame, which was consumed, and
// the next call goes on; an error of the underlying io.Reader (other than
// io.EOF) is returned wrapped and consumes nothing, so a call after it
// resumes where the stream stopped (a deadline on a FIFO, for example).
type Reader struct {
	src  io.Reader
	buf  []byte
	r, w int // unread bytes: buf[r:w]
	eof  bool
	dec  decoder
	err  error // sticky: a stream error or the outcome at end of file
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader, opts ...ReaderOption) (*Reader, error) {
	cfg, err := newReaderConfig(opts)
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: r}
	rd.dec.maxFrame = cfg.maxFrame
	if cfg.expectCodec != "" {
		rd.setCodec(cfg.expectCodec, nil)
	}
	return rd, nil
}

// setCodec makes the reader accept the preambles that codec (named name)
// can read; accepts overrides Accepts when not nil.
func (r *Reader) setCodec(name string, accepts func(string) bool) {
	r.dec.expect = name
	if accepts == nil {
		accepts = func(wire string) bool { return Accepts(name, wire) }
	}
	r.dec.accepts = accepts
}

// Offset returns the number of bytes consumed so far: the offset of the
// next record.
func (r *Reader) Offset() int64 { return r.dec.off }

// OpenWriters returns the number of writer sessions open at this point of
// the stream (preambles minus ends).
func (r *Reader) OpenWriters() int { return r.dec.writers }

// Next returns the next message frame's tag and payload, skipping
// preambles, ends and heartbeats. The payload is valid until the next
// call. At a clean end of stream it returns io.EOF. An aborted end is
// returned as an *AbortedError when it is read (for a stream with other
// writers still open, the next call goes on) and again as the outcome at
// end of file.
func (r *Reader) Next() (tag string, payload []byte, err error) {
	for {
		rec, err := r.ReadRecord()
		if err != nil {
			return rec.Tag, nil, err
		}
		switch rec.Kind {
		case KindFrame:
			return rec.Tag, rec.Payload, nil
		case KindAborted:
			return "", nil, &AbortedError{Reason: rec.Reason, Offset: rec.Offset}
		}
	}
}

// ReadRecord returns the next record, checked as design-1.0 §2.3 says.
// At end of file it returns the stream's outcome (§2.5): io.EOF for a
// clean end (end of file at a record boundary, no open writer, at least
// one preamble, no aborted end), the first *AbortedError after an aborted
// end, or ErrTruncatedStream. A frame whose tag or header block is
// malformed is returned with a *MessageError (ErrBadTag, ErrBadHeaders).
func (r *Reader) ReadRecord() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	var rec Record
	for {
		n, need, err := r.dec.decode(r.buf[r.r:r.w], &rec)
		if n > 0 {
			r.r += n
			return rec, err
		}
		if err != nil {
			r.err = err
			return Record{}, err
		}
		if r.eof {
			r.err = r.dec.atEOF(r.w - r.r)
			return Record{}, r.err
		}
		if err := r.fill(need); err != nil {
			return Record{}, err
		}
	}
}

// buffered decodes the next record into *rec if it is wholly in the
// buffer (ok); it never reads. A stream error is left for ReadRecord.
func (r *Reader) buffered(rec *Record) (error, bool) {
	if r.err != nil {
		return nil, false
	}
	n, _, err := r.dec.decode(r.buf[r.r:r.w], rec)
	if n == 0 {
		return nil, false
	}
	r.r += n
	return err, true
}

// fill reads at least one byte more, making room for need unread bytes in
// growing steps, so that a bogus length on a short stream cannot make the
// reader allocate much more than the bytes that really arrive.
func (r *Reader) fill(need int) error {
	if r.buf == nil {
		r.buf = make([]byte, readBufferSize)
	}
	unread := r.w - r.r
	if r.r > 0 && (r.w == len(r.buf) || need > len(r.buf)-r.r) {
		if len(r.buf) > 4*readBufferSize && unread <= readBufferSize && need <= readBufferSize {
			nb := make([]byte, readBufferSize) // give a large record's buffer back
			copy(nb, r.buf[r.r:r.w])
			r.buf = nb
		} else {
			copy(r.buf, r.buf[r.r:r.w])
		}
		r.r, r.w = 0, unread
	}
	if need > len(r.buf) && r.w == len(r.buf) {
		size := min(need, 2*len(r.buf))
		nb := make([]byte, size)
		copy(nb, r.buf[r.r:r.w])
		r.buf, r.w, r.r = nb, unread, 0
	}
	for tries := 0; ; tries++ {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		switch {
		case err == io.EOF:
			r.eof = true
			return nil
		case err != nil:
			if n > 0 {
				return nil // keep the bytes; the error comes again
			}
			return &readError{off: r.dec.off + int64(r.w-r.r), err: err}
		case n > 0:
			return nil
		case tries == 100:
			return &readError{off: r.dec.off + int64(r.w-r.r), err: io.ErrNoProgress}
		}
	}
}

// readError wraps an error of the underlying reader. It is not sticky.
type readError struct {
	off int64
	err error
}

func (e *readError) Error() string {
	return fmt.Sprintf("fifochan: read at offset %d: %v", e.off, e.err)
}
func (e *readError) Unwrap() error { return e.err }

// isReadError reports whether err came from the underlying reader (and so
// consumed nothing).
func isReadError(err error) bool {
	var re *readError
	return errors.As(err, &re)
}
