// Package fifochan sends typed messages over Linux named pipes (FIFOs).
//
// It is the Go companion of the fifochan Java library and speaks wire format
// v1 (docs/wire-format.md in the repository): a preamble naming the codec,
// length-prefixed frames with an optional type tag and CRC-32C, and an
// end-of-stream frame that tells a clean close from a crashed writer.
//
// Three layers are offered:
//
//   - OpenWriter and Receive: typed, context-aware, over a FIFO path.
//   - NewWriter and NewReader: the framing alone over any io.Writer or
//     io.Reader, with no goroutines.
//   - OpenWriteEnd, OpenReadEnd and Mkfifo: safe, cancellable FIFO opens.
//
// NewDelimitedWriter and NewDelimitedReader read and write plain
// varint-delimited protobuf streams for peers that do not speak fifochan.
package fifochan
