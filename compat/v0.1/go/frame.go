package fifochan

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// Wire-format constants (docs/wire-format.md).
const (
	formatVersion = 1
	flagEnd       = 0x01 // END_OF_STREAM
	flagChecksum  = 0x02 // CHECKSUM
	headerLen     = 6    // length(4) flags(1) tag-len(1)
	maxCodecLen   = 64
	maxTagLen     = 255
	// readBufferSize holds several 64 KiB frames, so that most frames
	// are parsed in place.
	readBufferSize = 256 << 10
)

var (
	magic      = [4]byte{0x89, 'F', 'C', 'H'}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// RecordKind says what a Record is.
type RecordKind uint8

// Record kinds.
const (
	KindPreamble RecordKind = iota + 1 // a writer's preamble
	KindFrame                          // a message frame
	KindEnd                            // an end-of-stream frame
)

// String implements fmt.Stringer.
func (k RecordKind) String() string {
	switch k {
	case KindPreamble:
		return "preamble"
	case KindFrame:
		return "frame"
	case KindEnd:
		return "end"
	}
	return "unknown"
}

// Record is one preamble, frame or end-of-stream frame as read.
type Record struct {
	Kind    RecordKind
	Offset  int64  // offset of the record's first byte
	Codec   string // preamble: codec name
	Flags   byte   // frame and end: flag bits
	Tag     string // frame: type tag
	Payload []byte // frame: payload, valid until the next read
}

// Reader reads fifochan records from any io.Reader without goroutines.
// It is not safe for concurrent use.
type Reader struct {
	r       *bufio.Reader
	cfg     config
	off     int64 // offset of the next unread byte
	writers int   // open writers: preambles minus end-of-stream frames
	seen    bool  // a preamble has been read
	err     error // sticky
	hdr     [headerLen]byte
	payload []byte
	tagBuf  [maxTagLen]byte
	pending int64 // start of the record being read
	lastTag string
}

// NewReader returns a Reader of r. Useful options: MaxFrameLength,
// ExpectCodec.
func NewReader(r io.Reader, opts ...Option) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, readBufferSize), cfg: newConfig(opts)}
}

// Offset returns the number of bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Next returns the next message frame's tag and payload, skipping
// preambles and end-of-stream frames. The payload is valid until the next
// call. At a clean end of stream it returns io.EOF; stream errors are
// *StreamError values, and after one every later call returns it again.
func (r *Reader) Next() (tag string, payload []byte, err error) {
	for {
		rec, err := r.ReadRecord()
		if err != nil {
			return "", nil, err
		}
		if rec.Kind == KindFrame {
			return rec.Tag, rec.Payload, nil
		}
	}
}

// ReadRecord returns the next record, checked as docs/wire-format.md §5
// says. It returns io.EOF at a clean end of stream (end of file at a
// record boundary, no open writer, at least one preamble seen).
func (r *Reader) ReadRecord() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	rec, err := r.readRecord()
	if err != nil {
		r.err = err
	}
	return rec, err
}

// fill reads exactly len(p) bytes; it maps end of file to
// ErrTruncatedStream at the current record's offset unless atBoundary
// is set and nothing at all was read, in which case it returns io.EOF.
func (r *Reader) fill(p []byte, atBoundary bool) error {
	n, err := io.ReadFull(r.r, p)
	r.off += int64(n)
	switch {
	case err == nil:
		return nil
	case err == io.EOF && atBoundary:
		return io.EOF
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return streamErr(ErrTruncatedStream, r.pending, "end of file inside a record")
	default:
		return fmt.Errorf("fifochan: read at offset %d: %w", r.off, err)
	}
}

func (r *Reader) readRecord() (Record, error) {
	start := r.off
	r.pending = start
	if rec, ok, err := r.readBuffered(start); ok {
		return rec, err
	}
	head := r.hdr[:4]
	if err := r.fill(head, true); err != nil {
		if err == io.EOF {
			if r.writers == 0 && r.seen {
				return Record{}, io.EOF
			}
			if !r.seen {
				return Record{}, streamErr(ErrTruncatedStream, start, "end of file before any preamble")
			}
			return Record{}, streamErr(ErrTruncatedStream, start, "end of file with %d writer(s) open", r.writers)
		}
		return Record{}, err
	}
	if [4]byte(head) == magic {
		return r.readPreamble(start)
	}
	// §5: check what the first four bytes alone can tell, then the rest.
	if err := r.checkHeader(start, binary.BigEndian.Uint32(head), 0, 0); err != nil {
		return Record{}, err
	}
	if err := r.fill(r.hdr[4:6], false); err != nil {
		return Record{}, err
	}
	length, flags, tagLen := binary.BigEndian.Uint32(head), r.hdr[4], int(r.hdr[5])
	if err := r.checkHeader(start, length, flags, tagLen); err != nil {
		return Record{}, err
	}
	tag := r.tagBuf[:tagLen]
	if err := r.fill(tag, false); err != nil {
		return Record{}, err
	}
	payload, err := r.readPayload(int(length))
	if err != nil {
		return Record{}, err
	}
	if flags&flagChecksum != 0 {
		var sum [4]byte
		if err := r.fill(sum[:], false); err != nil {
			return Record{}, err
		}
		c := crc32.Update(0, castagnoli, r.hdr[:])
		c = crc32.Update(c, castagnoli, tag)
		c = crc32.Update(c, castagnoli, payload)
		if got := binary.BigEndian.Uint32(sum[:]); got != c {
			return Record{}, streamErr(ErrChecksumMismatch, start, "crc32c %08x, computed %08x", got, c)
		}
	}
	if flags&flagEnd != 0 {
		r.writers--
		return Record{Kind: KindEnd, Offset: start, Flags: flags}, nil
	}
	return Record{Kind: KindFrame, Offset: start, Flags: flags, Tag: r.tagString(tag), Payload: payload}, nil
}

