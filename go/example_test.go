package fifochan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan"
	pb "fifochan.dev/fifochan/internal/interoppb"
)

// tempFIFO returns a FIFO path in a new directory and a function that
// removes both.
func tempFIFO() (string, func()) {
	dir, err := os.MkdirTemp("", "fifochan-example")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, "app.fifo"), func() { os.RemoveAll(dir) }
}

// Sending protobuf messages of two types on one FIFO (for example to the
// Java fifochan receiver) and receiving them.
func ExampleOpenWriter() {
	path, cleanup := tempFIFO()
	defer cleanup()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	codec := fifochan.ProtoRegistry(&pb.Ping{}, &pb.Pong{})

	// The reader: opening creates the FIFO (0600) and takes its lock.
	rx, err := fifochan.OpenReceiver(ctx, path, codec)
	if err != nil {
		log.Fatal(err)
	}
	defer rx.Close()

	// The writer (usually another process): waits for a reader until ctx ends.
	tx, err := fifochan.OpenWriter(ctx, path, codec, fifochan.WithChecksum())
	if err != nil {
		log.Fatal(err) // e.g. no reader in time: errors.Is(err, context.DeadlineExceeded)
	}
	go func() {
		for i := int64(0); i < 4; i++ {
			var m proto.Message = &pb.Ping{Seq: i, Text: "hello"}
			if i%2 == 1 {
				m = &pb.Pong{Seq: i, Payload: []byte{1, 2, 3}}
			}
			if err := tx.Send(ctx, m); err != nil {
				tx.Abort(err.Error()) // the reader learns that this writer failed
				return
			}
		}
		tx.Close() // the accepted messages, then a clean end of stream
	}()

	for {
		m, err := rx.Receive(ctx)
		if err == io.EOF {
			break // the writer closed cleanly
		}
		if err != nil {
			log.Fatal(err)
		}
		switch m := m.(type) {
		case *pb.Ping:
			fmt.Println("ping", m.Seq, m.Text)
		case *pb.Pong:
			fmt.Println("pong", m.Seq, m.Payload)
		}
	}
	// Output:
	// ping 0 hello
	// pong 1 [1 2 3]
	// ping 2 hello
	// pong 3 [1 2 3]
}

// A message that cannot be decoded is reported, and receiving goes on.
func ExampleReceiver_Receive() {
	path, cleanup := tempFIFO()
	defer cleanup()
	ctx := context.Background()
	type order struct {
		ID int `json:"id"`
	}
	rx, err := fifochan.OpenReceiver(ctx, path, fifochan.JSON[order](nil))
	if err != nil {
		log.Fatal(err)
	}
	defer rx.Close()
	// A writer of raw JSON text, one payload of which is not an order.
	tx, err := fifochan.OpenWriter(ctx, path, jsonText{})
	if err != nil {
		log.Fatal(err)
	}
	tx.Send(ctx, `{"id":1}`)
	tx.Send(ctx, `{"id":"two"}`)
	tx.Send(ctx, `{"id":3}`)
	tx.Close()

	for {
		o, err := rx.Receive(ctx)
		var me *fifochan.MessageError
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &me):
			fmt.Println("skipped the message at offset", me.Offset, "(decode failure:", errors.Is(err, fifochan.ErrDecode), ")")
		case err != nil:
			log.Fatal(err) // the stream itself failed
		default:
			fmt.Println("order", o.ID)
		}
	}
	// Output:
	// order 1
	// skipped the message at offset 24 (decode failure: true )
	// order 3
}

// jsonText is a codec that sends strings as JSON payloads unchanged.
type jsonText struct{}

func (jsonText) Name() string                                { return "json" }
func (jsonText) Tag(string) string                           { return "" }
func (jsonText) Append(dst []byte, s string) ([]byte, error) { return append(dst, s...), nil }
func (jsonText) Decode(_ string, p []byte) (string, error)   { return string(p), nil }

