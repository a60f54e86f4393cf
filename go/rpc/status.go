package rpc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Code is a status code: gRPC's codes, carried in fc-status (docs/rpc.md §8).
// A receiver keeps a number it does not know.
type Code uint32

// The status codes of docs/rpc.md §8 (gRPC's numbers).
const (
	OK                 Code = 0  // never in an error
	Canceled           Code = 1  // the caller cancelled (CANCELLED)
	Unknown            Code = 2  // a handler failed unexpectedly
	InvalidArgument    Code = 3  // the request cannot be decoded or encoded, a malformed fc-timeout
	DeadlineExceeded   Code = 4  // the deadline passed
	NotFound           Code = 5  // handlers
	AlreadyExists      Code = 6  // handlers
	PermissionDenied   Code = 7  // handlers
	ResourceExhausted  Code = 8  // too many calls in flight, too long, a stream's buffer overflowed
	FailedPrecondition Code = 9  // a handshake mismatch
	Aborted            Code = 10 // handlers
	OutOfRange         Code = 11 // handlers
	Unimplemented      Code = 12 // no handler for the operation; unary/streaming mismatch
	Internal           Code = 13 // a reply that cannot be decoded or encoded; a protocol violation
	Unavailable        Code = 14 // shutting down (not run), or the connection was lost
	DataLoss           Code = 15 // handlers
	Unauthenticated    Code = 16 // handlers
)

var codeNames = [...]string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

// String returns the code's name as docs/rpc.md and the Java RpcStatus
// spell it (CANCELLED, NOT_FOUND, ...), or CODE(n) for a number this
// version does not define.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "CODE(" + strconv.FormatUint(uint64(c), 10) + ")"
}

// Error is a call that failed with a status: from the responder (Remote,
// an error frame) or decided by the client (deadline, cancellation, a reply
// that cannot be decoded). A handler returns one (see Errorf) to answer
// with that status. errors.Is(err, context.Canceled) and
// errors.Is(err, context.DeadlineExceeded) hold for the local CANCELLED
// and DEADLINE_EXCEEDED.
type Error struct {
	Code    Code
	Message string // fc-message from the responder, or the local reason
	Op      string // the call's operation ("" if unknown)
	CallID  int64  // the call's fc-id (0: not sent, or a connection error)
	Remote  bool   // the responder sent this status in an error frame
	Err     error  // the local cause, if any
}

// Errorf returns an *Error with code and a formatted message, for handlers:
//
//	return "", rpc.Errorf(rpc.NotFound, "no such symbol: %s", sym)
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rpc: %v (%d)", e.Code, uint32(e.Code))
	if e.Remote {
		b.WriteString(" from the responder")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	describeCall(&b, e.Op, e.CallID)
	return b.String()
}