// checkHeader applies §5's frame checks in order.
func (r *Reader) checkHeader(start int64, length uint32, flags byte, tagLen int) error {
	switch {
	case r.writers == 0:
		return streamErr(ErrCorruptFrame, start, "frame with no open writer")
	case length>>31 != 0:
		return streamErr(ErrCorruptFrame, start, "length %#08x has the top bit set", length)
	case int64(length) > int64(r.cfg.maxFrame):
		return streamErr(ErrFrameTooLong, start, "length %d > maximum %d", length, r.cfg.maxFrame)
	case flags&^(flagEnd|flagChecksum) != 0:
		return streamErr(ErrCorruptFrame, start, "reserved flag bits %#02x", flags)
	case flags&flagEnd != 0 && (length != 0 || tagLen != 0):
		return streamErr(ErrCorruptFrame, start, "end-of-stream frame with length %d, tag-len %d", length, tagLen)
	}
	return nil
}

// readBuffered is the fast path: a frame that is already entirely in the
// read buffer is parsed in place (its payload aliases the buffer). ok is
// false when the slow path must handle the record.
func (r *Reader) readBuffered(start int64) (rec Record, ok bool, err error) {
	n := r.r.Buffered()
	if n < headerLen {
		return Record{}, false, nil
	}
	b, _ := r.r.Peek(n)
	if [4]byte(b[:4]) == magic {
		return Record{}, false, nil
	}
	length, flags, tagLen := binary.BigEndian.Uint32(b), b[4], int(b[5])
	if err := r.checkHeader(start, length, flags, tagLen); err != nil {
		return Record{}, true, err
	}
	end := headerLen + tagLen + int(length)
	total := end
	if flags&flagChecksum != 0 {
		total += 4
	}
	if total > n {
		return Record{}, false, nil
	}
	if flags&flagChecksum != 0 {
		c := crc32.Checksum(b[:end], castagnoli)
		if got := binary.BigEndian.Uint32(b[end:]); got != c {
			r.r.Discard(total)
			r.off += int64(total)
			return Record{}, true, streamErr(ErrChecksumMismatch, start, "crc32c %08x, computed %08x", got, c)
		}
	}
	tag := b[headerLen : headerLen+tagLen]
	payload := b[headerLen+tagLen : end]
	r.r.Discard(total) // the bytes stay valid until the next read
	r.off += int64(total)
	if flags&flagEnd != 0 {
		r.writers--
		return Record{Kind: KindEnd, Offset: start, Flags: flags}, true, nil
	}
	return Record{Kind: KindFrame, Offset: start, Flags: flags, Tag: r.tagString(tag), Payload: payload}, true, nil
}

// tagString returns tag as a string, reusing the previous one if equal.
func (r *Reader) tagString(tag []byte) string {
	if string(tag) != r.lastTag {
		r.lastTag = string(tag)
	}
	return r.lastTag
}

// readPayload reads n payload bytes into a reused buffer. Large payloads
// are read in growing chunks so a bogus length on a short stream cannot
// make the reader allocate much more than the bytes that really arrive.
func (r *Reader) readPayload(n int) ([]byte, error) {
	const chunk = 1 << 20
	if n <= cap(r.payload) || n <= chunk {
		if n > cap(r.payload) {
			r.payload = make([]byte, n)
		}
		p := r.payload[:n]
		return p, r.fill(p, false)
	}
	p := r.payload[:0]
	for len(p) < n {
		step := min(n-len(p), max(len(p), chunk))
		p = slices.Grow(p, step)[:len(p)+step]
		r.payload = p
		if err := r.fill(p[len(p)-step:], false); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (r *Reader) readPreamble(start int64) (Record, error) {
	var vl [2]byte
	if err := r.fill(vl[:], false); err != nil {
		return Record{}, err
	}
	n := int(vl[1])
	if n == 0 || n > maxCodecLen {
		return Record{}, streamErr(ErrCorruptFrame, start, "codec name length %d not in 1..%d", n, maxCodecLen)
	}
	name := r.tagBuf[:n]
	if err := r.fill(name, false); err != nil {
		return Record{}, err
	}
	if !printable(name) {
		return Record{}, streamErr(ErrCorruptFrame, start, "codec name %q is not printable ASCII", name)
	}
	if vl[0] != formatVersion {
		return Record{}, streamErr(ErrIncompatibleStream, start, "format version %d, want %d", vl[0], formatVersion)
	}
	if r.cfg.expectCodec != "" && !Accepts(r.cfg.expectCodec, string(name)) {
		return Record{}, streamErr(ErrIncompatibleStream, start, "codec %q, reader expects %q", name, r.cfg.expectCodec)
	}
	r.writers++
	r.seen = true
	return Record{Kind: KindPreamble, Offset: start, Codec: string(name)}, nil
}

func printable[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
