package fcnats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Mode is the delivery mode.
type Mode int

const (
	// ModeCore: core NATS, at most once, lowest latency.
	ModeCore Mode = iota
	// ModeJetStream: a stream and a consumer, at least once.
	ModeJetStream
)

// Options configure a Sender or Receiver. The zero value is core NATS
// with the defaults of Java's NatsOptions.
type Options struct {
	Mode Mode
	// Stream is the JetStream stream (default StreamName(subject)); it is
	// created (file storage, the subject only) if missing.
	Stream string
	// Replicas of a created stream (default 1).
	Replicas int
	// Durable names a durable consumer (default: ephemeral).
	Durable string
	// AckWait before JetStream redelivers (default 30 s).
	AckWait time.Duration
	// DedupWindow of a created stream (default 2 min).
	DedupWindow time.Duration
	// DeliverAll makes a new consumer start at the stream's first record;
	// StartSeq (≥ 1) at that stream sequence; default: new records only.
	DeliverAll bool
	StartSeq   uint64
	// MaxInFlight: JetStream publishes awaiting the stream's ack (default 1024).
	MaxInFlight int
	// Follow keeps a Receiver reading across sessions and after failures;
	// without it Receive returns io.EOF once the sessions it saw ended.
	Follow bool
	// Liveness: a session silent this long is reported truncated (0: never).
	Liveness time.Duration
	// Heartbeat: a Sender idle this long sends a heartbeat (0: none).
	Heartbeat time.Duration
	// AssumedCodec: the codec of a session joined after its start
	// (default: the receiver's codec).
	AssumedCodec string
	// PendingMsgs and PendingBytes: a core subscription's limits (defaults
	// 524,288 and 64 MiB); beyond them the client drops the newest.
	PendingMsgs  int
	PendingBytes int
	// PublishTimeout for a JetStream publish before it is retried (default 5 s).
	PublishTimeout time.Duration
	// QueueGroup: request/response responders in one group share the
	// clients (Listen); default none: every responder gets every connect.
	QueueGroup string
}

func (o Options) withDefaults() Options {
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.AckWait == 0 {
		o.AckWait = 30 * time.Second
	}
	if o.DedupWindow == 0 {
		o.DedupWindow = 2 * time.Minute
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = 1024
	}
	if o.PendingMsgs == 0 {
		o.PendingMsgs = 524288
	}
	if o.PendingBytes == 0 {
		o.PendingBytes = 64 << 20
	}
	if o.PublishTimeout == 0 {
		o.PublishTimeout = 5 * time.Second
	}
	return o
}

// Errors of the NATS transport.
var (
	// ErrLost: messages of a session never arrived (core NATS). Returned as *LostError.
	ErrLost = errors.New("fcnats: messages lost")
	// ErrConnectionClosed: the NATS connection is closed for good.
	ErrConnectionClosed = errors.New("fcnats: NATS connection closed")
	// ErrNotConnected: an Offer while the connection is down.
	ErrNotConnected = errors.New("fcnats: not connected")
	// ErrConsumerGone: a JetStream receiver's consumer no longer exists
	// (deleted, or an ephemeral one removed after its inactivity
	// threshold). Returned as *ConsumerGoneError.
	ErrConsumerGone = errors.New("fcnats: JetStream consumer gone")
	// ErrPullRefused: the server refuses a JetStream receiver's pull
	// requests for good (a bad request, or the consumer's MaxRequestBatch,
	// MaxRequestExpires or MaxRequestMaxBytes below what the receiver asks);
	// returned on this and every later call, wrapping the server's answer.
	ErrPullRefused = errors.New("fcnats: JetStream server refuses the receiver's pulls")
)

// ConsumerGoneError: the JetStream consumer a Receiver pulled from was
// deleted and not re-created; the Receiver fails with it on every later
// call. Nothing stored is lost: the stream keeps the records; what this
// consumer had delivered and the application not yet taken was never
// acknowledged, and a new consumer (OpenReceiver again, with
// StartSeq = the last Envelope.Position + 1, or the same Durable
// re-created) delivers it.
type ConsumerGoneError struct {
	Stream, Consumer string
	Durable          bool
	Cause            error // what the server answered, e.g. jetstream.ErrConsumerDeleted or nats.ErrNoResponders
}

func (e *ConsumerGoneError) Error() string {
	kind := "ephemeral"
	if e.Durable {
		kind = "durable"
	}
	return fmt.Sprintf("%v: %s consumer %s of stream %s no longer exists (%v); receiving stopped, reopen the receiver",
		ErrConsumerGone, kind, e.Consumer, e.Stream, e.Cause)
}

// Is reports whether target is ErrConsumerGone.
func (e *ConsumerGoneError) Is(target error) bool { return target == ErrConsumerGone }

// Unwrap returns the server's answer.
func (e *ConsumerGoneError) Unwrap() error { return e.Cause }

// LostError reports lost messages: a gap in a session's frame numbers
// (Session, Expected, Got) or drops by the client (SlowConsumer).
type LostError struct {
	SlowConsumer bool
	Session      string
	Expected     int64
	Got          int64
	Lost         int64
}

func (e *LostError) Error() string {
	if e.SlowConsumer {
		return fmt.Sprintf("%v: %d dropped by the client (slow consumer; core NATS is at most once)", ErrLost, e.Lost)
	}
	return fmt.Sprintf("%v: %d frame(s) of session %s: expected %d, got %d (core NATS is at most once)", ErrLost, e.Lost, e.Session, e.Expected, e.Got)
}

// Is reports whether target is ErrLost.
func (e *LostError) Is(target error) bool { return target == ErrLost }

// TooLongError: a message over the server's max_payload (payload and
// headers), refused before sending. errors.Is(err, fifochan.ErrFrameTooLong)
// and errors.Is(err, nats.ErrMaxPayload) hold.
type TooLongError struct {
	Length, Limit int64
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("fcnats: message of %d bytes (payload and headers) exceeds the server's max_payload of %d bytes; not sent", e.Length, e.Limit)
}

// Unwrap returns the sentinel errors.
func (e *TooLongError) Unwrap() []error { return []error{errFrameTooLong, nats.ErrMaxPayload} }

func ensureStream(ctx context.Context, js jetstream.JetStream, subject string, o Options) (jetstream.Stream, error) {
	name := o.Stream
	if name == "" {
		name = StreamName(subject)
	}
	s, err := js.Stream(ctx, name)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("fcnats: stream %s: %w", name, err)
	}
	s, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}, Storage: jetstream.FileStorage,
		Replicas: o.Replicas, Duplicates: o.DedupWindow})
	if err != nil {
		if s2, err2 := js.Stream(ctx, name); err2 == nil {
			return s2, nil
		}
		return nil, fmt.Errorf("fcnats: cannot create stream %s for %s: %w", name, subject, err)
	}
	return s, nil
}
