// Command fifochan-v01 reads and writes streams with the frozen fifochan 0.1
// Go package (compat/v0.1/go, a copy of v0.1.0:go/), for the compatibility
// tests of wire format 1.1. It is not part of the frozen copy.
//
//	fifochan-v01 read [-codec NAME] [-max-frame-length N] PATH
//	    prints one JSON object per record (kind, offset, codec or flags, tag,
//	    payload_hex) and a last line {"outcome":{...}}: status clean, or
//	    status error with error (truncated, corrupt, checksum, too_long,
//	    incompatible), offset and message. Exit 0 only at a clean end.
//	fifochan-v01 write [-codec NAME] [-tag TAG] [-checksum] PATH < lines
//	    one frame per stdin line, then an end of stream.
//
// PATH is a FIFO (opened as 0.1 opens it) or a regular file.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	fifochan "fifochan.dev/compat/v01"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "read":
		err = read(os.Args[2:])
	case "write":
		err = write(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fifochan-v01:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fifochan-v01 read|write [flags] PATH")
	os.Exit(2)
}

func isFIFO(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode()&os.ModeNamedPipe != 0
}

func read(args []string) error {
	fs := flag.NewFlagSet("read", flag.ExitOnError)
	codec := fs.String("codec", "", "accept only streams this codec can read (0.1's ExpectCodec)")
	max := fs.Int("max-frame-length", 16<<20, "largest payload accepted")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	path := fs.Arg(0)
	var in io.ReadCloser
	var err error
	if isFIFO(path) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		in, err = fifochan.OpenReadEnd(ctx, path)
	} else {
		in, err = os.Open(path)
	}
	if err != nil {
		return err
	}
	defer in.Close()
	opts := []fifochan.Option{fifochan.MaxFrameLength(*max)}
	if *codec != "" {
		opts = append(opts, fifochan.ExpectCodec(*codec))
	}
	r := fifochan.NewReader(in, opts...)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			return enc.Encode(map[string]any{"outcome": map[string]any{"status": "clean", "offset": r.Offset()}})
		}
		if err != nil {
			o := map[string]any{"status": "error", "error": kind(err), "message": err.Error()}
			var se *fifochan.StreamError
			if errors.As(err, &se) {
				o["offset"] = se.Offset
			}
			enc.Encode(map[string]any{"outcome": o})
			out.Flush()
			return err
		}
		m := map[string]any{"kind": rec.Kind.String(), "offset": rec.Offset}
		switch rec.Kind {
		case fifochan.KindPreamble:
			m["codec"] = rec.Codec
		case fifochan.KindEnd:
			m["flags"] = rec.Flags
		default:
			m["flags"] = rec.Flags
			m["tag"] = rec.Tag
			m["payload_hex"] = hex.EncodeToString(rec.Payload)
		}
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
}

func kind(err error) string {
	switch {
	case errors.Is(err, fifochan.ErrTruncatedStream):
		return "truncated"
	case errors.Is(err, fifochan.ErrChecksumMismatch):
		return "checksum"
	case errors.Is(err, fifochan.ErrCorruptFrame):
		return "corrupt"
	case errors.Is(err, fifochan.ErrFrameTooLong):
		return "too_long"
	case errors.Is(err, fifochan.ErrIncompatibleStream):
		return "incompatible"
	}
	return "other"
}

func write(args []string) error {
	fs := flag.NewFlagSet("write", flag.ExitOnError)
	codec := fs.String("codec", "string", "codec named in the preamble")
	tag := fs.String("tag", "", "type tag of every frame")
	checksum := fs.Bool("checksum", false, "CRC-32C on every frame")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	path := fs.Arg(0)
	var out io.WriteCloser
	var err error
	if isFIFO(path) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err = fifochan.OpenWriteEnd(ctx, path)
	} else {
		out, err = os.Create(path)
	}
	if err != nil {
		return err
	}
	var opts []fifochan.Option
	if *checksum {
		opts = append(opts, fifochan.WithChecksum())
	}
	w, err := fifochan.NewWriter(out, *codec, opts...)
	if err != nil {
		out.Close()
		return err
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if err := w.WriteFrame(*tag, sc.Bytes()); err != nil {
			out.Close()
			return err
		}
	}
	if err := sc.Err(); err != nil {
		out.Close()
		return err
	}
	if err := w.Close(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
