package fifochan

import (
	"context"
	"os"
	"sync"
	"time"
)

// pastTime is a deadline that has passed: setting it wakes a blocked
// read or write at once.
var pastTime = time.Unix(1, 0)

// writeDeadline arranges the write deadline of a Sender's file so that
// the goroutine holding the write token wakes when its context ends, when
// a Close or Abort begins (unless it is the closer), or when the close
// deadline passes. Deadlines are set only when one of those happens, so a
// write that never waits costs nothing here.
type writeDeadline struct {
	mu        sync.Mutex
	f         *os.File
	gen       uint64 // the holder's generation: late context callbacks see a newer one
	active    bool   // a holder is writing
	closer    bool   // the holder is the closer: closing does not cancel it
	cancelled bool   // the holder's context ended, or closing began
	closing   bool
	closeAt   time.Time // zero: no close deadline (yet)
	set       time.Time // the deadline now set on f
	stopCtx   func() bool
}

// begin registers a holder writing for ctx.
func (d *writeDeadline) begin(ctx context.Context, closer bool) {
	d.mu.Lock()
	d.gen++
	gen := d.gen
	d.active, d.closer = true, closer
	d.cancelled = ctx.Err() != nil || (d.closing && !closer)
	d.apply()
	d.mu.Unlock()
	if ctx.Done() != nil {
		d.stopCtx = context.AfterFunc(ctx, func() {
			d.mu.Lock()
			if d.gen == gen && d.active {
				d.cancelled = true
				d.apply()
			}
			d.mu.Unlock()
		})
	}
}

// end unregisters the holder.
func (d *writeDeadline) end() {
	if d.stopCtx != nil {
		d.stopCtx()
		d.stopCtx = nil
	}
	d.mu.Lock()
	d.gen++
	d.active = false
	d.apply()
	d.mu.Unlock()
}

// startClose records that a Close or Abort began, with its deadline (zero:
// none); a holder that is not the closer is cancelled.
func (d *writeDeadline) startClose(at time.Time) {
	d.mu.Lock()
	d.closing, d.closeAt = true, at
	if d.active && !d.closer {
		d.cancelled = true
	}
	d.apply()
	d.mu.Unlock()
}

// expireClose makes the close deadline pass now.
func (d *writeDeadline) expireClose() {
	d.mu.Lock()
	d.closeAt = pastTime
	d.apply()
	d.mu.Unlock()
}

// why tells why a wait of the holder ended with a deadline: the close
// deadline passed, the holder was cancelled, or neither (a stale deadline).
func (d *writeDeadline) why() (closeExpired, cancelled bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	closeExpired = !d.closeAt.IsZero() && !time.Now().Before(d.closeAt)
	return closeExpired, d.cancelled
}

// apply sets f's write deadline from the state. d.mu must be held.
func (d *writeDeadline) apply() {
	var t time.Time
	if d.active {
		if d.cancelled {
			t = pastTime
		} else {
			t = d.closeAt
		}
	}
	if !t.Equal(d.set) {
		d.f.SetWriteDeadline(t)
		d.set = t
	}
}
