package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/internal/interoppb"
)

// messages is the known message sequence of one codec.
type messages interface {
	name() string
	// encode returns message seq's tag and payload.
	encode(seq int) (tag string, payload []byte)
	// check decodes a payload with the real codec.
	check(tag string, p []byte) error
	// verify decodes a payload and checks that it is a message of the
	// sequence; it returns its seq.
	verify(tag string, p []byte) (int64, error)
}

func lookupMessages(codec string) (messages, error) {
	switch codec {
	case "protobuf":
		return protoMessages{fifochan.ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{})}, nil
	case "json":
		return jsonMessages{fifochan.JSON[jsonMsg](nil)}, nil
	case "string":
		return stringMessages{}, nil
	case "bytes":
		return bytesMessages{}, nil
	}
	return nil, fmt.Errorf("unknown codec %q", codec)
}

// decodeFailure is a verification failure (exit code 6).
func decodeFailure(format string, args ...any) error {
	return fail(exitDecode, format, args...)
}

func seqBytes(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func ping(seq int) *interoppb.Ping {
	return &interoppb.Ping{Seq: int64(seq), Text: fmt.Sprintf("ping-%d", seq)}
}

func delimitedPing(seq int) []byte {
	var b bytes.Buffer
	protodelim.MarshalTo(&b, ping(seq))
	return b.Bytes()
}

type protoMessages struct{ c fifochan.Codec[proto.Message] }

func (protoMessages) name() string { return "protobuf" }
func (m protoMessages) encode(seq int) (string, []byte) {
	var msg proto.Message = ping(seq)
	if seq%2 == 1 {
		msg = &interoppb.Pong{Seq: int64(seq), Payload: seqBytes(int64(seq))}
	}
	p, err := m.c.Append(nil, msg)
	if err != nil {
		panic(err)
	}
	return m.c.Tag(msg), p
}
func (m protoMessages) check(tag string, p []byte) error {
	_, err := m.c.Decode(tag, p)
	return err
}
func (m protoMessages) verify(tag string, p []byte) (int64, error) {
	msg, err := m.c.Decode(tag, p)
	if err != nil {
		return 0, err
	}
	switch v := msg.(type) {
	case *interoppb.Ping:
		if v.Seq%2 != 0 || v.Text != fmt.Sprintf("ping-%d", v.Seq) {
			return 0, decodeFailure("verify: seq %d: unexpected Ping{text:%q}", v.Seq, v.Text)
		}
		return v.Seq, nil
	case *interoppb.Pong:
		if v.Seq%2 != 1 || !bytes.Equal(v.Payload, seqBytes(v.Seq)) {
			return 0, decodeFailure("verify: seq %d: unexpected Pong{payload:%x}", v.Seq, v.Payload)
		}
		return v.Seq, nil
	}
	return 0, decodeFailure("verify: unexpected message type %s", tag)
}

type jsonMsg struct {
	Seq  int64  `json:"seq"`
	Text string `json:"text"`
}

type jsonMessages struct{ c fifochan.Codec[jsonMsg] }

func (jsonMessages) name() string { return "json" }
func (m jsonMessages) encode(seq int) (string, []byte) {
	p, _ := m.c.Append(nil, jsonMsg{Seq: int64(seq), Text: fmt.Sprintf("ping-%d", seq)})
	return "", p
}
func (m jsonMessages) check(tag string, p []byte) error {
	_, err := m.c.Decode(tag, p)
	return err
}
func (m jsonMessages) verify(tag string, p []byte) (int64, error) {
	v, err := m.c.Decode(tag, p)
	if err != nil {
		return 0, err
	}
	if v.Text != fmt.Sprintf("ping-%d", v.Seq) {
		return 0, decodeFailure("verify: seq %d: unexpected text %q", v.Seq, v.Text)
	}
	return v.Seq, nil
}

type stringMessages struct{}

func (stringMessages) name() string { return "string" }
func (stringMessages) encode(seq int) (string, []byte) {
	return "", []byte(fmt.Sprintf("msg-%d", seq))
}
func (stringMessages) check(tag string, p []byte) error {
	_, err := fifochan.String().Decode(tag, p)
	return err
}
func (stringMessages) verify(tag string, p []byte) (int64, error) {
	s, err := fifochan.String().Decode(tag, p)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "msg-"), 10, 64)
	if err != nil || !strings.HasPrefix(s, "msg-") || fmt.Sprintf("msg-%d", n) != s {
		return 0, decodeFailure("verify: unexpected string %q", s)
	}
	return n, nil
}

type bytesMessages struct{}

func (bytesMessages) name() string                    { return "bytes" }
func (bytesMessages) encode(seq int) (string, []byte) { return "", seqBytes(int64(seq)) }
func (bytesMessages) check(string, []byte) error      { return nil }
func (bytesMessages) verify(_ string, p []byte) (int64, error) {
	if len(p) != 8 {
		return 0, decodeFailure("verify: %d-byte payload, want 8", len(p))
	}
	return int64(binary.BigEndian.Uint64(p)), nil
}
