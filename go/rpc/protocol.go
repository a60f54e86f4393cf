package rpc

import (
	"strconv"
	"unicode/utf8"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/internal/rpcversion"
)

// The header keys and values of docs/rpc.md §3.
const (
	hKind      = "fc-kind"
	hID        = "fc-id"
	hOp        = "fc-op"
	hTimeout   = "fc-timeout"
	hStream    = "fc-stream"
	hStatus    = "fc-status"
	hMessage   = "fc-message"
	hField     = "fc-field"
	hVersion   = "fc-version"
	hRole      = "fc-role"
	hService   = "fc-service"
	hCodec     = "fc-codec"
	hHeartbeat = "fc-heartbeat"
	hAgent     = "fc-agent"

	roleClient    = "client"
	roleResponder = "responder"

	maxMessageBytes = 4096 // fc-message
	maxOpBytes      = 255  // fc-op
)

// kind is a frame's fc-kind.
type kind uint8

const (
	kindUnknown kind = iota
	kindHello
	kindCall
	kindReply
	kindError
	kindCancel
	kindNotify
	kindItem
	kindDone
)

var kindNames = [...]string{"", "hello", "call", "reply", "error", "cancel", "notify", "item", "done"}

// kindBytes are the fc-kind values, shared by every frame written.
var kindBytes = func() [][]byte {
	out := make([][]byte, len(kindNames))
	for i, n := range kindNames {
		out[i] = []byte(n)
	}
	return out
}()

func (k kind) String() string { return kindNames[k] }

func kindOf(v []byte, ok bool) kind {
	if !ok {
		return kindUnknown
	}
	for i := 1; i < len(kindNames); i++ {
		if string(v) == kindNames[i] {
			return kind(i)
		}
	}
	return kindUnknown
}

// parseDecimal parses digits 0-9 without sign or leading zeros (but "0")
// as a value in 0..2^63-1; ok is false otherwise.
func parseDecimal(v []byte) (n int64, ok bool) {
	if len(v) == 0 || len(v) > 19 || (len(v) > 1 && v[0] == '0') {
		return 0, false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	u, err := strconv.ParseUint(string(v), 10, 63)
	if err != nil {
		return 0, false
	}
	return int64(u), true
}

// idOf returns a frame's fc-id (1..2^63-1), or 0 if it has none or a
// malformed one.
func idOf(h fifochan.Headers) int64 {
	v, ok := h.Get(hID)
	if !ok {
		return 0
	}
	id, ok := parseDecimal(v)
	if !ok || id == 0 {
		return 0
	}
	return id
}

// cutMessage cuts text to at most 4096 bytes of UTF-8 at a character
// boundary (invalid UTF-8 replaced).
func cutMessage(text string) string {
	if !utf8.ValidString(text) {
		text = string([]rune(text))
	}
	if len(text) <= maxMessageBytes {
		return text
	}
	end := maxMessageBytes
	for end > 0 && !utf8.RuneStart(text[end]) {
		end--
	}
	return text[:end]
}

func checkOp(op string) error {
	if len(op) > maxOpBytes {
		return &Error{Code: InvalidArgument, Message: "an operation name is at most 255 UTF-8 bytes: '" + op[:40] + "...'"}
	}
	if !utf8.ValidString(op) {
		return &Error{Code: InvalidArgument, Message: "an operation name is UTF-8"}
	}
	return nil
}

// headers builds a header block.
type headers fifochan.Headers

func (h headers) add(key string, value []byte) headers {
	return append(h, fifochan.Header{Key: key, Value: value})
}

func (h headers) str(key, value string) headers { return h.add(key, []byte(value)) }

func (h headers) num(key string, n int64) headers {
	return h.add(key, strconv.AppendInt(nil, n, 10))
}

func kindHeaders(k kind, capacity int) headers {
	h := make(headers, 0, capacity)
	return h.add(hKind, kindBytes[k])
}

// idHeaders are the headers of a reply, item or done: kind and id.
func idHeaders(k kind, id int64) fifochan.Headers {
	return fifochan.Headers(kindHeaders(k, 2).num(hID, id))
}

// callHeaders are a call's headers in the order of docs/rpc.md §13: kind,
// id, op (when it differs from the tag), timeout (when there is a
// deadline: nanoseconds remaining), stream.
func callHeaders(id int64, op string, withOp bool, timeout int64, withTimeout, streaming bool) fifochan.Headers {
	h := kindHeaders(kindCall, 5).num(hID, id)
	if withOp {
		h = h.str(hOp, op)
	}
	if withTimeout {
		h = h.num(hTimeout, timeout)
	}
	if streaming {
		h = h.str(hStream, "1")
	}
	return fifochan.Headers(h)
}

// errorHeaders are an error frame's headers: kind, id (0: a connection
// error, none), status, message, field.
func errorHeaders(id int64, code Code, message, field string) fifochan.Headers {
	h := kindHeaders(kindError, 5)
	if id != 0 {
		h = h.num(hID, id)
	}
	h = h.num(hStatus, int64(code)).str(hMessage, cutMessage(message))
	if field != "" {
		h = h.str(hField, field)
	}
	return fifochan.Headers(h)
}

// hello is one side's hello: the values it announces. A value the peer
// did not send is absent.
type hello struct {
	version, role, service, codec, heartbeat, agent string
	has                                             [5]bool // version, role, service, codec, heartbeat present
	heartbeatNanos                                  int64
	heartbeatOK                                     bool // heartbeat is a decimal
}

func localHello(role, service, codec string, heartbeatNanos int64, agent string) hello {
	return hello{version: rpcversion.Version, role: role, service: service, codec: codec,
		heartbeat: strconv.FormatInt(heartbeatNanos, 10), agent: agent, has: [5]bool{true, true, true, true, true},
		heartbeatNanos: heartbeatNanos, heartbeatOK: true}
}

// headers returns the hello frame's headers in Java's order.
func (h hello) headers() fifochan.Headers {
	out := kindHeaders(kindHello, 7).str(hVersion, h.version).str(hRole, h.role).str(hService, h.service).
		str(hCodec, h.codec).str(hHeartbeat, h.heartbeat)
	if h.agent != "" {
		out = out.str(hAgent, h.agent)
	}
	return fifochan.Headers(out)
}

func parseHello(hs fifochan.Headers) hello {
	var h hello
	get := func(i int, key string) string {
		v, ok := hs.Get(key)
		if i >= 0 {
			h.has[i] = ok
		}
		return string(v)
	}
	h.version = get(0, hVersion)
	h.role = get(1, hRole)
	h.service = get(2, hService)
	h.codec = get(3, hCodec)
	h.heartbeat = get(4, hHeartbeat)
	h.agent = get(-1, hAgent)
	if h.has[4] {
		h.heartbeatNanos, h.heartbeatOK = parseDecimal([]byte(h.heartbeat))
	}
	return h
}