// Unwrap returns the cause and, for a local CANCELLED or DEADLINE_EXCEEDED,
// the matching context error.
func (e *Error) Unwrap() []error {
	var out []error
	if !e.Remote {
		switch e.Code {
		case Canceled:
			out = append(out, context.Canceled)
		case DeadlineExceeded:
			out = append(out, context.DeadlineExceeded)
		}
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// StatusCode returns the code.
func (e *Error) StatusCode() Code { return e.Code }

func describeCall(b *strings.Builder, op string, id int64) {
	if op == "" && id == 0 {
		return
	}
	b.WriteString(" [")
	if op != "" {
		fmt.Fprintf(b, "operation '%s'", op)
	}
	if id != 0 {
		if op != "" {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "call %d", id)
	}
	b.WriteString("]")
}

// Reason says how a peer went away (PeerGoneError).
type Reason uint8

// Reasons, as Java's PeerGoneException.Reason.
const (
	// Exited: its stream stopped without an end of stream (the process died).
	Exited Reason = iota + 1
	// Ended: it ended its stream (a clean or an aborted end).
	Ended
	// Silent: nothing, not even a heartbeat, arrived for the liveness timeout.
	Silent
	// Broken: a corrupt stream, a write error, a protocol violation, a
	// connection error from the peer.
	Broken
)

func (r Reason) String() string {
	switch r {
	case Exited:
		return "EXITED"
	case Ended:
		return "ENDED"
	case Silent:
		return "SILENT"
	case Broken:
		return "BROKEN"
	}
	return "REASON(" + strconv.Itoa(int(r)) + ")"
}

// PeerGoneError reports that the connection was lost while the call was
// pending (status UNAVAILABLE, decided locally). Calls are at-most-once
// and never retried automatically. RequestWritten is true iff every byte
// of the request frame had been written into the transport before the
// loss — which is not the same as received: the responder may have died
// before reading it, while running it, or after replying. False means the
// responder cannot have received it, so a retry is safe.
type PeerGoneError struct {
	Reason         Reason
	RequestWritten bool
	Peer           string // the connection (for FIFOs: the paths)
	Detail         string
	Op             string
	CallID         int64
	Err            error // the cause, if any
}

func (e *PeerGoneError) Error() string {
	var b strings.Builder
	b.WriteString("rpc: UNAVAILABLE (14): ")
	switch e.Reason {
	case Exited:
		b.WriteString("the peer is gone (its stream stopped without an end)")
	case Ended:
		b.WriteString("the peer ended the connection")
	case Silent:
		b.WriteString("the peer is silent (no heartbeat within the liveness timeout)")
	default:
		b.WriteString("the connection broke")
	}
	if e.Peer != "" {
		b.WriteString(" [" + e.Peer + "]")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.RequestWritten {
		b.WriteString("; the request was written into the transport (written is not received)")
	} else {
		b.WriteString("; the request was not written")
	}
	describeCall(&b, e.Op, e.CallID)
	return b.String()
}

// Unwrap returns the cause.
func (e *PeerGoneError) Unwrap() error { return e.Err }

// StatusCode returns Unavailable.
func (e *PeerGoneError) StatusCode() Code { return Unavailable }

// Handshake fields, in the order both sides check them (docs/rpc.md §4).
const (
	FieldHello     = "hello"
	FieldVersion   = "version"
	FieldRole      = "role"
	FieldService   = "service"
	FieldCodec     = "codec"
	FieldHeartbeat = "heartbeat"
)

// HandshakeError reports that the two sides do not fit together (status
// FAILED_PRECONDITION): their hellos differ in Field. Both sides fail at
// once, each naming both values. A client stops after one (every call
// fails with it); a responder fails only that connection.
type HandshakeError struct {
	Field          string // FieldHello, FieldVersion, ...
	Local          string // this side's value (for FieldHeartbeat: its liveness timeout in ns)
	Remote         string // the peer's value as it sent it
	RemoteAbsent   bool   // the peer sent no value (or it is not known)
	LocalAbsent    bool
	DetectedByPeer bool // the peer found the mismatch and said so in an error frame
	Peer           string
	Detail         string
}

func (e *HandshakeError) Error() string { return "rpc: FAILED_PRECONDITION (9): " + e.text() }

// text is the mismatch as both sides report it (Java's HandshakeException
// message): "service mismatch: this side has 'quotes', the peer has 'orders'".
func (e *HandshakeError) text() string {
	quote := func(v string, absent bool) string {
		if absent {
			return "nothing"
		}
		return "'" + v + "'"
	}
	s := e.Field + " mismatch: this side has " + quote(e.Local, e.LocalAbsent) + ", the peer has " + quote(e.Remote, e.RemoteAbsent)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.DetectedByPeer {
		s += "; detected by the peer"
	}
	if e.Peer != "" {
		s += " [" + e.Peer + "]"
	}
	return s
}

// StatusCode returns FailedPrecondition.
func (e *HandshakeError) StatusCode() Code { return FailedPrecondition }

// StatusCode returns the status of err: OK for nil, the code of an
// *Error, *PeerGoneError (UNAVAILABLE) or *HandshakeError
// (FAILED_PRECONDITION) in err's chain, CANCELLED and DEADLINE_EXCEEDED
// for the context errors, UNKNOWN for anything else.
func StatusCode(err error) Code {
	if err == nil {
		return OK
	}
	var sc interface{ StatusCode() Code }
	switch {
	case errors.As(err, &sc):
		return sc.StatusCode()
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	}
	return Unknown
}
