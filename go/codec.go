package fifochan

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Codec encodes and decodes the messages of one channel type. Name is the
// codec name written in the stream's preamble; Tag is the type tag of a
// value's frames ("" for single-type channels).
type Codec[T any] interface {
	// Name is the codec name on the wire: bytes, string, json, protobuf,
	// or a user codec's name (1..64 printable ASCII characters).
	Name() string
	// Tag returns the type tag for v (at most 255 bytes of UTF-8).
	Tag(v T) string
	// Append appends v's encoding to dst and returns the extended slice.
	Append(dst []byte, v T) ([]byte, error)
	// Decode decodes a payload; p is only valid during the call. Errors
	// should satisfy errors.Is(err, ErrDecode) (or ErrUnknownType).
	Decode(tag string, p []byte) (T, error)
}

// Accepts reports whether a reader whose codec is named reader can read a
// stream whose preamble names wire: equal names, any codec for "bytes",
// and "json" for "string".
func Accepts(reader, wire string) bool {
	return reader == wire || reader == "bytes" || (reader == "string" && wire == "json")
}

// decodeError is a codec failure that satisfies errors.Is with its kind.
type decodeError struct {
	kind error
	msg  string
	err  error
}

func (e *decodeError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *decodeError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}

func decodeErr(kind error, cause error, format string, args ...any) error {
	return &decodeError{kind: kind, msg: fmt.Sprintf(format, args...), err: cause}
}

// rawEncoder is implemented by codecs whose encoding of a value is a byte
// slice they can hand over as it is (Bytes): a Sender writes a large one
// straight from the caller's slice instead of copying it.
type rawEncoder[T any] interface{ raw(v T) []byte }

type bytesCodec struct{}

func (bytesCodec) raw(v []byte) []byte { return v }

// payloadDecoder is implemented by codecs whose value is a copy of the
// payload (Bytes): a Receiver has them copy it into its block of small
// payloads instead of letting Decode allocate each copy.
type payloadDecoder[T any] interface {
	decodePayload(p []byte, blk *block) T
}

func (bytesCodec) decodePayload(p []byte, blk *block) []byte {
	if len(p) == 0 {
		return nil // as Decode
	}
	return blk.copy(p)
}

// block hands out copies of small payloads carved from a shared block of
// blockSize bytes, one allocation per block instead of one per message.
// Each copy's capacity is its length (an append reallocates), and nothing
// writes a block's used bytes again, so a copy is the caller's; keeping
// one keeps its block alive. Payloads over blockMax get their own copy.
type block struct {
	b []byte // the block; b[:n] is handed out
	n int    // an offset, not a re-sliced b: no pointer store (GC write barrier) per copy
}

const (
	blockSize = 16 << 10
	blockMax  = 1 << 10
)

func (k *block) copy(p []byte) []byte {
	n := len(p)
	if n > blockMax {
		return append([]byte(nil), p...)
	}
	if len(k.b)-k.n < n {
		k.b, k.n = make([]byte, blockSize), 0
	}
	start := k.n
	k.n += copy(k.b[start:], p)
	return k.b[start:k.n:k.n]
}

// Bytes returns the "bytes" codec: payloads are delivered as they are
// (Decode copies them; a Receiver copies payloads of up to 1 KiB into a
// shared 16 KiB block, so a kept one keeps its block alive). A bytes
// reader accepts a stream of any codec.
func Bytes() Codec[[]byte] { return bytesCodec{} }

