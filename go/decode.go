package fifochan

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"unicode/utf8"
)

// decoder applies the wire format's checks, in the one order of
// design-1.0 §2.3, to bytes it is handed: it does no I/O. It keeps the
// state of one reader session: open writers, whether a version-2 preamble
// was read, the first aborted end, and the offset of the next record.
type decoder struct {
	maxFrame  int
	accepts   func(wire string) bool // nil: any codec
	expect    string                 // the reader's codec name, for messages
	writers   int                    // open writers: preambles minus ends
	preambles int
	v2        bool          // a version-2 preamble was read: the 1.1 flag bits are allowed
	aborted   *AbortedError // the first aborted end
	off       int64         // offset of the next record
	hdrs      Headers       // reused for each frame's headers
	lastTag   string
}

// decode parses the record at the start of b (which starts at a record
// boundary, at offset d.off) into *rec (written only when a record is
// returned: in place, as a Record is large). It returns
//   - n > 0: the record (in *rec) and its length; err is nil or a *MessageError (the
//     frame was whole and intact; the stream goes on);
//   - n == 0, err == nil: need more bytes; need is the least total length
//     of b that lets decode go on (more checks may then ask for more);
//   - err a *StreamError: the stream is broken at d.off.
//
// The state changes only when a record is returned.
func (d *decoder) decode(b []byte, rec *Record) (n, need int, err error) {
	if len(b) < 4 {
		return 0, 4, nil
	}
	if [4]byte(b[:4]) == magic {
		return d.preamble(b, rec)
	}
	length := binary.BigEndian.Uint32(b[frameOffLength:])
	switch {
	case d.writers == 0:
		return 0, 0, streamErr(ErrCorruptFrame, d.off, "frame with no open writer")
	case length>>31 != 0:
		return 0, 0, streamErr(ErrCorruptFrame, d.off, "length %#08x has the top bit set", length)
	case int64(length) > int64(d.maxFrame):
		return 0, 0, streamErr(ErrFrameTooLong, d.off, "length %d > maximum %d", length, d.maxFrame)
	}
	if len(b) < frameHeadLen {
		return 0, frameHeadLen, nil
	}
	flags, tagLen := b[frameOffFlags], int(b[frameOffTagLen])
	allowed := byte(flags10)
	if d.v2 {
		allowed = flags11
	}
	if flags&^allowed != 0 {
		return 0, 0, streamErr(ErrCorruptFrame, d.off, "reserved flag bits %#02x", flags&^allowed)
	}
	kind := KindFrame
	switch flags &^ flagChecksum {
	case 0, flagHeaders:
	case flagEnd:
		kind = KindEnd
		if length != 0 || tagLen != 0 {
			return 0, 0, streamErr(ErrCorruptFrame, d.off, "end-of-stream frame with length %d, tag-len %d", length, tagLen)
		}
	case flagEnd | flagAborted:
		kind = KindAborted
		if length > MaxReasonLength || tagLen != 0 {
			return 0, 0, streamErr(ErrCorruptFrame, d.off, "aborted end with length %d (at most %d), tag-len %d", length, MaxReasonLength, tagLen)
		}
	case flagHeartbeat:
		kind = KindHeartbeat
		if length != 0 || tagLen != 0 {
			return 0, 0, streamErr(ErrCorruptFrame, d.off, "heartbeat with length %d, tag-len %d", length, tagLen)
		}
	default:
		return 0, 0, streamErr(ErrCorruptFrame, d.off, "forbidden flag combination %#02x", flags)
	}
	p := frameHeadLen + tagLen // end of the tag
	hl := 0
	if flags&flagHeaders != 0 {
		if len(b) < p+headersLenSize {
			return 0, p + headersLenSize, nil
		}
		hl = int(binary.BigEndian.Uint16(b[p:]))
		if hl > MaxHeaderBlockLength {
			return 0, 0, streamErr(ErrCorruptFrame, d.off, "header block of %d bytes > %d", hl, MaxHeaderBlockLength)
		}
		p += headersLenSize
	}
	body := p + hl // start of the payload
	end := body + int(length)
	total := end
	if flags&flagChecksum != 0 {
		total += crcLen
	}
	if len(b) < total {
		return 0, total, nil
	}
	if flags&flagChecksum != 0 {
		c := crc32.Checksum(b[:end], castagnoli)
		if got := binary.BigEndian.Uint32(b[end:]); got != c {
			return 0, 0, streamErr(ErrChecksumMismatch, d.off, "crc32c %08x, computed %08x", got, c)
		}
	}
	// The record is whole and intact: from here on it is consumed.
	*rec = Record{Kind: kind, Offset: d.off, Flags: flags, Payload: b[body:end:end]}
	d.off += int64(total)
	switch kind {
	case KindEnd:
		d.writers--
		rec.Payload = nil
		return total, 0, nil
	case KindAborted:
		d.writers--
		rec.Reason = decodeReason(rec.Payload)
		if d.aborted == nil {
			d.aborted = &AbortedError{Reason: rec.Reason, Offset: rec.Offset}
		}
		return total, 0, nil
	case KindHeartbeat:
		rec.Payload = nil
		return total, 0, nil
	}
	tag := b[frameHeadLen : frameHeadLen+tagLen]
	rec.Tag = d.tagString(tag)
	if flags&flagHeaders != 0 {
		rec.RawHeaders = b[p:body:body]
	}
	if !utf8.Valid(tag) {
		return total, 0, &MessageError{Kind: ErrBadTag, Offset: rec.Offset, Tag: rec.Tag}
	}
	if flags&flagHeaders != 0 {
		var bad string
		d.hdrs, bad = parseHeaderBlock(d.hdrs, b[p:body])
		if bad != "" {
			return total, 0, &MessageError{Kind: ErrBadHeaders, Offset: rec.Offset, Tag: rec.Tag, Detail: bad}
		}
		rec.Headers = d.hdrs
	}
	return total, 0, nil
}

