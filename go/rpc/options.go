package rpc

import (
	"fmt"
	"regexp"
	"time"

	"fifochan.dev/fifochan"
)

// Defaults, equal to the Java RpcConfig's.
const (
	DefaultService           = "default"
	DefaultHeartbeatInterval = time.Second
	DefaultLivenessTimeout   = 5 * time.Second
	DefaultHandshakeTimeout  = 10 * time.Second
	DefaultConnectAttempt    = time.Second
	DefaultReconnectDelay    = 200 * time.Millisecond
	DefaultMaxStreamBuffer   = 10000
	DefaultMaxCallsInFlight  = 10000
	DefaultDrainTimeout      = 10 * time.Second
)

// Option configures a Client or a Responder (NewClient, NewResponder).
// Each validates its value when applied; an invalid one fails the
// constructor with an error naming the option. Options that concern only
// one side are accepted by both and ignored by the other, as Java's
// RpcConfig is shared.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	service          string
	heartbeat        time.Duration
	liveness         time.Duration
	handshakeTimeout time.Duration
	connectAttempt   time.Duration
	reconnectDelay   time.Duration
	maxStreamBuffer  int
	maxCallsInFlight int
	drainTimeout     time.Duration
	closeTimeout     time.Duration
	checksum         bool
	maxFrame         int
	open             []fifochan.OpenOption
	notify           any // func(op string, msg T, from Peer[T]), checked by NewClient
	listener         func(ConnectionEvent)
}

