package fifochan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unicode/utf8"
)

// encoder appends whole records to a buffer: the framing of one writer
// session, without I/O. Every refusal is a *MessageError and leaves dst as
// it was.
type encoder struct {
	version  byte // version10 or version11
	checksum bool // CHECKSUM on every record
	maxFrame int
	fanIn    bool // records must fit one atomic write (PipeBuf)
}

func newEncoder(c writerConfig) encoder {
	return encoder{version: c.version, checksum: c.checksum, maxFrame: c.maxFrame, fanIn: c.fanIn}
}

func checkCodecName(codec string) error {
	if len(codec) == 0 || len(codec) > maxCodecLen || !printable(codec) {
		return fmt.Errorf("fifochan: invalid codec name %q (want 1..%d printable ASCII characters)", codec, maxCodecLen)
	}
	return nil
}

// appendPreamble appends a preamble announcing codec.
func (e *encoder) appendPreamble(dst []byte, codec string) []byte {
	dst = append(dst, magic[:]...)
	dst = append(dst, e.version, byte(len(codec)))
	return append(dst, codec...)
}

// frameHead checks a message frame's tag and headers and appends its
// head: length placeholder, flags, tag-len, tag, header block. It returns
// the extended slice.
func (e *encoder) frameHead(dst []byte, tag string, h Headers) ([]byte, error) {
	if len(tag) > maxTagLen {
		return dst, &MessageError{Kind: ErrEncode, Offset: -1, Detail: fmt.Sprintf("tag of %d bytes, the maximum is %d", len(tag), maxTagLen)}
	}
	if !utf8.ValidString(tag) {
		return dst, &MessageError{Kind: ErrBadTag, Offset: -1, Tag: tag}
	}
	flags := byte(0)
	hl := 0
	if len(h) > 0 {
		if e.version == version10 {
			return dst, &MessageError{Kind: ErrBadHeaders, Offset: -1, Detail: "wire format 1.0 has no headers (the writer was opened with WireVersion10)"}
		}
		var err error
		if hl, err = h.blockLen(); err != nil {
			return dst, err
		}
		flags |= flagHeaders
	}
	if e.checksum {
		flags |= flagChecksum
	}
	dst = append(dst, 0, 0, 0, 0, flags, byte(len(tag)))
	dst = append(dst, tag...)
	if hl > 0 {
		dst = binary.BigEndian.AppendUint16(dst, uint16(hl))
		dst = appendHeaderBlock(dst, h)
	}
	return dst, nil
}

// appendFrame appends a message frame whose payload enc appends.
func (e *encoder) appendFrame(dst []byte, tag string, h Headers, enc func([]byte) ([]byte, error)) ([]byte, error) {
	start := len(dst)
	out, err := e.frameHead(dst, tag, h)
	if err != nil {
		return dst, err
	}
	body := len(out)
	out, err = enc(out)
	if err != nil {
		var me *MessageError
		if !errors.As(err, &me) {
			err = &MessageError{Kind: ErrEncode, Offset: -1, Tag: tag, Err: err}
		}
		return dst[:start], err
	}
	n := len(out) - body
	if n > e.maxFrame {
		return dst[:start], &MessageError{Kind: ErrFrameTooLong, Offset: -1, Tag: tag, Detail: fmt.Sprintf("payload of %d bytes > maximum %d", n, e.maxFrame)}
	}
	binary.BigEndian.PutUint32(out[start:], uint32(n))
	if e.checksum {
		out = binary.BigEndian.AppendUint32(out, crc32.Checksum(out[start:], castagnoli))
	}
	if e.fanIn && len(out)-start > PipeBuf {
		return dst[:start], &MessageError{Kind: ErrFrameTooLong, Offset: -1, Tag: tag, Detail: fmt.Sprintf("record of %d bytes does not fit one atomic %d-byte write (fan-in)", len(out)-start, PipeBuf)}
	}
	return out, nil
}

// appendPayload appends a message frame of payload p with no tag and no
// headers (a Bytes value): the bytes appendFrame writes for them, without
// its per-message closure and checks of tag and headers.
func (e *encoder) appendPayload(dst, p []byte) ([]byte, error) {
	if len(p) > e.maxFrame || (e.fanIn && e.payloadFrameLen(p) > PipeBuf) {
		return e.appendFrame(dst, "", nil, func(b []byte) ([]byte, error) { return append(b, p...), nil })
	}
	n := len(dst)
	dst = append(dst, make([]byte, e.payloadFrameLen(p))...)
	e.putPayload(dst[n:], p)
	return dst, nil
}

// payloadFrameLen is the length of appendPayload's frame for p.
func (e *encoder) payloadFrameLen(p []byte) int {
	if e.checksum {
		return frameHeadLen + len(p) + crcLen
	}
	return frameHeadLen + len(p)
}

// putPayload writes appendPayload's frame for p into b, which is exactly
// payloadFrameLen(p) long. p is not longer than maxFrame.
func (e *encoder) putPayload(b, p []byte) {
	flags := byte(0)
	if e.checksum {
		flags |= flagChecksum
	}
	binary.BigEndian.PutUint32(b, uint32(len(p)))
	b[frameOffFlags], b[frameOffTagLen] = flags, 0
	copy(b[frameHeadLen:], p)
	if e.checksum {
		end := frameHeadLen + len(p)
		binary.BigEndian.PutUint32(b[end:], crc32.Checksum(b[:end], castagnoli))
	}
}

// appendControl appends a record without tag or headers: an end of stream,
// an aborted end (payload: the reason) or a heartbeat.
func (e *encoder) appendControl(dst []byte, flags byte, payload string) []byte {
	start := len(dst)
	if e.checksum {
		flags |= flagChecksum
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = append(dst, flags, 0)
	dst = append(dst, payload...)
	if e.checksum {
		dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
	}
	return dst
}

func (e *encoder) appendEnd(dst []byte) []byte { return e.appendControl(dst, flagEnd, "") }

func (e *encoder) appendAborted(dst []byte, reason string) []byte {
	return e.appendControl(dst, flagEnd|flagAborted, truncateReason(reason))
}

func (e *encoder) appendHeartbeat(dst []byte) []byte { return e.appendControl(dst, flagHeartbeat, "") }
