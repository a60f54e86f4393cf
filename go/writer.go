package fifochan

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"syscall"
)

// Writer writes a fifochan stream to any io.Writer without goroutines:
// the preamble, frames, heartbeats, and a clean end (Close) or an aborted
// end (Abort). Records are coalesced in a buffer and written when it
// fills, on Flush, Close and Abort. It is not safe for concurrent use; the
// Sender is the concurrent, cancellable, FIFO-aware writer.
//
// Refusals of one message (*MessageError: too long, bad tag or headers)
// leave the Writer usable. A write error fails it for good: every later
// call returns the same *SendError, which says how many messages reached
// the io.Writer whole, how many buffered ones were discarded, and whether a
// frame was torn.
type Writer struct {
	w       io.Writer
	enc     encoder
	limit   int    // flush threshold: the buffer size, or PipeBuf in fan-in mode
	buf     []byte // unwritten records, whole records only
	bufMsgs int64  // message frames in buf
	off     int64  // bytes written to w
	written int64  // message frames written to w whole
	err     error  // sticky write error
	done    bool   // Close or Abort was called
}

// NewWriter returns a Writer that announces codec in its preamble (wire
// format 1.1 unless WireVersion10). The preamble is buffered, not
// written, until the first flush.
func NewWriter(w io.Writer, codec string, opts ...WriterOption) (*Writer, error) {
	if err := checkCodecName(codec); err != nil {
		return nil, err
	}
	cfg, err := newWriterConfig(opts)
	if err != nil {
		return nil, err
	}
	wr := &Writer{w: w, enc: newEncoder(cfg), limit: cfg.bufSize}
	if cfg.fanIn {
		wr.limit = PipeBuf
	}
	wr.buf = wr.enc.appendPreamble(make([]byte, 0, wr.limit), codec)
	return wr, nil
}

// WriteFrame buffers one message frame with a type tag (UTF-8, at most 255
// bytes; "" for none).
func (w *Writer) WriteFrame(tag string, payload []byte) error {
	return w.WriteFrameHeaders(tag, nil, payload)
}

// WriteFrameHeaders buffers one message frame with a header block (none if
// h is empty). Headers need wire format 1.1.
func (w *Writer) WriteFrameHeaders(tag string, h Headers, payload []byte) error {
	if err := w.usable(); err != nil {
		return err
	}
	if len(payload) < w.limit/2 || w.enc.fanIn || len(payload) > w.enc.maxFrame {
		return w.appendFrame(tag, h, func(dst []byte) ([]byte, error) { return append(dst, payload...), nil })
	}
	// A large payload is written from the caller's slice, not copied:
	// buffered records and the frame's head in one write, then the
	// payload; the checksum (if any) starts the next buffer.
	start := len(w.buf)
	buf, err := w.enc.frameHead(w.buf, tag, h)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint32(buf[start:], uint32(len(payload)))
	w.buf = buf
	var sum [crcLen]byte
	if w.enc.checksum {
		binary.BigEndian.PutUint32(sum[:], crc32.Update(crc32.Checksum(w.buf[start:], castagnoli), castagnoli, payload))
	}
	if err := w.flush(w.bufMsgs); err != nil {
		return err
	}
	if err := w.write(payload, 0, false); err != nil {
		return err
	}
	if w.enc.checksum {
		if err := w.write(sum[:], 0, false); err != nil {
			return err
		}
	}
	w.written++
	return nil
}

// WriteHeartbeat buffers a heartbeat record (wire format 1.1).
func (w *Writer) WriteHeartbeat() error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.enc.version == version10 {
		return errors.New("fifochan: wire format 1.0 has no heartbeats (the writer was opened with WireVersion10)")
	}
	start := len(w.buf)
	w.buf = w.enc.appendHeartbeat(w.buf)
	return w.finishRecord(start, false)
}

