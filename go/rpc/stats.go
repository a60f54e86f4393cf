package rpc

import (
	"fmt"
	"sync/atomic"
)

// Stats are the counters of a Client or a Responder (Java's RpcMetrics,
// same meanings), read without any lock: each value is recent, not a
// snapshot across counters. Counts are since the Client or Responder was
// made. For a client a call is one Call or CallStream; for a responder it
// is one call frame received (with a usable fc-id).
type Stats struct {
	CallsStarted   int64 // calls started (client) or received (responder)
	CallsSucceeded int64 // calls that ended with a reply (unary) or done (streaming)
	CallsFailed    int64 // calls that ended with any error status (the sum of FailedBy)
	// FailedBy counts, per status code (index), the calls a client saw fail
	// (locally or from the responder) and the error answers a responder
	// decided; a number this version does not define counts as UNKNOWN.
	FailedBy      [17]int64
	CallsInFlight int64 // calls started and not yet ended (a gauge)
	// LateFramesDropped: client: reply, error, item and done frames for a
	// call no longer waiting (after its deadline or cancel, or an unknown
	// id), dropped and never delivered to another call; responder: cancel
	// frames for calls no longer in flight.
	LateFramesDropped     int64
	CancelsSent           int64 // cancel frames sent (client: on cancel and on a passed deadline)
	CancelsReceived       int64 // cancel frames received for a call in flight (responder)
	Connections           int64 // connections whose handshake succeeded
	Reconnects            int64 // client: connections made after the first one
	ConnectionFailures    int64 // connections that failed or were lost (handshake failures included)
	NotificationsSent     int64 // notify frames sent
	NotificationsReceived int64 // notify frames received and handed to a handler
	NotificationsDropped  int64 // notify frames dropped: no handler for the operation, or undecodable
	FramesIgnored         int64 // frames not part of the protocol here (an unknown fc-kind, a bad fc-id, a malformed frame, ...)
	CallsExpiredOnArrival int64 // responder: calls whose fc-timeout was 0 (not run, nothing sent)
}

// Failed returns the calls that ended with code.
func (s Stats) Failed(code Code) int64 {
	if int(code) >= len(s.FailedBy) {
		code = Unknown
	}
	return s.FailedBy[code]
}

func (s Stats) String() string {
	return fmt.Sprintf("Stats{started=%d, succeeded=%d, failed=%d, inFlight=%d, lateDropped=%d, cancelsSent=%d, "+
		"cancelsReceived=%d, connections=%d, reconnects=%d, connectionFailures=%d, notificationsSent=%d, "+
		"notificationsReceived=%d, notificationsDropped=%d, framesIgnored=%d, expiredOnArrival=%d}",
		s.CallsStarted, s.CallsSucceeded, s.CallsFailed, s.CallsInFlight, s.LateFramesDropped, s.CancelsSent,
		s.CancelsReceived, s.Connections, s.Reconnects, s.ConnectionFailures, s.NotificationsSent,
		s.NotificationsReceived, s.NotificationsDropped, s.FramesIgnored, s.CallsExpiredOnArrival)
}

// counters are the live counters behind Stats.
type counters struct {
	started, succeeded, inFlight, late, cancelsSent, cancelsReceived, connections, reconnects atomic.Int64
	connFailures, notifSent, notifReceived, notifDropped, ignored, expired                    atomic.Int64
	failed                                                                                    [17]atomic.Int64
}

func (c *counters) fail(code Code) {
	if int(code) >= len(c.failed) {
		code = Unknown
	}
	c.failed[code].Add(1)
}

func (c *counters) snapshot() Stats {
	s := Stats{
		CallsStarted: c.started.Load(), CallsSucceeded: c.succeeded.Load(), CallsInFlight: c.inFlight.Load(),
		LateFramesDropped: c.late.Load(), CancelsSent: c.cancelsSent.Load(), CancelsReceived: c.cancelsReceived.Load(),
		Connections: c.connections.Load(), Reconnects: c.reconnects.Load(), ConnectionFailures: c.connFailures.Load(),
		NotificationsSent: c.notifSent.Load(), NotificationsReceived: c.notifReceived.Load(),
		NotificationsDropped: c.notifDropped.Load(), FramesIgnored: c.ignored.Load(), CallsExpiredOnArrival: c.expired.Load(),
	}
	for i := range c.failed {
		s.FailedBy[i] = c.failed[i].Load()
		s.CallsFailed += s.FailedBy[i]
	}
	return s
}
