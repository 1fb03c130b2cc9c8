//go:build !darwin || cgo

package tray

import (
	"context"
	"sync"
	"time"
)

// clipboard copies text to the system clipboard and clears it again
// after a while. Copies and clears run one at a time on its own
// goroutine, in the order asked: two quick copies could otherwise reach
// the clipboard in one order and arm the clear in the other, leaving
// the last text there for good.
type clipboard struct {
	copy  func(string) error     // platform.Copy, or a fake in tests
	paste func() (string, error) // platform.Paste, or a fake in tests
	reqs  chan clipRequest       // copies waiting for the goroutine
	fail  func(err error)        // reports a failed copy
	// done reports a copy made: what was copied and the note about it,
	// as the request named them, and when it is cleared. nil reports
	// nothing.
	done func(what, note string, clearAfter time.Duration)

	stopOnce sync.Once
	stop     chan struct{} // closed when run has returned; see stopped
}

// quitClearWait bounds the clear made when the tray quits (see run): the
// clipboard tools (xclip, xsel, wl-copy) are programs, and one that
// hangs must not hold the quit.
const quitClearWait = time.Second

// stopped is closed once run has returned, the clear on quit made.
func (c *clipboard) stopped() <-chan struct{} { return c.stopCh() }

func (c *clipboard) stopCh() chan struct{} {
	c.stopOnce.Do(func() { c.stop = make(chan struct{}) })
	return c.stop
}

type clipRequest struct {
	what       string // what text is, for the user ("export lines")
	note       string // what the user should know about it; may be empty
	text       string
	clearAfter time.Duration // 0 never clears
}

// put asks for text, which is what, to be copied, and cleared after
// clearAfter if the clipboard still holds it then. It blocks until the
// goroutine takes the request (never once ctx is done), so call it off
// the event loop.
func (c *clipboard) put(ctx context.Context, what, text string, clearAfter time.Duration) {
	c.putNote(ctx, what, "", text, clearAfter)
}

// putNote is put with a note for the user about what is copied.
func (c *clipboard) putNote(ctx context.Context, what, note, text string, clearAfter time.Duration) {
	select {
	case c.reqs <- clipRequest{what: what, note: note, text: text, clearAfter: clearAfter}:
	case <-ctx.Done():
	}
}

// run serves requests until ctx ends. The text it last copied is the
// only one it ever clears: the user may have copied something else since.
// When ctx ends with a clear pending, it clears then (if the clipboard
// still holds that text), waiting for it at most quitClearWait: xclip and
// the Windows and macOS clipboards keep what they hold after the tray
// quits, and credentials must not stay there (review 1, M6).
func (c *clipboard) run(ctx context.Context) {
	defer close(c.stopCh())
	var (
		timer *time.Timer
		due   <-chan time.Time // timer.C while a clear is pending
		last  string
	)
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			if due != nil {
				c.clearOnQuit(last)
			}
			return
		case r := <-c.reqs:
			if err := c.copy(r.text); err != nil {
				c.fail(err)
				continue // the clipboard still holds the last text; its clear stands
			}
			last = r.text
			if c.done != nil {
				c.done(r.what, r.note, r.clearAfter)
			}
			if timer != nil {
				timer.Stop()
			}
			timer, due = nil, nil
			if r.clearAfter > 0 {
				timer = time.NewTimer(r.clearAfter)
				due = timer.C
			}
		case <-due:
			timer, due = nil, nil
			if cur, err := c.paste(); err == nil && cur == last {
				c.copy("")
			}
		}
	}
}

// clearOnQuit clears the clipboard if it still holds last, waiting at
// most quitClearWait for the clipboard tool.
func (c *clipboard) clearOnQuit(last string) {
	cleared := make(chan struct{})
	go func() {
		defer close(cleared)
		if cur, err := c.paste(); err == nil && cur == last {
			c.copy("")
		}
	}()
	t := time.NewTimer(quitClearWait)
	defer t.Stop()
	select {
	case <-cleared:
	case <-t.C:
	}
}
