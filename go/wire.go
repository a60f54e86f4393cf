package fifochan

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf8"
)

// The wire layout (docs/wire-format.md; design-1.0 §2.2). All integers are
// unsigned big-endian.
//
//	preamble = magic(4) version(1) codec-len(1) codec-name(codec-len)
//	frame    = length(4) flags(1) tag-len(1) tag(tag-len)
//	           [headers-len(2) header-block(headers-len)]   ; iff flags & HEADERS
//	           payload(length) [crc32c(4)]                   ; iff flags & CHECKSUM
//	header-block = 1*64( key-len(1) key(key-len) value-len(2) value(value-len) )
//
//	 0       4     5        6           6+tag-len
//	+-------+-----+--------+-----------+-------------------+---------+---------+
//	|length |flags|tag-len | tag       | [hlen | headers]  | payload | [crc32c]|
//	+-------+-----+--------+-----------+-------------------+---------+---------+
const (
	// Preamble.
	preambleMagicLen  = 4
	preambleOffVer    = 4 // version byte
	preambleOffCodecN = 5 // codec-len byte
	preambleHeadLen   = 6 // magic + version + codec-len
	maxCodecLen       = 64

	// Frame.
	frameOffLength = 0
	frameOffFlags  = 4
	frameOffTagLen = 5
	frameHeadLen   = 6 // length + flags + tag-len
	headersLenSize = 2
	crcLen         = 4
	maxTagLen      = 255

	// Versions: the preamble's version byte.
	version10 = 1 // wire format 1.0
	version11 = 2 // wire format 1.1

	// Flags.
	flagEnd       = 0x01 // END_OF_STREAM (1.0)
	flagChecksum  = 0x02 // CHECKSUM (1.0)
	flagHeaders   = 0x04 // HEADERS (1.1)
	flagAborted   = 0x08 // ABORTED, with END_OF_STREAM only (1.1)
	flagHeartbeat = 0x10 // HEARTBEAT (1.1)
	flags10       = flagEnd | flagChecksum
	flags11       = flags10 | flagHeaders | flagAborted | flagHeartbeat

	// Limits of wire format 1.1.
	MaxReasonLength      = 1024 // bytes of an aborted end's reason (UTF-8)
	MaxHeaderKeyLength   = 64   // bytes of a header key
	MaxHeaderValueLength = 4096 // bytes of a header value
	MaxHeaders           = 64   // entries in one header block
	MaxHeaderBlockLength = 8192 // bytes of one header block (headers-len)

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
	KindPreamble  RecordKind = iota + 1 // a writer's preamble: a session starts
	KindFrame                           // a message frame
	KindEnd                             // a clean end of stream: the session ends
	KindAborted                         // an aborted end: the session ends with an error (1.1)
	KindHeartbeat                       // a heartbeat: an idle writer is alive (1.1)
)

// String implements fmt.Stringer; the names are those of the test vectors.
func (k RecordKind) String() string {
	switch k {
	case KindPreamble:
		return "preamble"
	case KindFrame:
		return "frame"
	case KindEnd:
		return "end"
	case KindAborted:
		return "aborted"
	case KindHeartbeat:
		return "heartbeat"
	}
	return "unknown"
}

// Header is one entry of a frame's header block.
type Header struct {
	Key   string // 1..64 bytes of a-z 0-9 - . _
	Value []byte // 0..4096 bytes
}

// Headers is a frame's header block, in wire order. Keys are unique.
// Keys starting with "fc-", and "traceparent" and "tracestate", are
// reserved for fifochan itself (design-1.0 §2.2); the rest are the user's.
// A nil or empty Headers means no header block.
type Headers []Header