// SetChecksum turns CRC-32C on or off for the records written after it
// (the CHECKSUM flag is per record; WithChecksum sets the initial state).
func (w *Writer) SetChecksum(on bool) { w.enc.checksum = on }

// Buffered returns the number of bytes waiting to be written.
func (w *Writer) Buffered() int { return len(w.buf) }

// Offset returns the number of bytes written to the underlying writer.
func (w *Writer) Offset() int64 { return w.off }

// Written returns the number of message frames written whole to the
// underlying writer.
func (w *Writer) Written() int64 { return w.written }

func (w *Writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return &SendError{Op: "write", Kind: ErrClosed, Message: NotSent, Written: w.written}
	}
	return nil
}

func (w *Writer) appendFrame(tag string, h Headers, enc func([]byte) ([]byte, error)) error {
	start := len(w.buf)
	buf, err := w.enc.appendFrame(w.buf, tag, h, enc)
	w.buf = buf
	if err != nil {
		return err
	}
	return w.finishRecord(start, true)
}

// finishRecord counts the record at buf[start:] and flushes as the buffer
// limit requires.
func (w *Writer) finishRecord(start int, message bool) error {
	if message {
		w.bufMsgs++
	}
	if !w.enc.fanIn {
		if len(w.buf) >= w.limit {
			return w.Flush()
		}
		return nil
	}
	if len(w.buf) > PipeBuf {
		// Write the records before this one, then keep this one.
		var before int64
		if message {
			before = w.bufMsgs - 1
		} else {
			before = w.bufMsgs
		}
		if err := w.write(w.buf[:start], before, true); err != nil {
			return err
		}
		w.buf = w.buf[:copy(w.buf, w.buf[start:])]
		w.bufMsgs -= before
	}
	return nil
}

// Flush writes every buffered record.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.flush(w.bufMsgs)
}

func (w *Writer) flush(msgs int64) error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.write(w.buf, msgs, true)
	if cap(w.buf) > 4*w.limit {
		w.buf = make([]byte, 0, w.limit)
	} else {
		w.buf = w.buf[:0]
	}
	w.bufMsgs = 0
	return err
}

// write writes p: whole records from the buffer holding msgs message
// frames (fromBuf), or a part of a large frame whose head is already
// written.
func (w *Writer) write(p []byte, msgs int64, fromBuf bool) error {
	n, err := w.w.Write(p)
	w.off += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err == nil {
		w.written += msgs
		return nil
	}
	se := &SendError{Op: "write", Kind: err, Err: err}
	if errors.Is(err, syscall.EPIPE) {
		se.Kind = ErrPeerClosed
	}
	if fromBuf {
		done, boundary := walkRecords(p, n)
		w.written += done
		se.Torn = !boundary
		se.Discarded = w.bufMsgs - done
	} else {
		se.Torn, se.Message = true, Torn
	}
	se.Written = w.written
	w.err = se
	return se
}

// Close writes an end-of-stream frame and flushes. It does not close the
// underlying writer. Calling Close again returns the first result.
func (w *Writer) Close() error {
	if w.done || w.err != nil {
		return w.err
	}
	w.done = true
	start := len(w.buf)
	w.buf = w.enc.appendEnd(w.buf)
	if err := w.finishRecord(start, false); err != nil {
		return err
	}
	return w.Flush()
}

// Abort ends the session with an error: it flushes the buffered records
// and writes an aborted end carrying reason (UTF-8, cut to 1024 bytes), so
// the reader reports an *AbortedError after every complete message. With
// WireVersion10 it flushes and writes no end at all: a 1.0 reader then
// reports a truncated stream. It does not close the underlying writer.
func (w *Writer) Abort(reason string) error {
	if w.done || w.err != nil {
		return w.err
	}
	w.done = true
	if w.enc.version != version10 {
		start := len(w.buf)
		w.buf = w.enc.appendAborted(w.buf, reason)
		if err := w.finishRecord(start, false); err != nil {
			return err
		}
	}
	return w.Flush()
}
