package platform

import (
	"context"
	"slices"
	"sync"
	"time"
)

// ScreenState says whether the user can be at the machine.
type ScreenState struct {
	Locked bool // the screen is locked, or its screensaver is up
	Asleep bool // the machine is going to sleep, and has not woken yet
}

// Away says nobody can act on what is shown: the screen is locked or the
// machine asleep.
func (s ScreenState) Away() bool { return s.Locked || s.Asleep }

// ScreenEvent is news from [WatchScreen].
type ScreenEvent struct {
	ScreenState // after the event, from every watcher together
	// Woke says the machine woke up from sleep, or the clock jumped:
	// time passed that nothing saw, so what depends on it is due for a
	// look again.
	Woke bool
	// From names what told: "logind", a screensaver's bus name
	// ("org.gnome.ScreenSaver"), "wts", "clock".
	From string
}

// ScreenOptions says what [WatchScreen] reports to.
type ScreenOptions struct {
	// On is called for each event, one at a time, from a goroutine of
	// the watcher. It must not block for long.
	On func(ScreenEvent)
	// Tick is how often the clock is read to notice a jump; 0 is 30 s.
	Tick time.Duration
}

// WatchScreen reports when the screen is locked or unlocked and when the
// machine sleeps and wakes, until ctx ends. It returns what it could
// watch, for the log:
//
//   - Linux: "logind", on the system bus: PrepareForSleep of
//     org.freedesktop.login1 (true before suspend or hibernation, false on
//     resume) and the LockedHint of this process's login session (set by
//     GNOME Shell and KDE's screen locker), read at start and followed
//     through PropertiesChanged on the session's own object path; and
//     "screensaver", on the session bus: the ActiveChanged signals (and
//     GetActive at start) of org.freedesktop.ScreenSaver (KDE),
//     org.gnome.ScreenSaver, org.mate.ScreenSaver,
//     org.cinnamon.ScreenSaver and org.xfce.ScreenSaver, each believed
//     only from the owner of its name, and taken as unlocked when its
//     owner leaves the bus;
//   - Windows: "wts", the session's lock state
//     (WTSQuerySessionInformation, WTSSessionInfoEx), read every 5 s;
//   - macOS and the rest: no lock signal (NSWorkspace's and the
//     screenIsLocked notifications need Objective-C, which this package
//     does not build).
//
// Everywhere "clock": every Tick the wall clock and the monotonic clock
// are compared with the time that should have passed. On Linux and
// macOS the monotonic clock stops during sleep and the wall clock jumps;
// on Windows both run on but the tick comes late; either way a gap is
// reported as Woke, which is how a machine that slept without a signal
// (or where none can be had) is noticed. A clock set by hand or by NTP
// is reported too: one look more, no harm.
//
// What cannot be watched is left out: nothing is known, nothing is
// reported, and the state stays "present".
func WatchScreen(ctx context.Context, o ScreenOptions) []string {
	if o.Tick <= 0 {
		o.Tick = 30 * time.Second
	}
	h := &screenHub{on: o.On, locks: map[string]bool{}}
	watching := watchScreen(ctx, h)
	go watchClock(ctx, o.Tick, func() { h.woke("clock") })
	return append(watching, "clock")
}

// screenHub joins what each watcher says into one state.
type screenHub struct {
	mu     sync.Mutex // protects the fields below, and serialises on
	on     func(ScreenEvent)
	locks  map[string]bool // locked, by what said so ("logind", a screensaver)
	asleep bool
	last   ScreenState // as last reported
}

func (h *screenHub) stateLocked() ScreenState {
	locked := slices.Contains(mapValues(h.locks), true)
	return ScreenState{Locked: locked, Asleep: h.asleep}
}

func mapValues(m map[string]bool) []bool {
	out := make([]bool, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// locked records what source says of the lock; a change is reported.
func (h *screenHub) locked(source string, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.locks[source] = on
	h.reportLocked(source, false)
}

// sleep records PrepareForSleep; waking up is reported as Woke.
func (h *screenHub) sleep(source string, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asleep = on
	h.reportLocked(source, !on)
}

// woke reports time that passed unseen.
func (h *screenHub) woke(source string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reportLocked(source, true)
}

// reportLocked calls on when the state changed, or always with woke;
// h.mu must be held (so events arrive in order).
func (h *screenHub) reportLocked(source string, woke bool) {
	st := h.stateLocked()
	if st == h.last && !woke {
		return
	}
	h.last = st
	if h.on != nil {
		h.on(ScreenEvent{ScreenState: st, Woke: woke, From: source})
	}
}

// watchClock calls woke when a tick finds a gap in the clocks.
func watchClock(ctx context.Context, tick time.Duration, woke func()) {
	t := time.NewTicker(tick)
	defer t.Stop()
	prev := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			// Round(0) drops the monotonic reading: wall clock only.
			if clockGap(now.Round(0).Sub(prev.Round(0)), now.Sub(prev), tick) {
				woke()
			}
			prev = now
		}
	}
}

// clockGap says that between two ticks tick apart the wall clock moved by
// wall and the monotonic clock by mono, which only sleep (or a clock set
// anew) explains: either one more than a tick and a half late, or the
// wall clock gone back.
func clockGap(wall, mono, tick time.Duration) bool {
	late := tick + tick/2 + time.Second
	return wall > late || mono > late || wall < -time.Second
}