// Get returns the value of key and whether it is present.
func (h Headers) Get(key string) ([]byte, bool) {
	for _, e := range h {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

// Clone returns a deep copy of h (values included), for keeping headers
// that alias a read buffer.
func (h Headers) Clone() Headers {
	if h == nil {
		return nil
	}
	n := 0
	for _, e := range h {
		n += len(e.Value)
	}
	vals := make([]byte, 0, n)
	out := make(Headers, len(h))
	for i, e := range h {
		vals = append(vals, e.Value...)
		out[i] = Header{Key: e.Key, Value: vals[len(vals)-len(e.Value) : len(vals) : len(vals)]}
	}
	return out
}

// Validate checks h against the rules of wire format 1.1: at most 64
// entries, keys of 1..64 bytes of a-z 0-9 - . _, no duplicate keys, values
// of at most 4096 bytes, an encoded block of at most 8192 bytes. Size
// violations satisfy errors.Is(err, ErrFrameTooLong), the others
// errors.Is(err, ErrBadHeaders).
func (h Headers) Validate() error {
	_, err := h.blockLen()
	return err
}

// blockLen validates h and returns the length of its encoded block.
func (h Headers) blockLen() (int, error) {
	if len(h) > MaxHeaders {
		return 0, &MessageError{Kind: ErrFrameTooLong, Offset: -1, Detail: fmt.Sprintf("%d headers, the maximum is %d", len(h), MaxHeaders)}
	}
	n := 0
	for i, e := range h {
		if !validKey(e.Key) {
			return 0, &MessageError{Kind: ErrBadHeaders, Offset: -1, Detail: fmt.Sprintf("header key %q: want 1..%d bytes of a-z 0-9 - . _", e.Key, MaxHeaderKeyLength)}
		}
		if len(e.Value) > MaxHeaderValueLength {
			return 0, &MessageError{Kind: ErrFrameTooLong, Offset: -1, Detail: fmt.Sprintf("header %q: value of %d bytes, the maximum is %d", e.Key, len(e.Value), MaxHeaderValueLength)}
		}
		for _, p := range h[:i] {
			if p.Key == e.Key {
				return 0, &MessageError{Kind: ErrBadHeaders, Offset: -1, Detail: fmt.Sprintf("duplicate header key %q", e.Key)}
			}
		}
		n += 1 + len(e.Key) + 2 + len(e.Value)
	}
	if n > MaxHeaderBlockLength {
		return 0, &MessageError{Kind: ErrFrameTooLong, Offset: -1, Detail: fmt.Sprintf("header block of %d bytes, the maximum is %d", n, MaxHeaderBlockLength)}
	}
	return n, nil
}

func validKey[S ~string | ~[]byte](k S) bool {
	if len(k) == 0 || len(k) > MaxHeaderKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// appendHeaderBlock appends h's encoded block (h already validated).
func appendHeaderBlock(dst []byte, h Headers) []byte {
	for _, e := range h {
		dst = append(dst, byte(len(e.Key)))
		dst = append(dst, e.Key...)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(e.Value)))
		dst = append(dst, e.Value...)
	}
	return dst
}

// parseHeaderBlock parses a header block into dst (reused), the values
// aliasing b. It returns a description of the first broken rule, or "".
func parseHeaderBlock(dst Headers, b []byte) (Headers, string) {
	dst = dst[:0]
	if len(b) == 0 {
		return dst, "empty header block"
	}
	for p := 0; p < len(b); {
		if len(dst) == MaxHeaders {
			return dst, fmt.Sprintf("more than %d headers", MaxHeaders)
		}
		kl := int(b[p])
		p++
		if kl == 0 || kl > MaxHeaderKeyLength {
			return dst, fmt.Sprintf("header key length %d not in 1..%d", kl, MaxHeaderKeyLength)
		}
		if p+kl+2 > len(b) {
			return dst, "a header runs past the block"
		}
		key := b[p : p+kl]
		if !validKey(key) {
			return dst, fmt.Sprintf("header key %q has a byte outside a-z 0-9 - . _", key)
		}
		p += kl
		vl := int(binary.BigEndian.Uint16(b[p:]))
		p += 2
		if vl > MaxHeaderValueLength {
			return dst, fmt.Sprintf("header %q: value length %d > %d", key, vl, MaxHeaderValueLength)
		}
		if p+vl > len(b) {
			return dst, "a header runs past the block"
		}
		for _, e := range dst {
			if e.Key == string(key) {
				return dst, fmt.Sprintf("duplicate header key %q", key)
			}
		}
		var k string
		if i := len(dst); i < cap(dst) && dst[:i+1][i].Key == string(key) {
			k = dst[:i+1][i].Key // the previous frame's key at this place: no allocation
		} else {
			k = internKey(key)
		}
		dst = append(dst, Header{Key: k, Value: b[p : p+vl : p+vl]})
		p += vl
	}
	return dst, ""
}

// internKey returns key as a string, without allocating for the keys
// fifochan itself defines.
func internKey(key []byte) string {
	switch string(key) {
	case "fc-id":
		return "fc-id"
	case "fc-kind":
		return "fc-kind"
	case "fc-op":
		return "fc-op"
	case "fc-timeout":
		return "fc-timeout"
	case "fc-status":
		return "fc-status"
	case "fc-message":
		return "fc-message"
	case "traceparent":
		return "traceparent"
	case "tracestate":
		return "tracestate"
	case "content-type":
		return "content-type"
	}
	return string(key)
}

// decodeReason decodes an aborted end's reason: UTF-8, each maximal run
// of bytes that are not part of a well-formed sequence replaced by one
// U+FFFD (wire format §4.3), so every reader reports the same text.
func decodeReason(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// truncateReason returns reason as valid UTF-8 of at most MaxReasonLength
// bytes, cut at a character boundary.
func truncateReason(reason string) string {
	reason = strings.ToValidUTF8(reason, "\uFFFD")
	if len(reason) <= MaxReasonLength {
		return reason
	}
	cut := MaxReasonLength
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}

func printable[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// recordLen returns the length of the well-formed record at the start of
// b (as written by this package's encoder), and whether it is a message
// frame. b must hold the whole record.
func recordLen(b []byte) (n int, message bool) {
	if [4]byte(b[:4]) == magic {
		return preambleHeadLen + int(b[preambleOffCodecN]), false
	}
	length := int(binary.BigEndian.Uint32(b))
	flags := b[frameOffFlags]
	n = frameHeadLen + int(b[frameOffTagLen]) + length
	if flags&flagHeaders != 0 {
		n += headersLenSize + int(binary.BigEndian.Uint16(b[frameHeadLen+int(b[frameOffTagLen]):]))
	}
	if flags&flagChecksum != 0 {
		n += crcLen
	}
	return n, flags&(flagEnd|flagHeartbeat) == 0
}

// walkRecords counts the message frames that lie wholly in b[:n] (b
// starting at a record boundary) and reports whether n is at a record
// boundary.
func walkRecords(b []byte, n int) (messages int64, boundary bool) {
	p := 0
	for p < n {
		l, msg := recordLen(b[p:])
		if p+l > n {
			return messages, false
		}
		p += l
		if msg {
			messages++
		}
	}
	return messages, true
}