func (bytesCodec) Name() string                                { return "bytes" }
func (bytesCodec) Tag([]byte) string                           { return "" }
func (bytesCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (bytesCodec) Decode(_ string, p []byte) ([]byte, error)   { return append([]byte(nil), p...), nil }

type stringCodec struct{}

// String returns the "string" codec: UTF-8 text, validated both ways. A
// string reader also accepts a "json" stream (its payloads are UTF-8).
func String() Codec[string] { return stringCodec{} }

func (stringCodec) Name() string      { return "string" }
func (stringCodec) Tag(string) string { return "" }
func (stringCodec) Append(dst []byte, v string) ([]byte, error) {
	if !utf8.ValidString(v) {
		return dst, errors.New("fifochan: string codec: invalid UTF-8")
	}
	return append(dst, v...), nil
}
func (stringCodec) Decode(_ string, p []byte) (string, error) {
	if !utf8.Valid(p) {
		return "", decodeErr(ErrDecode, nil, "string codec: invalid UTF-8")
	}
	return string(p), nil
}

type jsonCodec[T any] struct{ tag func(T) string }

// JSON returns the "json" codec for T using encoding/json. Frames carry no
// tag unless tag is non-nil, in which case tag(v) names each value's type.
// Decode accepts exactly one JSON value in well-formed UTF-8, with JSON
// whitespace around it (wire format §7); anything else is ErrDecode.
func JSON[T any](tag func(T) string) Codec[T] { return jsonCodec[T]{tag: tag} }

func (jsonCodec[T]) Name() string { return "json" }
func (c jsonCodec[T]) Tag(v T) string {
	if c.tag == nil {
		return ""
	}
	return c.tag(v)
}
func (jsonCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, fmt.Errorf("fifochan: json codec: %w", err)
	}
	return append(dst, b...), nil
}
func (jsonCodec[T]) Decode(_ string, p []byte) (T, error) {
	var v T
	if !utf8.Valid(p) {
		// encoding/json would replace invalid UTF-8 in strings; the wire
		// format calls such a payload undecodable (§7).
		return v, decodeErr(ErrDecode, nil, "json codec: invalid UTF-8")
	}
	if err := json.Unmarshal(p, &v); err != nil {
		return v, decodeErr(ErrDecode, err, "json codec")
	}
	return v, nil
}

type protoCodec[M proto.Message] struct{ name protoreflect.FullName }

// Proto returns the "protobuf" codec for one message type M (for example
// *pb.Ping). The tag is M's full name; Decode accepts that tag or none.
func Proto[M proto.Message]() Codec[M] {
	var zero M
	return protoCodec[M]{name: zero.ProtoReflect().Descriptor().FullName()}
}

func (protoCodec[M]) Name() string   { return "protobuf" }
func (c protoCodec[M]) Tag(M) string { return string(c.name) }
func (protoCodec[M]) Append(dst []byte, v M) ([]byte, error) {
	return proto.MarshalOptions{}.MarshalAppend(dst, v)
}
func (c protoCodec[M]) Decode(tag string, p []byte) (M, error) {
	var zero M
	if tag != "" && tag != string(c.name) {
		return zero, decodeErr(ErrUnknownType, nil, "protobuf codec: tag %q is not %s", tag, c.name)
	}
	m := zero.ProtoReflect().Type().New().Interface().(M)
	if err := proto.Unmarshal(p, m); err != nil {
		return zero, decodeErr(ErrDecode, err, "protobuf codec: %s", c.name)
	}
	return m, nil
}

type protoRegistry struct {
	types map[string]protoreflect.MessageType
}

// ProtoRegistry returns a "protobuf" codec for a channel carrying several
// message types: each frame's tag is its message's full name, and Decode
// builds the registered type the tag names (ErrUnknownType otherwise).
// The messages passed only name their types; their contents are ignored.
func ProtoRegistry(msgs ...proto.Message) Codec[proto.Message] {
	r := protoRegistry{types: make(map[string]protoreflect.MessageType, len(msgs))}
	for _, m := range msgs {
		t := m.ProtoReflect().Type()
		r.types[string(t.Descriptor().FullName())] = t
	}
	return r
}

func (protoRegistry) Name() string { return "protobuf" }
func (protoRegistry) Tag(v proto.Message) string {
	return string(v.ProtoReflect().Descriptor().FullName())
}
func (protoRegistry) Append(dst []byte, v proto.Message) ([]byte, error) {
	return proto.MarshalOptions{}.MarshalAppend(dst, v)
}
func (r protoRegistry) Decode(tag string, p []byte) (proto.Message, error) {
	t, ok := r.types[tag]
	if !ok {
		return nil, decodeErr(ErrUnknownType, nil, "protobuf registry: unknown tag %q", tag)
	}
	m := t.New().Interface()
	if err := proto.Unmarshal(p, m); err != nil {
		return nil, decodeErr(ErrDecode, err, "protobuf registry: %s", tag)
	}
	return m, nil
}
