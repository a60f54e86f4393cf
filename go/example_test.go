package fifochan_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"time"

	"google.golang.org/protobuf/proto"

	"fifochan.dev/fifochan"
	pb "fifochan.dev/fifochan/internal/interoppb"
)

// Sending protobuf messages of two types on one FIFO, for example to the
// Java fifochan receiver.
func ExampleOpenWriter() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	codec := fifochan.ProtoRegistry(&pb.Ping{}, &pb.Pong{})
	w, err := fifochan.OpenWriter(ctx, "/tmp/app.fifo", codec, fifochan.Create(0o600), fifochan.WithChecksum())
	if err != nil {
		log.Fatal(err) // e.g. no reader within 30 s: errors.Is(err, context.DeadlineExceeded)
	}
	for i := int64(0); i < 10; i++ {
		var m proto.Message = &pb.Ping{Seq: i, Text: "hello"}
		if i%2 == 1 {
			m = &pb.Pong{Seq: i, Payload: []byte{1, 2, 3}}
		}
		if err := w.Send(m); err != nil {
			log.Fatal(err) // errors.Is(err, fifochan.ErrPeerClosed) if the reader left
		}
	}
	if err := w.Close(); err != nil { // flush + end-of-stream frame
		log.Fatal(err)
	}
}

// Receiving typed messages until the writer closes cleanly.
func ExampleReceive() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs, errc, err := fifochan.Receive(ctx, "/tmp/app.fifo", fifochan.ProtoRegistry(&pb.Ping{}, &pb.Pong{}))
	if err != nil {
		log.Fatal(err)
	}
	for m := range msgs {
		switch m := m.(type) {
		case *pb.Ping:
			fmt.Println("ping", m.Seq, m.Text)
		case *pb.Pong:
			fmt.Println("pong", m.Seq, m.Payload)
		}
	}
	if err := <-errc; err != nil {
		log.Fatal(err) // e.g. errors.Is(err, fifochan.ErrTruncatedStream): the writer crashed
	}
}

// The framing alone, over any io.Writer and io.Reader.
func ExampleNewWriter() {
	var buf bytes.Buffer
	w, _ := fifochan.NewWriter(&buf, "string")
	w.WriteFrame("", []byte("hi"))
	w.Close()
	fmt.Printf("% x\n", buf.Bytes())

	r := fifochan.NewReader(&buf)
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
	// 89 46 43 48 01 06 73 74 72 69 6e 67 00 00 00 02 00 00 68 69 00 00 00 00 01 00
	// tag "" payload "hi"
}
