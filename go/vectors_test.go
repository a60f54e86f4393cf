package fifochan

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// The shared test vectors (../testdata/vectors; shape in its README.md,
// rules in docs/wire-format.md). Every vector is decoded exactly, at
// several read sizes; the clean ones are re-encoded byte for byte; and
// every vector is received through a plain Receiver over a real FIFO.

const vectorDir = "../testdata/vectors"

type vectorHeader struct {
	Key      string `json:"key"`
	ValueHex string `json:"value_hex"`
}

type vectorRecord struct {
	Kind       string          `json:"kind"`
	Offset     int64           `json:"offset"`
	Version    *byte           `json:"version,omitempty"`
	Codec      *string         `json:"codec,omitempty"`
	Flags      *byte           `json:"flags,omitempty"`
	Tag        *string         `json:"tag,omitempty"`
	TagHex     *string         `json:"tag_hex,omitempty"`
	Headers    []vectorHeader  `json:"headers,omitempty"`
	HeadersHex *string         `json:"headers_hex,omitempty"`
	PayloadHex *string         `json:"payload_hex,omitempty"`
	Value      json.RawMessage `json:"value,omitempty"`
	Error      *string         `json:"error,omitempty"`
	Reason     *string         `json:"reason,omitempty"`
}

type vectorOutcome struct {
	Status string  `json:"status"`
	Error  string  `json:"error,omitempty"`
	Offset int64   `json:"offset"`
	Cause  string  `json:"cause,omitempty"`
	Reason *string `json:"reason,omitempty"`
}

