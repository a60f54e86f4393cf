// Package fcnats carries fifochan channels over NATS subjects: the same
// codecs, type tags, per-frame headers, sessions, clean and aborted ends
// as the FIFO transport, with one NATS message per record. It is the Go
// side of the mapping in docs/nats.md and interoperates with the Java
// module fifochan-transport-nats.
//
// Core NATS (ModeCore) is at most once: a receiver that falls behind or a
// server restart loses messages, and the loss is reported (*LostError),
// never silent. JetStream (ModeJetStream) is at least once: the sender's
// publishes are acknowledged by the stream (retried with the same
// Nats-Msg-Id), the receiver acknowledges what it returns, and duplicates
// are dropped by (fc-session, fc-seq).
package fcnats

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// Header names of the mapping (docs/nats.md §2).
const (
	HdrRec     = "fc-rec"     // control records: start, end, abort, hb; absent on frames
	HdrSession = "fc-session" // every message: the writer session's id
	HdrSeq     = "fc-seq"     // frames: number from 1; end, abort, hb: the last frame's number
	HdrTag     = "fc-tag"     // frames: the type tag (absent when empty)
	HdrCodec   = "fc-codec"   // start: the codec name
	HdrVersion = "fc-ver"     // start: "1.1" (or "1.0")
	HdrInbox   = "fc-inbox"   // request/response connect: the subject to publish to
	hdrMsgID   = "Nats-Msg-Id"

	recStart   = "start"
	recEnd     = "end"
	recAbort   = "abort"
	recHB      = "hb"
	recConnect = "connect"

	b64Prefix = "b64:"
)

func isMappingKey(k string) bool {
	return k == HdrRec || k == HdrSession || k == HdrSeq || k == HdrTag
}

// EncodeValue returns the NATS header value that carries v: v itself if
// it is printable ASCII (0x20-0x7E) without a leading or trailing space
// and does not start with "b64:", else "b64:" + standard base64 of v.
// (A non-ASCII header value from nats.go silently stalls a jnats
// subscriber's connection; jnats trims values.)
func EncodeValue(v []byte) string {
	if isPlain(v) {
		return string(v)
	}
	return b64Prefix + base64.StdEncoding.EncodeToString(v)
}

func isPlain(v []byte) bool {
	n := len(v)
	if n == 0 {
		return true
	}
	if v[0] == ' ' || v[n-1] == ' ' || strings.HasPrefix(string(v), b64Prefix) {
		return false
	}
	for _, b := range v {
		if b < 0x20 || b > 0x7E {
			return false
		}
	}
	return true
}

// DecodeValue returns the bytes a header value carries.
func DecodeValue(s string) ([]byte, error) {
	if strings.HasPrefix(s, b64Prefix) {
		return base64.StdEncoding.DecodeString(s[len(b64Prefix):])
	}
	return []byte(s), nil
}

func newSessionID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func first(h map[string][]string, k string) (string, bool) {
	v, ok := h[k]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func number(h map[string][]string, k string) int64 {
	v, ok := first(h, k)
	if !ok {
		return -1
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return -1
	}
	return int64(n)
}

func isUserKey(k string) bool {
	if isMappingKey(k) || len(k) == 0 || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// headerSize is the size nats.go gives a header block on the wire.
func headerSize(h map[string][]string) int {
	if len(h) == 0 {
		return 0
	}
	n := len("NATS/1.0\r\n") + 2
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n
}

// StreamName is the JetStream stream a subject uses when Options.Stream is
// empty: "FC_" + the subject with every character other than A-Z a-z 0-9
// - _ replaced by '_' (the same rule as Java's NatsOptions.streamFor).
func StreamName(subject string) string {
	var b strings.Builder
	b.WriteString("FC_")
	for _, c := range subject {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
