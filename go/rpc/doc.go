// Package rpc is request/response over fifochan streams: calls matched by
// correlation ids, deadlines, cancellation, server streaming, one-way
// notifications in both directions, a handshake and liveness. It speaks
// protocol version 1 of docs/rpc.md in the repository and interoperates
// with the Java module fifochan-rpc (dev.fifochan.rpc) in both roles.
//
// A connection is two wire-format-1.1 streams over a FIFO pair (Pair, the
// file layout of Java's FifoPair): the client writes requests into one
// FIFO and reads answers from the other. Either side may start first.
//
//	r, _ := rpc.NewResponder(fifochan.String(), rpc.Service("quotes"))
//	r.Handle("price", func(ctx context.Context, sym string) (string, error) { return "12.5", nil })
//	r.Serve(pair)
//	c, _ := rpc.NewClient(pair, fifochan.String(), rpc.Service("quotes"))
//	price, err := c.Call(ctx, "price", "ACME")
//
// # Contexts
//
// A call's ctx deadline travels as fc-timeout (the time remaining when the
// request is written); when ctx ends first the call fails locally
// (CANCELLED, or DEADLINE_EXCEEDED at the deadline; errors.Is with the
// context error) and a cancel frame with status 1 or 4 is sent. A
// handler's ctx ends when that cancel arrives, when the deadline passes on
// the responder's clock, or when the connection is lost;
// context.Cause(ctx) is then an *Error saying which, and the responder
// sends nothing more for the call.
//
// # Errors
//
// Statuses are gRPC's codes (Code). A failed call returns an *Error (the
// responder's error answer, Remote; or a local status), a *PeerGoneError
// (the connection was lost: UNAVAILABLE, with the Reason and whether the
// request had been written), or a *HandshakeError (the two sides do not
// fit: FAILED_PRECONDITION; the client stops). StatusCode maps any error
// to its code. Calls are at-most-once: nothing is retried automatically,
// and written is not received.
//
// # Metrics
//
// Client.Stats and Responder.Stats return lock-free counters with the
// meanings of Java's RpcMetrics.
package rpc
