package fifochan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"syscall"
)

// Writer writes a fifochan stream to any io.Writer without goroutines:
// the preamble, frames, and an end-of-stream frame on Close. Frames are
// coalesced in a buffer and written when it fills, on Flush and on Close.
// It is not safe for concurrent use.
type Writer struct {
	w     io.Writer
	cfg   config
	limit int    // flush threshold: buffer size, or PipeBuf in fan-in mode
	buf   []byte // unwritten records, whole records only
	off   int64  // bytes written to w
	err   error  // sticky write error
	done  bool   // Close was called
}

// NewWriter returns a Writer that announces codec in its preamble. The
// preamble is buffered, not written, until the first flush. Useful
// options: WithChecksum, MaxFrameLength, BufferSize, FanIn.
func NewWriter(w io.Writer, codec string, opts ...Option) (*Writer, error) {
	if len(codec) == 0 || len(codec) > maxCodecLen || !printable(codec) {
		return nil, fmt.Errorf("fifochan: invalid codec name %q (want 1..%d printable ASCII characters)", codec, maxCodecLen)
	}
	cfg := newConfig(opts)
	wr := &Writer{w: w, cfg: cfg, limit: cfg.bufSize}
	if cfg.fanIn {
		wr.limit = PipeBuf
	}
	wr.buf = make([]byte, 0, wr.limit)
	wr.buf = append(wr.buf, magic[:]...)
	wr.buf = append(wr.buf, formatVersion, byte(len(codec)))
	wr.buf = append(wr.buf, codec...)
	return wr, nil
}

// WriteFrame buffers one frame. It fails with ErrFrameTooLong if the
// payload exceeds the maximum frame length, or in fan-in mode if the
// whole record exceeds PipeBuf bytes; those errors leave the Writer usable.
func (w *Writer) WriteFrame(tag string, payload []byte) error {
	if len(payload) < w.limit/2 || w.cfg.fanIn || len(payload) > w.cfg.maxFrame || len(tag) > maxTagLen || w.err != nil || w.done {
		return w.appendFrame(tag, func(dst []byte) ([]byte, error) { return append(dst, payload...), nil })
	}
	// A large payload is written from the caller's slice, not copied:
	// buffered records and the header in one write, then the payload.
	// The checksum (if any) starts the next buffer.
	start := len(w.buf)
	var flags byte
	if w.cfg.checksum {
		flags = flagChecksum
	}
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(payload)))
	w.buf = append(w.buf, flags, byte(len(tag)))
	w.buf = append(w.buf, tag...)
	var sum uint32
	if w.cfg.checksum {
		sum = crc32.Update(crc32.Checksum(w.buf[start:], castagnoli), castagnoli, payload)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := w.write(payload); err != nil {
		return err
	}
	if w.cfg.checksum {
		w.buf = binary.BigEndian.AppendUint32(w.buf, sum)
	}
	return nil
}

// SetChecksum turns CRC-32C on or off for the frames written after it
// (the CHECKSUM flag is per frame; WithChecksum sets the initial state).
func (w *Writer) SetChecksum(on bool) { w.cfg.checksum = on }

// Buffered returns the number of bytes waiting to be written.
func (w *Writer) Buffered() int { return len(w.buf) }

// Offset returns the number of bytes written to the underlying writer.
func (w *Writer) Offset() int64 { return w.off }

func (w *Writer) appendFrame(tag string, enc func([]byte) ([]byte, error)) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return errors.New("fifochan: write after Close")
	}
	if len(tag) > maxTagLen {
		return fmt.Errorf("fifochan: tag of %d bytes, the maximum is %d", len(tag), maxTagLen)
	}
	start := len(w.buf)
	var flags byte
	if w.cfg.checksum {
		flags = flagChecksum
	}
	w.buf = append(w.buf, 0, 0, 0, 0, flags, byte(len(tag)))
	w.buf = append(w.buf, tag...)
	body := len(w.buf)
	buf, err := enc(w.buf)
	if err != nil {
		w.buf = w.buf[:start]
		return err
	}
	w.buf = buf
	n := len(w.buf) - body
	if n > w.cfg.maxFrame {
		w.buf = w.buf[:start]
		return streamErr(ErrFrameTooLong, w.off+int64(start), "payload of %d bytes > maximum %d", n, w.cfg.maxFrame)
	}
	binary.BigEndian.PutUint32(w.buf[start:], uint32(n))
	return w.finishRecord(start)
}

// finishRecord adds the checksum of the record at buf[start:] if enabled
// and flushes as the buffer limit requires.
func (w *Writer) finishRecord(start int) error {
	if w.cfg.checksum {
		w.buf = binary.BigEndian.AppendUint32(w.buf, crc32.Checksum(w.buf[start:], castagnoli))
	}
	if !w.cfg.fanIn {
		if len(w.buf) >= w.limit {
			return w.Flush()
		}
		return nil
	}
	rec := len(w.buf) - start
	if rec > PipeBuf {
		w.buf = w.buf[:start]
		return streamErr(ErrFrameTooLong, w.off+int64(start), "record of %d bytes does not fit one atomic %d-byte write (fan-in)", rec, PipeBuf)
	}
	if len(w.buf) > PipeBuf {
		// Write the records before this one, then keep this one.
		if err := w.write(w.buf[:start]); err != nil {
			return err
		}
		w.buf = w.buf[:copy(w.buf, w.buf[start:])]
	}
	return nil
}

// Flush writes every buffered record.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	err := w.write(w.buf)
	if cap(w.buf) > 4*w.limit {
		w.buf = make([]byte, 0, w.limit)
	} else {
		w.buf = w.buf[:0]
	}
	return err
}

func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.off += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if errors.Is(err, syscall.EPIPE) {
			w.err = &StreamError{Kind: ErrPeerClosed, Offset: w.off, Detail: "the reader is gone", Err: err}
		} else {
			w.err = fmt.Errorf("fifochan: write at offset %d: %w", w.off, err)
		}
		return w.err
	}
	return nil
}

// Close writes an end-of-stream frame and flushes. It does not close the
// underlying writer. Calling Close again returns the first result.
func (w *Writer) Close() error {
	if w.done || w.err != nil {
		return w.err
	}
	w.done = true
	start := len(w.buf)
	flags := byte(flagEnd)
	if w.cfg.checksum {
		flags |= flagChecksum
	}
	w.buf = append(w.buf, 0, 0, 0, 0, flags, 0)
	if err := w.finishRecord(start); err != nil {
		return err
	}
	return w.Flush()
}