// A writer that fails ends its stream with Abort: the reader gets every
// message before it, then an *AbortedError with the reason, never a clean
// end.
func ExampleSender_Abort() {
	path, cleanup := tempFIFO()
	defer cleanup()
	ctx := context.Background()
	rx, err := fifochan.OpenReceiver(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	defer rx.Close()
	tx, err := fifochan.OpenWriter(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	tx.Send(ctx, "row 1")
	tx.Send(ctx, "row 2")
	tx.Abort("export failed: disk full")
	fmt.Println("writer:", tx.Err())

	for {
		s, err := rx.Receive(ctx)
		var aborted *fifochan.AbortedError
		if errors.As(err, &aborted) {
			fmt.Println("reader: aborted:", aborted.Reason)
			return
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("reader:", s)
	}
	// Output:
	// writer: fifochan: stream aborted by the writer: export failed: disk full
	// reader: row 1
	// reader: row 2
	// reader: aborted: export failed: disk full
}

// Headers travel with a message (wire format 1.1).
func ExampleSender_SendHeaders() {
	path, cleanup := tempFIFO()
	defer cleanup()
	ctx := context.Background()
	rx, err := fifochan.OpenReceiver(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	defer rx.Close()
	tx, err := fifochan.OpenWriter(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	tx.SendHeaders(ctx, "hello", fifochan.Headers{
		{Key: "fc-id", Value: []byte("42")},
		{Key: "content-type", Value: []byte("text/plain")},
	})
	tx.Close()
	e, err := rx.ReceiveEnvelope(ctx)
	if err != nil {
		log.Fatal(err)
	}
	id, _ := e.Headers.Get("fc-id")
	fmt.Printf("%q id=%s headers=%d\n", e.Value, id, len(e.Headers))
	// Output:
	// "hello" id=42 headers=2
}

// The seed's shape: a FIFO as a Go channel. Closing the channel ends the
// stream cleanly; the reader's channel closes at its end.
func ExampleWriteChan() {
	path, cleanup := tempFIFO()
	defer cleanup()
	ctx := context.Background()
	in, result, err := fifochan.ReadChan(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	out, w, err := fifochan.WriteChan(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		defer close(out) // a clean end of stream
		for _, s := range []string{"a", "b", "c"} {
			out <- s
		}
	}()
	for s := range in {
		fmt.Println(s)
	}
	fmt.Println("reader:", result(), "writer:", w.Wait())
	// Output:
	// a
	// b
	// c
	// reader: <nil> writer: <nil>
}

// A channel writer that fails says so: the reader's result is the abort,
// so a failed writer never looks finished.
func ExampleChanWriter_Abort() {
	path, cleanup := tempFIFO()
	defer cleanup()
	ctx := context.Background()
	in, result, err := fifochan.ReadChan(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	out, w, err := fifochan.WriteChan(ctx, path, fifochan.String())
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		defer close(out)
		out <- "a"
		w.Abort("producer failed")
	}()
	for s := range in {
		fmt.Println(s)
	}
	fmt.Println("reader:", errors.Is(result(), fifochan.ErrAborted), result())
	// Output:
	// a
	// reader: true fifochan: stream aborted by the writer at offset 19: producer failed
}

// The framing alone, over any io.Writer and io.Reader.
func ExampleNewWriter() {
	var buf bytes.Buffer
	w, _ := fifochan.NewWriter(&buf, "string")
	w.WriteFrame("", []byte("hi"))
	w.Close()
	fmt.Printf("% x\n", buf.Bytes())

	r, _ := fifochan.NewReader(&buf)
	for {
		tag, payload, err := r.Next()
		if err == io.EOF {
			break // clean end of stream
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("tag %q payload %q\n", tag, payload)
	}
	// Output:
	// 89 46 43 48 02 06 73 74 72 69 6e 67 00 00 00 02 00 00 68 69 00 00 00 00 01 00
	// tag "" payload "hi"
}

// WireVersion10 writes exactly what fifochan 0.1 wrote, for readers that
// have not been upgraded yet.
func ExampleWireVersion10() {
	var buf bytes.Buffer
	w, _ := fifochan.NewWriter(&buf, "string", fifochan.WireVersion10())
	w.WriteFrame("", []byte("hi"))
	w.Close()
	fmt.Printf("% x\n", buf.Bytes())
	// Output:
	// 89 46 43 48 01 06 73 74 72 69 6e 67 00 00 00 02 00 00 68 69 00 00 00 00 01 00
}
