package fifochan

import (
	"io"

	"fifochan.dev/fifochan/internal/interoppb"
)

// oneByteReader returns at most one byte per Read.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

var interopTypes = ProtoRegistry(&interoppb.Ping{}, &interoppb.Pong{})