func newConfig(opts []Option) (config, error) {
	c := config{
		service: DefaultService, heartbeat: DefaultHeartbeatInterval, liveness: DefaultLivenessTimeout,
		handshakeTimeout: DefaultHandshakeTimeout, connectAttempt: DefaultConnectAttempt,
		reconnectDelay: DefaultReconnectDelay, maxStreamBuffer: DefaultMaxStreamBuffer,
		maxCallsInFlight: DefaultMaxCallsInFlight, drainTimeout: DefaultDrainTimeout,
		closeTimeout: fifochan.DefaultCloseTimeout, maxFrame: fifochan.DefaultMaxFrameLength,
		listener: func(ConnectionEvent) {},
	}
	for _, o := range opts {
		if err := o.apply(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

func optErr(name, format string, args ...any) error {
	return fmt.Errorf("rpc: option %s: %s", name, fmt.Sprintf(format, args...))
}

var serviceRE = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,128}$`)

// Service sets the service name both sides announce in their hello and
// must agree on: 1 to 128 characters of A-Z a-z 0-9 . _ / - (default
// "default").
func Service(name string) Option {
	return optionFunc(func(c *config) error {
		if !serviceRE.MatchString(name) {
			return optErr("Service", "%q: want 1 to 128 characters of A-Z a-z 0-9 . _ / -", name)
		}
		c.service = name
		return nil
	})
}

func periodOrZero(name string, d time.Duration) error {
	if d < 0 || (d > 0 && d < time.Millisecond) {
		return optErr(name, "%v: want 0 (off) or at least 1ms", d)
	}
	return nil
}

// HeartbeatInterval sets after how long without writing this side sends a
// heartbeat (announced as fc-heartbeat; default 1 s; 0 sends none).
func HeartbeatInterval(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if err := periodOrZero("HeartbeatInterval", d); err != nil {
			return err
		}
		c.heartbeat = d
		return nil
	})
}

// LivenessTimeout sets how long this side waits without any record from
// the peer (a frame or a heartbeat) before it declares the peer gone
// (Silent; default 5 s; 0 never does). The handshake requires the peer's
// heartbeat interval to be at most half of it.
func LivenessTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if err := periodOrZero("LivenessTimeout", d); err != nil {
			return err
		}
		c.liveness = d
		return nil
	})
}

// HandshakeTimeout bounds the exchange of both hellos once the transport
// has connected (default 10 s).
func HandshakeTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return optErr("HandshakeTimeout", "%v is not positive", d)
		}
		c.handshakeTimeout = d
		return nil
	})
}

// ConnectAttempt bounds one attempt of a client's connect or a responder's
// accept before it is retried (default 1 s).
func ConnectAttempt(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return optErr("ConnectAttempt", "%v is not positive", d)
		}
		c.connectAttempt = d
		return nil
	})
}

// ReconnectDelay is the pause between a client's reconnect attempts after a
// failed one or a lost connection (default 200 ms; >= 0).
func ReconnectDelay(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < 0 {
			return optErr("ReconnectDelay", "%v is negative", d)
		}
		c.reconnectDelay = d
		return nil
	})
}

// MaxStreamBuffer sets how many items of one streaming call a client
// buffers; beyond it the client cancels the call with RESOURCE_EXHAUSTED
// (default 10 000; >= 1).
func MaxStreamBuffer(items int) Option {
	return optionFunc(func(c *config) error {
		if items < 1 {
			return optErr("MaxStreamBuffer", "%d is below 1", items)
		}
		c.maxStreamBuffer = items
		return nil
	})
}

// MaxCallsInFlight sets how many calls one connection may have in flight
// at a responder; a call beyond it is answered with RESOURCE_EXHAUSTED
// without running (default 10 000; >= 1).
func MaxCallsInFlight(calls int) Option {
	return optionFunc(func(c *config) error {
		if calls < 1 {
			return optErr("MaxCallsInFlight", "%d is below 1", calls)
		}
		c.maxCallsInFlight = calls
		return nil
	})
}

// DrainTimeout sets how long a responder's Close lets calls in flight
// finish (default 10 s; >= 0).
func DrainTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < 0 {
			return optErr("DrainTimeout", "%v is negative", d)
		}
		c.drainTimeout = d
		return nil
	})
}

// CloseTimeout bounds the clean end of a connection's stream when a side
// closes (default 30 s, the Sender's).
func CloseTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return optErr("CloseTimeout", "%v is not positive", d)
		}
		c.closeTimeout = d
		return nil
	})
}

// WithChecksum makes this side put a CRC-32C on every record it writes.
func WithChecksum() Option {
	return optionFunc(func(c *config) error { c.checksum = true; return nil })
}

// MaxFrameLength sets the largest payload this side writes and accepts
// (default 16 MiB).
func MaxFrameLength(bytes int) Option {
	return optionFunc(func(c *config) error {
		if bytes < 0 || bytes > fifochan.MaxFrameLengthLimit {
			return optErr("MaxFrameLength", "%d not in 0..%d", bytes, fifochan.MaxFrameLengthLimit)
		}
		c.maxFrame = bytes
		return nil
	})
}

// FIFOOptions passes options to the opens of both FIFOs of a pair (Mode,
// CreateIfMissing, AllowOtherOwner, PipeSize).
func FIFOOptions(opts ...fifochan.OpenOption) Option {
	return optionFunc(func(c *config) error { c.open = append(c.open, opts...); return nil })
}

// OnNotification sets the client's handler of notifications from the
// responder: run one at a time, in order, on the client's event
// goroutine. Without one they are dropped and counted. T must be the
// client's codec type (NewClient fails otherwise). Responders take
// notification handlers with Responder.HandleNotification.
func OnNotification[T any](fn func(op string, msg T, from Peer[T])) Option {
	return optionFunc(func(c *config) error {
		if fn == nil {
			return optErr("OnNotification", "nil function")
		}
		c.notify = fn
		return nil
	})
}

// ConnectionEvent tells a listener that a connection came or went.
type ConnectionEvent struct {
	Connected bool   // true: the handshake succeeded; false: the connection ended or failed
	Peer      string // the connection (for FIFOs: the paths)
	Err       error  // why it ended: nil when this side closed it; a *PeerGoneError; a *HandshakeError; a transport error
}

// OnConnectionEvent sets a listener told when connections come and go
// (Java's ConnectionListener). It runs on the connection's goroutine and
// must not block for long.
func OnConnectionEvent(fn func(ConnectionEvent)) Option {
	return optionFunc(func(c *config) error {
		if fn == nil {
			return optErr("OnConnectionEvent", "nil function")
		}
		c.listener = fn
		return nil
	})
}