type vector struct {
	Name        string
	Bin         []byte
	Description string `json:"description"`
	Reader      struct {
		Codec          string `json:"codec"`
		MaxFrameLength int    `json:"max_frame_length"`
	} `json:"reader"`
	Records []vectorRecord `json:"records"`
	Outcome vectorOutcome  `json:"outcome"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no vectors in %s: %v", vectorDir, err)
	}
	var vs []vector
	for _, jn := range names {
		var v vector
		js, err := os.ReadFile(jn)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", jn, err)
		}
		v.Name = strings.TrimSuffix(filepath.Base(jn), ".json")
		if v.Bin, err = os.ReadFile(strings.TrimSuffix(jn, ".json") + ".bin"); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// vectorCodec returns the codec of a vector's reader, delivering values
// as canonical JSON for comparison.
func vectorCodec(t testing.TB, name string) Codec[json.RawMessage] {
	switch name {
	case "bytes":
		return jsonOf[[]byte]{Bytes(), nil}
	case "string":
		return jsonOf[string]{String(), nil}
	case "json":
		return jsonOf[any]{JSON[any](nil), nil}
	case "protobuf":
		return jsonOf[proto.Message]{interopTypes, func(m proto.Message) ([]byte, error) { return protojson.Marshal(m) }}
	}
	t.Fatalf("unknown reader codec %q", name)
	return nil
}

// jsonOf adapts a codec to deliver its values as JSON.
type jsonOf[T any] struct {
	c    Codec[T]
	mars func(T) ([]byte, error)
}

func (j jsonOf[T]) Name() string                                         { return j.c.Name() }
func (j jsonOf[T]) Tag(json.RawMessage) string                           { return "" }
func (j jsonOf[T]) Append(dst []byte, _ json.RawMessage) ([]byte, error) { return dst, nil }
func (j jsonOf[T]) Decode(tag string, p []byte) (json.RawMessage, error) {
	v, err := j.c.Decode(tag, p)
	if err != nil {
		return nil, err
	}
	if j.mars != nil {
		return j.mars(v)
	}
	return json.Marshal(v)
}

func errorName(err error) string {
	switch {
	case errors.Is(err, ErrBadTag):
		return "bad_tag"
	case errors.Is(err, ErrBadHeaders):
		return "bad_headers"
	case errors.Is(err, ErrUnknownType):
		return "unknown_type"
	case errors.Is(err, ErrDecode):
		return "undecodable"
	}
	return fmt.Sprintf("unexpected %v", err)
}

// outcomeOf maps a reader's end to the vectors' outcome object.
func outcomeOf(err error, eofOffset int64) vectorOutcome {
	if err == io.EOF {
		return vectorOutcome{Status: "clean", Offset: eofOffset}
	}
	var ae *AbortedError
	if errors.As(err, &ae) {
		return vectorOutcome{Status: "error", Error: "aborted", Offset: ae.Offset, Reason: &ae.Reason}
	}
	var se *StreamError
	if !errors.As(err, &se) {
		return vectorOutcome{Status: "unexpected " + err.Error()}
	}
	o := vectorOutcome{Status: "error", Offset: se.Offset}
	switch {
	case errors.Is(err, ErrTruncatedStream):
		o.Error = "truncated"
	case errors.Is(err, ErrChecksumMismatch):
		o.Error = "checksum"
	case errors.Is(err, ErrCorruptFrame):
		o.Error = "corrupt"
	case errors.Is(err, ErrFrameTooLong):
		o.Error = "too_long"
	case errors.Is(err, ErrIncompatibleVersion):
		o.Error, o.Cause = "incompatible", "version"
	case errors.Is(err, ErrIncompatibleCodec):
		o.Error, o.Cause = "incompatible", "codec"
	default:
		o.Error = "unexpected " + err.Error()
	}
	return o
}

func ptr[T any](v T) *T { return &v }

// recordOf maps a record (and its per-message error) to the vectors' shape.
func recordOf(t *testing.T, rec Record, merr error, codec Codec[json.RawMessage]) vectorRecord {
	vr := vectorRecord{Kind: rec.Kind.String(), Offset: rec.Offset}
	switch rec.Kind {
	case KindPreamble:
		vr.Version, vr.Codec = ptr(rec.Version), ptr(rec.Codec)
		return vr
	case KindEnd, KindHeartbeat:
		vr.Flags = ptr(rec.Flags)
		return vr
	case KindAborted:
		vr.Flags, vr.Reason, vr.PayloadHex = ptr(rec.Flags), ptr(rec.Reason), ptr(hex.EncodeToString(rec.Payload))
		return vr
	}
	vr.Flags = ptr(rec.Flags)
	vr.PayloadHex = ptr(hex.EncodeToString(rec.Payload))
	if merr != nil && errors.Is(merr, ErrBadTag) {
		vr.TagHex = ptr(hex.EncodeToString([]byte(rec.Tag)))
	} else {
		vr.Tag = ptr(rec.Tag)
	}
	if rec.Flags&flagHeaders != 0 {
		if merr != nil {
			vr.HeadersHex = ptr(hex.EncodeToString(rec.RawHeaders))
		} else {
			for _, h := range rec.Headers {
				vr.Headers = append(vr.Headers, vectorHeader{h.Key, hex.EncodeToString(h.Value)})
			}
		}
	}
	if merr == nil {
		v, err := codec.Decode(rec.Tag, rec.Payload)
		if err != nil {
			merr = err
		} else if codec.Name() != "bytes" {
			vr.Value = v
		}
	}
	if merr != nil {
		vr.Error = ptr(errorName(merr))
	}
	return vr
}

// sameRecord compares two records field by field; values by JSON data.
func sameRecord(got, want vectorRecord) bool {
	gv, wv := got.Value, want.Value
	got.Value, want.Value = nil, nil
	if !reflect.DeepEqual(got, want) {
		return false
	}
	if (gv == nil) != (wv == nil) {
		return false
	}
	return gv == nil || sameJSON(gv, wv)
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

func show(v any) string { b, _ := json.Marshal(v); return string(b) }

// readVector reads a vector's stream through a Reader and compares every
// record and the outcome with the vector.
func readVector(t *testing.T, v vector, src io.Reader) {
	t.Helper()
	r, err := NewReader(src, MaxFrameLength(v.Reader.MaxFrameLength), ExpectCodec(v.Reader.Codec))
	if err != nil {
		t.Fatal(err)
	}
	codec := vectorCodec(t, v.Reader.Codec)
	for i := 0; ; i++ {
		rec, err := r.ReadRecord()
		var me *MessageError
		if err != nil && !errors.As(err, &me) {
			if i != len(v.Records) {
				t.Fatalf("after %d records: %v; want %d records", i, err, len(v.Records))
			}
			if got := outcomeOf(err, r.Offset()); !reflect.DeepEqual(got, v.Outcome) {
				t.Fatalf("outcome %s (%v), want %s", show(got), err, show(v.Outcome))
			}
			return
		}
		if i >= len(v.Records) {
			t.Fatalf("extra record %s", show(recordOf(t, rec, err, codec)))
		}
		if got := recordOf(t, rec, err, codec); !sameRecord(got, v.Records[i]) {
			t.Fatalf("record %d: %s, want %s", i, show(got), show(v.Records[i]))
		}
	}
}

// sizedReader returns at most n bytes per Read.
type sizedReader struct {
	r io.Reader
	n int
}

func (s sizedReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

func TestVectorsDecode(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 100 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		for _, n := range []int{1, 3, 7, 4096, 1 << 30} {
			t.Run(fmt.Sprintf("%s/%d", v.Name, n), func(t *testing.T) {
				readVector(t, v, sizedReader{bytes.NewReader(v.Bin), n})
			})
		}
	}
}

// TestVectorsEncode re-encodes every clean vector, one real Writer per
// record (configured for it: version, checksum), and compares bytes. A
// frame a writer refuses (tag_hex, headers_hex) is written raw.
func TestVectorsEncode(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if v.Outcome.Status != "clean" {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			var out bytes.Buffer
			for _, rec := range v.Records {
				out.Write(encodeRecord(t, rec))
			}
			if !bytes.Equal(out.Bytes(), v.Bin) {
				t.Fatalf("re-encoded %d bytes differ from %d-byte vector:\n got %x\nwant %x", out.Len(), len(v.Bin), out.Bytes(), v.Bin)
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d clean vectors", n)
	}
}

func unhex(t *testing.T, s *string) []byte {
	t.Helper()
	if s == nil {
		return nil
	}
	b, err := hex.DecodeString(*s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeRecord encodes one vector record with a Writer of its own.
func encodeRecord(t *testing.T, rec vectorRecord) []byte {
	t.Helper()
	var buf bytes.Buffer
	version := byte(version11)
	if rec.Version != nil {
		version = *rec.Version
	}
	var opts []WriterOption
	if version == version10 {
		opts = append(opts, WireVersion10())
	}
	codec := "bytes"
	if rec.Codec != nil {
		codec = *rec.Codec
	}
	w, err := NewWriter(&buf, codec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if rec.Kind == "preamble" {
		return buf.Bytes()
	}
	buf.Reset()
	w.SetChecksum(*rec.Flags&flagChecksum != 0)
	switch rec.Kind {
	case "frame":
		payload := unhex(t, rec.PayloadHex)
		if rec.TagHex != nil || rec.HeadersHex != nil {
			tag := string(unhex(t, rec.TagHex))
			if rec.Tag != nil {
				tag = *rec.Tag
			}
			return raw(nil).record(*rec.Flags, tag, unhex(t, rec.HeadersHex), string(payload))
		}
		var h Headers
		for _, e := range rec.Headers {
			h = append(h, Header{e.Key, unhex(t, &e.ValueHex)})
		}
		err = w.WriteFrameHeaders(*rec.Tag, h, payload)
	case "end":
		err = w.Close()
	case "heartbeat":
		err = w.WriteHeartbeat()
	default:
		t.Fatalf("a %s record in a clean vector", rec.Kind)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVectorsReceiver writes every vector into a real FIFO and receives it
// with a plain Receiver: the values and per-message errors of the records
// up to the first aborted end, then the outcome (README: "a reader that
// stops at the first aborted end").
func TestVectorsReceiver(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			path := newFIFO(t)
			codec := vectorCodec(t, v.Reader.Codec)
			r := openReceiver(t, path, codec, MaxFrameLength(v.Reader.MaxFrameLength))
			f, err := OpenWriteEnd(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				f.Write(v.Bin)
				f.Close()
			}()
			// What a plain Receiver must deliver.
			var want []string
			outcome := v.Outcome
			for _, rec := range v.Records {
				if rec.Kind == "aborted" {
					outcome = vectorOutcome{Status: "error", Error: "aborted", Offset: rec.Offset, Reason: rec.Reason}
					break
				}
				if rec.Kind != "frame" {
					continue
				}
				switch {
				case rec.Error != nil:
					want = append(want, "error "+*rec.Error)
				case v.Reader.Codec == "bytes":
					want = append(want, "value "+*rec.PayloadHex)
				default:
					want = append(want, "value "+canonical(rec.Value))
				}
			}
			var got []string
			for {
				e, err := r.ReceiveEnvelope(ctx)
				var me *MessageError
				switch {
				case err == nil && v.Reader.Codec == "bytes":
					var b []byte
					json.Unmarshal(e.Value, &b)
					got = append(got, "value "+hex.EncodeToString(b))
					continue
				case err == nil:
					got = append(got, "value "+canonical(e.Value))
					continue
				case errors.As(err, &me):
					got = append(got, "error "+errorName(err))
					continue
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("delivered %q, want %q", got, want)
				}
				if o := outcomeOf(err, int64(len(v.Bin))); !reflect.DeepEqual(o, outcome) {
					t.Fatalf("outcome %s (%v), want %s", show(o), err, show(outcome))
				}
				if _, again := r.Receive(ctx); again != err {
					t.Fatalf("not sticky: %v, then %v", err, again)
				}
				return
			}
		})
	}
}

// canonical re-marshals JSON with sorted object keys.
func canonical(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "invalid " + string(b)
	}
	out, _ := json.Marshal(v) // maps marshal with sorted keys
	return string(out)
}

// TestVectorsCoverEveryCheck: the check-order steps and the record kinds
// all have vectors (a guard against a vector set that shrinks).
func TestVectorsCoverEveryCheck(t *testing.T) {
	kinds := map[string]bool{}
	for _, v := range loadVectors(t) {
		for _, r := range v.Records {
			kinds[r.Kind] = true
			if r.Error != nil {
				kinds["error:"+*r.Error] = true
			}
		}
		kinds["outcome:"+v.Outcome.Status+":"+v.Outcome.Error+v.Outcome.Cause] = true
	}
	var missing []string
	for _, k := range []string{"preamble", "frame", "end", "aborted", "heartbeat",
		"error:bad_tag", "error:bad_headers", "error:unknown_type", "error:undecodable",
		"outcome:clean:", "outcome:error:truncated", "outcome:error:corrupt", "outcome:error:checksum",
		"outcome:error:too_long", "outcome:error:incompatibleversion", "outcome:error:incompatiblecodec",
		"outcome:error:aborted"} {
		if !kinds[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("no vector for %v", missing)
	}
}
