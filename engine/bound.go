package engine

import (
	"context"
	"errors"
	"sync"
	"time"
)

// FetchTimeout bounds one fetch of credentials when the options set no
// other: loading the SDK's configuration, retrieving the credentials (a
// credential_process, STS, the SSO portal, the container or metadata
// endpoint) and exchanging them through STS GetSessionToken, less the
// time a human takes to answer an MFA prompt. It is the SDK's own limit
// for a credential_process, which awsxc gives the same bound.
const FetchTimeout = time.Minute

// errFetchTimeout is the cause of a fetch context that ran out of time.
var errFetchTimeout = errors.New("fetch timed out")

// fetchBound is the deadline of one fetch. It stops while a human is
// asked for an MFA code ([fetchBound.human]): a fetch never fails because
// someone typed slowly, and never waits on a program or a service for
// longer than its bound.
type fetchBound struct {
	limit time.Duration

	mu     sync.Mutex  // protects the fields below
	timer  *time.Timer // cancels the fetch when it fires
	left   time.Duration
	since  time.Time // when the timer was last started
	asking int       // MFA prompts open
	fired  bool
}

type boundKey struct{}

// bounded returns ctx with the fetch deadline limit, or ctx itself when
// it already carries one (a Retrieve within an Obtain shares its bound).
// done releases the timer.
func bounded(ctx context.Context, limit time.Duration) (context.Context, *fetchBound, func()) {
	if b, ok := ctx.Value(boundKey{}).(*fetchBound); ok {
		return ctx, b, func() {}
	}
	if limit <= 0 {
		limit = FetchTimeout
	}
	ctx, cancel := context.WithCancelCause(ctx)
	b := &fetchBound{limit: limit, left: limit, since: time.Now()}
	b.timer = time.AfterFunc(limit, func() {
		b.mu.Lock()
		b.fired = true
		b.mu.Unlock()
		cancel(errFetchTimeout)
	})
	ctx = context.WithValue(ctx, boundKey{}, b)
	return ctx, b, func() { b.timer.Stop(); cancel(context.Canceled) }
}

// human stops the deadline while a human answers (an MFA prompt); the
// returned function starts it again with the time that was left.
func (b *fetchBound) human() (resume func()) {
	if b == nil {
		return func() {}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.asking == 0 && !b.fired && b.timer.Stop() {
		b.left -= time.Since(b.since)
	}
	b.asking++
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.asking--
			if b.asking == 0 && !b.fired {
				b.since = time.Now()
				b.timer.Reset(max(b.left, 0))
			}
		})
	}
}

// timedOut reports whether ctx ended because its fetch bound ran out.
func timedOut(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errFetchTimeout)
}