// preamble applies §2.3's preamble checks.
func (d *decoder) preamble(b []byte, rec *Record) (n, need int, err error) {
	if len(b) < preambleHeadLen {
		return 0, preambleHeadLen, nil
	}
	version, nameLen := b[preambleOffVer], int(b[preambleOffCodecN])
	if nameLen == 0 || nameLen > maxCodecLen {
		return 0, 0, streamErr(ErrCorruptFrame, d.off, "codec name length %d not in 1..%d", nameLen, maxCodecLen)
	}
	total := preambleHeadLen + nameLen
	if len(b) < total {
		return 0, total, nil
	}
	name := b[preambleHeadLen:total]
	if !printable(name) {
		return 0, 0, streamErr(ErrCorruptFrame, d.off, "codec name %q is not printable ASCII", name)
	}
	if version != version10 && version != version11 {
		return 0, 0, streamErr(ErrIncompatibleVersion, d.off, "format version %d, this reader reads 1 and 2", version)
	}
	codec := string(name)
	if d.accepts != nil && !d.accepts(codec) {
		return 0, 0, streamErr(ErrIncompatibleCodec, d.off, "codec %q, this reader reads %q", codec, d.expect)
	}
	*rec = Record{Kind: KindPreamble, Offset: d.off, Version: version, Codec: codec}
	d.off += int64(total)
	d.writers++
	d.preambles++
	if version == version11 {
		d.v2 = true
	}
	return total, 0, nil
}

// atEOF returns the stream's outcome at end of file with rest bytes of an
// incomplete record (§2.5): io.EOF for a clean end, the *AbortedError of
// an aborted one, or a truncated-stream *StreamError.
func (d *decoder) atEOF(rest int) error {
	switch {
	case rest > 0:
		return streamErr(ErrTruncatedStream, d.off, "end of file inside a record")
	case d.preambles == 0:
		return streamErr(ErrTruncatedStream, d.off, "end of file before any preamble")
	case d.writers > 0:
		return streamErr(ErrTruncatedStream, d.off, "end of file with %d writer(s) open", d.writers)
	case d.aborted != nil:
		return d.aborted
	}
	return io.EOF
}

// tagString returns tag as a string, reusing the previous one if equal.
func (d *decoder) tagString(tag []byte) string {
	if string(tag) != d.lastTag {
		d.lastTag = string(tag)
	}
	return d.lastTag
}
